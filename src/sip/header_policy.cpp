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

void copyRecordRoute(const Message& request, MessageWriter& response) {
    for (const auto& rr : request.recordRoutes())
        response.header(HeaderId::record_route, rr.text);
}

std::string_view contentType(const Message& m) {
    return m.header(HeaderId::content_type).value_or("");
}

bool isSdpType(std::string_view contentType) {
    return syntax::iequals(syntax::trim(contentType.substr(0, contentType.find(';'))),
                           "application/sdp");
}

bool carriesSdp(const Message& m) {
    return isSdpType(contentType(m));
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
            // RFC 3262 (relayed end to end) and RFC 4028 (negotiated per leg).
            if (syntax::iequals(tag, "100rel") || syntax::iequals(tag, "timer")) return {};
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

std::optional<SessionExpires> sessionExpires(const Message& m) {
    const auto value = m.header(HeaderId::session_expires);
    if (!value) return std::nullopt;
    const auto semicolon = value->find(';');
    auto seconds =
        parseScalar(syntax::trim(value->substr(0, semicolon)), 4294967295u, "Session-Expires");
    if (!seconds || *seconds == 0) return std::nullopt;
    SessionExpires out{*seconds, std::nullopt};
    if (semicolon != std::string_view::npos &&
        validateHeaderParams(value->substr(semicolon), "Session-Expires")) {
        const Params params(value->substr(semicolon));
        if (auto refresher = params.get("refresher")) {
            if (syntax::iequals(*refresher, "uac")) out.refresherIsUac = true;
            if (syntax::iequals(*refresher, "uas")) out.refresherIsUac = false;
        }
    }
    return out;
}

std::optional<std::uint32_t> minSessionExpires(const Message& m) {
    const auto value = m.header(HeaderId::min_se);
    if (!value) return std::nullopt;
    auto seconds =
        parseScalar(syntax::trim(value->substr(0, value->find(';'))), 4294967295u, "Min-SE");
    if (!seconds) return std::nullopt;
    return *seconds;
}

bool allowsMethod(const Message& m, std::string_view method) {
    bool found = false;
    for (const auto& f : m.headers()) {
        if (f.id != HeaderId::allow) continue;
        (void)forEachListItem(f.value, "Allow", [&](std::string_view item) -> Result<void> {
            found = found || item == method;
            return {};
        });
    }
    return found;
}

} // namespace sb::sip
