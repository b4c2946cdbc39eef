// H.225.0 call signalling messages (Q.931 with H323-UserInformation in User-user): written and
// read as one, checked for agreement between the two, and bad input answered with the
// ReleaseComplete whose Q.850 cause says why — which tshark reads as we meant it.
#include "h323/h225/signalling.hpp"
#include "h323/q931/tpkt.hpp"
#include "support/tshark.hpp"

#include <gtest/gtest.h>

namespace sb::h323::h225 {
namespace {

SignallingMessage setup() {
    SignallingMessage m;
    m.q931.type = q931::MessageType::setup;
    m.q931.callReference = 0x0123;
    m.q931.set(q931::element::bearerCapability, q931::writeBearer({}));
    m.q931.set(q931::element::display, {'S', 'w', 'i', 't', 'c', 'h', 'b', 'o', 'a', 'r', 'd'});
    m.q931.set(q931::element::calledPartyNumber, q931::writePartyNumber({0, 1, "2002"}));
    Setup body;
    body.destinationAddress = {DialedDigits{"2002"}};
    body.callIdentifier[0] = 0x40;
    m.userInformation = UserInformation{body, true, {}};
    return m;
}

SignallingError refusal(std::span<const std::uint8_t> bytes) {
    auto read = h225::read(bytes);
    if (auto* error = std::get_if<SignallingError>(&read)) return *error;
    return {0, "accepted", std::nullopt, false};
}

TEST(Signalling, AMessageReadsBackWithItsElementsAndBody) {
    const auto bytes = write(setup());
    auto read = h225::read(bytes);
    ASSERT_TRUE(std::holds_alternative<SignallingMessage>(read))
        << std::get<SignallingError>(read).reason;
    const auto& back = std::get<SignallingMessage>(read);
    EXPECT_EQ(back.q931.callReference, 0x0123);
    EXPECT_EQ(back.q931.elements.size(), 3u) << "User-user is kept apart";
    EXPECT_EQ(back.userInformation, setup().userInformation);
    EXPECT_EQ(write(back), bytes);
}

TEST(Signalling, BadInputIsAnsweredWithTheCauseThatSaysWhy) {
    auto noUserUser = setup();
    noUserUser.userInformation.reset();
    auto error = refusal(write(noUserUser));
    EXPECT_EQ(error.cause, 96);
    EXPECT_EQ(error.reason, "Setup: no User-user element");
    EXPECT_EQ(error.callReference, 0x0123);

    auto mismatched = setup();
    mismatched.q931.type = q931::MessageType::connect;
    error = refusal(write(mismatched));
    EXPECT_EQ(error.cause, 95);
    EXPECT_EQ(error.reason, "Connect: its User-user carries another message's body");

    auto truncated = setup();
    auto bytes = write(truncated);
    // The User-user element is last: cut its PER short and mend the element's length.
    const auto uuAt = bytes.size() - (encode(*truncated.userInformation).size() + 4);
    ASSERT_EQ(bytes[uuAt], q931::element::userUser);
    const std::size_t cut = 6;
    const auto length = ((bytes[uuAt + 1] << 8) | bytes[uuAt + 2]) - cut;
    bytes[uuAt + 1] = static_cast<std::uint8_t>(length >> 8);
    bytes[uuAt + 2] = static_cast<std::uint8_t>(length & 0xFF);
    bytes.resize(bytes.size() - cut);
    error = refusal(bytes);
    EXPECT_EQ(error.cause, 100);
    EXPECT_EQ(error.reason.substr(0, 35), "Setup: User-user: h323-uu-pdu.setup");

    bytes = write(setup());
    bytes[4] = 0x6e; // a message type H.225.0 does not use (Notify)
    error = refusal(bytes);
    EXPECT_EQ(error.cause, 97);
    EXPECT_EQ(error.callReference, 0x0123);

    // A ReleaseComplete without User-user (a version-1 peer's) is taken.
    SignallingMessage release;
    release.q931.type = q931::MessageType::releaseComplete;
    release.q931.set(q931::element::cause, q931::writeCause({16, 0}));
    EXPECT_EQ(refusal(write(release)).reason, "accepted");
}

TEST(Signalling, TsharkReadsTheAnswerToARefusedSetup) {
    auto noUserUser = setup();
    noUserUser.userInformation.reset();
    const auto answer = releaseCompleteFor(refusal(write(noUserUser)));
    const auto reading =
        test::readWithTshark({tpktFrame(write(answer))}, "-4 10.0.0.1,10.0.0.2 -T 1720,40000",
                             "q931.message_type q931.call_ref q931.call_ref_flag q931.cause_value "
                             "h225.h323_message_body h225.reason");
    EXPECT_EQ(reading.trouble, "");
    EXPECT_EQ(reading.malformed, "");
    EXPECT_EQ(reading.fields, "0x5a|0123|1|96|5|11\n");
}

} // namespace
} // namespace sb::h323::h225
