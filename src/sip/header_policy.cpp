#include "sip/header_policy.hpp"

#include "sip/syntax.hpp"

namespace sb::sip {

bool passesThrough(const HeaderField& f) {
    switch (f.id) {
    case HeaderId::other:
    case HeaderId::accept:
    case HeaderId::accept_encoding:
    case HeaderId::accept_language:
    case HeaderId::alert_info:
    case HeaderId::allow:
    case HeaderId::allow_events:
    case HeaderId::call_info:
    case HeaderId::content_disposition:
    case HeaderId::content_encoding:
    case HeaderId::content_language:
    case HeaderId::error_info:
    case HeaderId::event:
    case HeaderId::expires:
    case HeaderId::in_reply_to:
    case HeaderId::mime_version:
    case HeaderId::organization:
    case HeaderId::priority:
    case HeaderId::reason:
    case HeaderId::reply_to:
    case HeaderId::retry_after:
    case HeaderId::subject:
    case HeaderId::warning:
        return true;
    default:
        return false;
    }
}

void copyEndToEnd(const Message& from, MessageWriter& to) {
    for (const auto& f : from.headers())
        if (passesThrough(f))
            to.header(f.id == HeaderId::other ? f.name : canonicalName(f.id), f.value);
}

std::string_view contentType(const Message& m) {
    return m.header(HeaderId::content_type).value_or("");
}

bool hasContact(std::string_view method) {
    return method == "INVITE" || method == "UPDATE" || method == "SUBSCRIBE" ||
           method == "NOTIFY" || method == "REFER";
}

bool hasOptionTag(const Message& m, HeaderId header, std::string_view tag) {
    bool found = false;
    for (const auto& f : m.headers()) {
        if (f.id != header) continue;
        (void)forEachListItem(f.value, "option tags", [&](std::string_view item) -> Result<void> {
            found = found || syntax::iequals(item, tag);
            return {};
        });
    }
    return found;
}

std::string unsupportedRequirements(const Message& request) {
    std::string out;
    for (const auto& f : request.headers()) {
        if (f.id != HeaderId::require) continue;
        (void)forEachListItem(f.value, "Require", [&](std::string_view tag) -> Result<void> {
            if (syntax::iequals(tag, "100rel")) return {}; // RFC 3262, relayed end to end
            if (!out.empty()) out += ", ";
            out += tag;
            return {};
        });
    }
    return out;
}

std::optional<std::uint32_t> reliableSequence(const Message& response) {
    if (!hasOptionTag(response, HeaderId::require, "100rel")) return std::nullopt;
    const auto rseq = response.header(HeaderId::rseq);
    if (!rseq) return std::nullopt;
    auto n = parseScalar(*rseq, 4294967295u, "RSeq");
    if (!n || *n == 0) return std::nullopt;
    return *n;
}

std::optional<std::uint32_t> rackResponseNumber(const Message& prack) {
    const auto rack = prack.header(HeaderId::rack);
    if (!rack) return std::nullopt;
    const auto space = rack->find(' ');
    auto n = parseScalar(rack->substr(0, space), 4294967295u, "RAck");
    if (!n) return std::nullopt;
    return *n;
}

} // namespace sb::sip
