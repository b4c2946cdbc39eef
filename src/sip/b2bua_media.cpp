// Session descriptions through the media policy (B2buaOptions::media): every SDP body that
// crosses a bridged call is rewritten so that the media flows through Switchboard.

#include "sip/b2bua.hpp"
#include "sip/b2bua_call.hpp"
#include "sip/header_policy.hpp"
#include "sip/syntax.hpp"

#include <fmt/format.h>

namespace sb::sip {

Result<std::string_view> B2bua::bodyFor(Call& call, Side from, const Message& m) {
    if (!options_.media || call.observer || contentType(m) != "application/sdp") return m.body();
    auto rewritten = options_.media->relay(
        call.id, from == Side::a ? MediaPolicy::Leg::caller : MediaPolicy::Leg::callee, m.body());
    if (!rewritten) return fail(rewritten.error());
    call.mediaBody = std::move(rewritten).value();
    return std::string_view(call.mediaBody);
}

MessageWriter B2bua::mediaRefusal(const Message& request, const Error& error,
                                  std::string_view toTag) {
    if (error.code == Errc::too_large) {
        auto w = responseTo(request, 503, "Service Unavailable (no media ports)", toTag);
        w.header(HeaderId::retry_after, fmt::format("{}", options_.limits.retryAfterS));
        w.header(HeaderId::server, options_.userAgent);
        return w;
    }
    // RFC 3261 §21.4.26 and §20.43: 488 with a Warning saying why; 305 "Incompatible media
    // format" when no codec fits, 399 (miscellaneous) for a malformed description.
    auto w = responseTo(request, 488, "Not Acceptable Here", toTag);
    std::string text = sanitizeReason(error.message);
    std::erase(text, '"');
    std::erase(text, '\\');
    w.header(HeaderId::warning, fmt::format("{} switchboard \"{}\"",
                                            error.code == Errc::unsupported ? 305 : 399, text));
    w.header(HeaderId::server, options_.userAgent);
    return w;
}

} // namespace sb::sip
