#pragma once
// DTMF in SIP INFO requests (RFC 6086 carries them; the bodies are de facto formats): Cisco's
// application/dtmf-relay ("Signal=5\r\nDuration=160\r\n") and application/dtmf (the digit
// alone). The media layer turns them into RFC 4733 events for a leg that has telephone-event,
// and RFC 4733 events into such INFOs for a leg that does not.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sb::sip {

struct DtmfDigit {
    char digit = '0'; // '0'–'9', '*', '#', 'A'–'D'
    std::chrono::milliseconds duration{250};
};

inline constexpr std::string_view kDtmfRelayType = "application/dtmf-relay";

// The digit an INFO body carries; nullopt for another content type or a body without a
// keypad digit. A missing or unreadable Duration gives 250 ms; durations are kept within
// 40 ms to 5 s.
std::optional<DtmfDigit> parseDtmfInfo(std::string_view contentType, std::string_view body);
// An application/dtmf-relay body for `d`.
std::string dtmfRelayBody(const DtmfDigit& d);

} // namespace sb::sip
