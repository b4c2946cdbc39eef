#include "h323/h225/signalling.hpp"

#include <fmt/format.h>

namespace sb::h323::h225 {
namespace {

// Q.850 causes (§2.2.7) for what we refuse.
constexpr std::uint8_t kInvalidMessage = 95, kMandatoryElementMissing = 96,
                       kMessageTypeUnknown = 97, kInvalidElementContents = 100;

// Whether the body is the one H.225.0 §7.3 puts in a message of this type.
bool agrees(q931::MessageType type, const MessageBody& body) {
    using T = q931::MessageType;
    switch (type) {
    case T::setup:
        return std::holds_alternative<Setup>(body);
    case T::callProceeding:
        return std::holds_alternative<CallProceeding>(body);
    case T::alerting:
        return std::holds_alternative<Alerting>(body);
    case T::connect:
        return std::holds_alternative<Connect>(body);
    case T::progress:
        return std::holds_alternative<Progress>(body);
    case T::releaseComplete:
        return std::holds_alternative<ReleaseComplete>(body);
    case T::facility:
        return std::holds_alternative<Facility>(body) || std::holds_alternative<Empty>(body);
    case T::information:
        return std::holds_alternative<Information>(body) || std::holds_alternative<Empty>(body);
    case T::status:
        return std::holds_alternative<Status>(body);
    case T::statusEnquiry:
        return std::holds_alternative<StatusInquiry>(body);
    }
    return false;
}

} // namespace

std::vector<std::uint8_t> write(const SignallingMessage& message) {
    auto q931 = message.q931;
    if (message.userInformation)
        q931.set(q931::element::userUser, q931::writeUserUser(encode(*message.userInformation)));
    return q931::write(q931);
}

std::variant<SignallingMessage, SignallingError> read(std::span<const std::uint8_t> bytes) {
    SignallingError error;
    // The call reference and its flag, when the framing gets that far (Q.931 §4.3: octets 2 to
    // 4), so that even a message we cannot read is answered on its call.
    if (bytes.size() >= 5 && bytes[0] == 0x08 && bytes[1] == 0x02) {
        error.callReference = static_cast<std::uint16_t>(((bytes[2] & 0x7F) << 8) | bytes[3]);
        error.fromDestination = (bytes[2] & 0x80) != 0;
    }
    auto q931 = q931::read(bytes);
    if (!q931) {
        const bool unknownType = q931.error().message.find("message type") != std::string::npos;
        error.cause = unknownType ? kMessageTypeUnknown : kInvalidMessage;
        error.reason = q931.error().message;
        return error;
    }
    SignallingMessage message{std::move(*q931), std::nullopt};
    const auto* userUser = message.q931.find(q931::element::userUser);
    const auto type = message.q931.type;
    if (userUser == nullptr) {
        if (type == q931::MessageType::releaseComplete || type == q931::MessageType::status)
            return message;
        error.cause = kMandatoryElementMissing;
        error.reason = fmt::format("{}: no User-user element", q931::nameOf(type));
        return error;
    }
    auto contents = q931::readUserUser(userUser->contents);
    if (!contents) {
        error.cause = kInvalidElementContents;
        error.reason = contents.error().message;
        return error;
    }
    auto information = decodeUserInformation(*contents);
    if (!information) {
        error.cause = kInvalidElementContents;
        error.reason =
            fmt::format("{}: User-user: {}", q931::nameOf(type), information.error().message);
        return error;
    }
    if (!agrees(type, information->body)) {
        error.cause = kInvalidMessage;
        error.reason =
            fmt::format("{}: its User-user carries another message's body", q931::nameOf(type));
        return error;
    }
    // Kept apart from the other elements, as write() puts it back.
    std::erase_if(message.q931.elements,
                  [](const q931::Element& e) { return e.id == q931::element::userUser; });
    message.userInformation = std::move(*information);
    return message;
}

SignallingMessage releaseCompleteFor(const SignallingError& error) {
    SignallingMessage answer;
    answer.q931.type = q931::MessageType::releaseComplete;
    answer.q931.callReference = error.callReference.value_or(0);
    answer.q931.fromDestination = !error.fromDestination;
    answer.q931.set(q931::element::cause, q931::writeCause({error.cause, 0}));
    ReleaseComplete body;
    body.reason = ReleaseReason::undefinedReason;
    answer.userInformation = UserInformation{body, false, {}};
    return answer;
}

} // namespace sb::h323::h225
