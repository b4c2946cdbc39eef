#pragma once
// Header field names known to the parser, their compact forms (RFC 3261 §7.3.3 and the RFCs
// that added one), and whether their value may be a comma-separated list (§7.3.1).

#include <cstdint>
#include <string_view>

namespace sb::sip {

enum class HeaderId : std::uint8_t {
    other,
    accept,
    accept_encoding,
    accept_language,
    alert_info,
    allow,
    allow_events,
    authentication_info,
    authorization,
    call_id,
    call_info,
    contact,
    content_disposition,
    content_encoding,
    content_language,
    content_length,
    content_type,
    cseq,
    date,
    error_info,
    event,
    expires,
    from,
    in_reply_to,
    max_forwards,
    min_expires,
    min_se,
    mime_version,
    organization,
    priority,
    proxy_authenticate,
    proxy_authorization,
    proxy_require,
    rack,
    reason,
    record_route,
    refer_to,
    referred_by,
    reply_to,
    require,
    retry_after,
    route,
    rseq,
    server,
    session_expires,
    subject,
    supported,
    timestamp,
    to,
    unsupported,
    user_agent,
    via,
    warning,
    www_authenticate,
    count_,
};

// The id of a header name, long or compact form, case-insensitive; HeaderId::other if unknown.
HeaderId lookupHeader(std::string_view name) noexcept;

// The canonical long name ("Call-ID", "CSeq", "WWW-Authenticate"); "" for HeaderId::other.
std::string_view canonicalName(HeaderId id) noexcept;

// True for headers whose grammar is a comma-separated list (Via, Contact, Route, Allow, …).
bool isListHeader(HeaderId id) noexcept;

} // namespace sb::sip
