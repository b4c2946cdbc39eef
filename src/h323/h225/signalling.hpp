#pragma once
// An H.225.0 call signalling message (§7, on TCP 1720 in TPKT): a Q.931 message whose
// User-user element carries H323-UserInformation, read and written as one, with the check that
// the two agree (a Q.931 Setup carries a Setup-UUIE, a Facility a Facility-UUIE or the empty
// body, …). Bad input gets the answer H.225.0 §7.4 and Q.931 §5.8 give it: a ReleaseComplete
// whose Cause says why (Q.850: 96 a mandatory element missing, 100 an element's contents
// invalid, 97 a message type we do not know, 95 anything else), built by releaseCompleteFor().

#include "core/result.hpp"
#include "h323/h225/user_information.hpp"
#include "h323/q931/message.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace sb::h323::h225 {

struct SignallingMessage {
    q931::Message q931; // type, call reference and the elements other than User-user
    std::optional<UserInformation> userInformation;
};

// The Q.931 message with the User-user element written in its place.
std::vector<std::uint8_t> write(const SignallingMessage& message);

// Why a message was refused, and the Q.850 cause its ReleaseComplete carries.
struct SignallingError {
    std::uint8_t cause = 95;
    std::string reason;                         // what was wrong, naming the element or field
    std::optional<std::uint16_t> callReference; // when it could be read
    bool fromDestination = false;               // the refused message's flag
};
// A message whose Q.931 framing, User-user element or PER is wrong, or whose body does not
// match its type, is refused; User-user is required but for ReleaseComplete and Status (a
// version-1 peer may leave it out of those).
std::variant<SignallingMessage, SignallingError> read(std::span<const std::uint8_t> bytes);

// The ReleaseComplete that answers a refused message (§7.4): on the refused message's call
// reference with the flag reversed, its cause in a Cause element, and a ReleaseComplete-UUIE
// whose reason says the same as far as H.225.0 can (undefinedReason).
SignallingMessage releaseCompleteFor(const SignallingError& error);

} // namespace sb::h323::h225
