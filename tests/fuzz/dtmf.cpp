// Fuzzes the two DTMF readers with untrusted input: an INFO body under each DTMF content type
// (the first byte picks it), and the same bytes as an RFC 4733 event payload; and the body as
// a video key frame request (RFC 5168). What is read
// must write back to what a second read gives.
#include "rtp/telephone_event.hpp"
#include "sip/dtmf_info.hpp"
#include "sip/media_control.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view type = data[0] & 1 ? "application/dtmf" : "application/dtmf-relay";
    const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
    if (auto digit = sb::sip::parseDtmfInfo(type, body)) {
        auto again =
            sb::sip::parseDtmfInfo(sb::sip::kDtmfRelayType, sb::sip::dtmfRelayBody(*digit));
        if (!again || again->digit != digit->digit || again->duration != digit->duration)
            std::abort();
    }
    (void)sb::sip::isPictureFastUpdate(sb::sip::kMediaControlType, body);
    const auto bytes = std::as_bytes(std::span(data, size));
    if (auto event = sb::rtp::parseTelephoneEvent(bytes)) {
        std::array<std::byte, sb::rtp::kTelephoneEventBytes> out{};
        sb::rtp::writeTelephoneEvent(out, *event);
        auto again = sb::rtp::parseTelephoneEvent(out);
        if (!again || again->event != event->event || again->end != event->end ||
            again->volume != event->volume || again->duration != event->duration)
            std::abort();
        if (auto digit = sb::rtp::digitForEvent(event->event);
            digit && sb::rtp::eventForDigit(*digit) != event->event)
            std::abort();
    }
    return 0;
}
