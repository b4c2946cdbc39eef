// The H.245 control procedures, two sessions talking to each other through queues (as they
// would over a tunnel or a TCP connection): master-slave determination in its three flows,
// capability exchange with hold, logical channels opened, refused, closed and closed on
// request, user input, round-trip delay, the end of the session, the requests an audio endpoint
// refuses, a request for our capabilities again, and unknown requests answered with
// FunctionNotUnderstood or FunctionNotSupported.
#include "h323/h245/session.hpp"
#include "h323/per/encoder.hpp"
#include "support/h245_requests.hpp"

#include <deque>
#include <gtest/gtest.h>

namespace sb::h323::h245 {
namespace {

TerminalCapabilitySet ours() {
    TerminalCapabilitySet set;
    Capability g711;
    g711.audio.codec = AudioCodec::g711Alaw64k;
    set.table.push_back({1, g711});
    set.descriptors.push_back({0, {{1}}});
    return set;
}

struct Side {
    std::deque<std::vector<std::uint8_t>> outbox;
    std::vector<std::uint32_t> numbers{1000};
    std::size_t next = 0;
    std::optional<bool> master;
    std::vector<TerminalCapabilitySet> capabilities;
    std::vector<OpenLogicalChannel> openRequests;
    std::vector<std::pair<std::uint16_t, H2250AckParameters>> opened;
    std::vector<std::pair<std::uint16_t, OpenLogicalChannelReject::Cause>> rejected;
    std::vector<std::uint16_t> closed;
    std::vector<UserInputIndication> input;
    int roundTrips = 0, ended = 0;
    std::vector<std::string> failures;
    std::unique_ptr<Session> session;

    explicit Side(std::uint8_t terminalType, std::vector<std::uint32_t> randoms = {1000}) {
        numbers = std::move(randoms);
        Session::Config config;
        config.terminalType = terminalType;
        config.random = [this] { return numbers[std::min(next++, numbers.size() - 1)]; };
        config.capabilities = ours();
        Session::Events events;
        events.send = [this](std::vector<std::uint8_t> bytes) {
            outbox.push_back(std::move(bytes));
        };
        events.determined = [this](bool m) { master = m; };
        events.capabilities = [this](const TerminalCapabilitySet& s) { capabilities.push_back(s); };
        events.openRequested = [this](const OpenLogicalChannel& m) { openRequests.push_back(m); };
        events.opened = [this](std::uint16_t n, const H2250AckParameters& a) {
            opened.emplace_back(n, a);
        };
        events.rejected = [this](std::uint16_t n, OpenLogicalChannelReject::Cause c) {
            rejected.emplace_back(n, c);
        };
        events.closed = [this](std::uint16_t n) { closed.push_back(n); };
        events.userInput = [this](const UserInputIndication& u) { input.push_back(u); };
        events.roundTrip = [this](std::chrono::steady_clock::duration) { ++roundTrips; };
        events.ended = [this] { ++ended; };
        events.failed = [this](std::string why) { failures.push_back(std::move(why)); };
        session = std::make_unique<Session>(std::move(config), std::move(events));
    }
};

// Delivers what each side sent to the other until neither has anything left (bounded).
void pump(Side& a, Side& b) {
    for (int round = 0; round < 100 && (!a.outbox.empty() || !b.outbox.empty()); ++round) {
        while (!a.outbox.empty()) {
            auto bytes = std::move(a.outbox.front());
            a.outbox.pop_front();
            b.session->receive(bytes);
        }
        while (!b.outbox.empty()) {
            auto bytes = std::move(b.outbox.front());
            b.outbox.pop_front();
            a.session->receive(bytes);
        }
    }
}

TEST(H245Session, BothStartingDecideOppositeRolesAndExchangeCapabilities) {
    Side a(60, {1000}), b(60, {5000});
    a.session->start();
    b.session->start();
    pump(a, b);
    ASSERT_TRUE(a.master && b.master);
    EXPECT_NE(*a.master, *b.master);
    // 5000 is less than 2^23 past 1000: the side holding 1000 is master (§C.2.2).
    EXPECT_TRUE(*a.master);
    EXPECT_TRUE(a.session->capabilitiesAcknowledged());
    EXPECT_TRUE(b.session->capabilitiesAcknowledged());
    ASSERT_EQ(a.capabilities.size(), 1u);
    EXPECT_EQ(a.capabilities[0].table, ours().table);
    EXPECT_TRUE(a.failures.empty() && b.failures.empty());
}

TEST(H245Session, TheHigherTerminalTypeIsMasterWhoeverStarts) {
    Side gateway(60), mc(190);
    gateway.session->start(); // only one side starts: the other answers (§C.2.3)
    pump(gateway, mc);
    EXPECT_EQ(gateway.master, false);
    EXPECT_EQ(mc.master, true);
}

TEST(H245Session, IdenticalNumbersAreDrawnAgainThenGiveUp) {
    Side a(60, {7, 7, 9}), b(60, {7, 7, 3});
    a.session->start();
    b.session->start();
    pump(a, b);
    ASSERT_TRUE(a.master && b.master) << "decided on the third draw";
    EXPECT_NE(*a.master, *b.master);

    Side c(60, {7}), d(60, {7}); // never apart: N100 retries, then the call clears
    c.session->start();
    d.session->start();
    pump(c, d);
    EXPECT_FALSE(c.master);
    EXPECT_EQ(c.failures, std::vector<std::string>{
                              "master-slave determination: identical numbers, retries spent"});
}

TEST(H245Session, ChannelsOpenCloseAndCloseOnRequest) {
    Side a(60, {1000}), b(60, {5000});
    a.session->start();
    b.session->start();
    pump(a, b);

    DataType audio;
    audio.audio.codec = AudioCodec::g711Alaw64k;
    H2250Parameters parameters;
    parameters.mediaControlChannel = UnicastAddress{{10, 0, 0, 1}, 40001};
    const auto number = a.session->open(audio, parameters);
    pump(a, b);
    ASSERT_EQ(b.openRequests.size(), 1u);
    EXPECT_EQ(b.openRequests[0].number, number);
    H2250AckParameters ack;
    ack.mediaChannel = UnicastAddress{{10, 0, 0, 2}, 50000};
    ack.mediaControlChannel = UnicastAddress{{10, 0, 0, 2}, 50001};
    b.session->accept(number, ack);
    pump(a, b);
    ASSERT_EQ(a.opened.size(), 1u);
    EXPECT_EQ(a.opened[0].second.mediaChannel, ack.mediaChannel);

    // b asks a to close it (RequestChannelClose): a closes, and both hear of it.
    b.session->close(number); // not b's to close: ignored
    EXPECT_TRUE(b.outbox.empty());
    b.outbox.push_back(encode(RequestChannelClose{number}));
    pump(a, b);
    EXPECT_EQ(a.closed, std::vector<std::uint16_t>{number});
    EXPECT_EQ(b.closed, std::vector<std::uint16_t>{number});

    // A second channel refused by the call.
    const auto second = a.session->open(audio, parameters);
    pump(a, b);
    b.session->reject(second, OpenLogicalChannelReject::Cause::dataTypeNotAvailable);
    pump(a, b);
    EXPECT_EQ(a.rejected, (std::vector<std::pair<std::uint16_t, OpenLogicalChannelReject::Cause>>{
                              {second, OpenLogicalChannelReject::Cause::dataTypeNotAvailable}}));

    // A channel that is not audio (here, no data at all) is refused by the session itself.
    OpenLogicalChannel notAudio;
    notAudio.number = 77;
    notAudio.forward.dataType.kind = DataType::Kind::null;
    b.session->receive(encode(notAudio));
    ASSERT_EQ(b.outbox.size(), 1u);
    EXPECT_EQ(decode(b.outbox.front()).value(),
              Message(OpenLogicalChannelReject{
                  77, OpenLogicalChannelReject::Cause::dataTypeNotSupported}));
    EXPECT_EQ(b.openRequests.size(), 2u) << "a's two; the call was not asked about this one";
}

TEST(H245Session, HoldInputRoundTripAndTheEnd) {
    Side a(60, {1000}), b(60, {5000});
    a.session->start();
    b.session->start();
    pump(a, b);
    a.session->sendCapabilities(TerminalCapabilitySet{}); // the empty set: hold
    pump(a, b);
    ASSERT_EQ(b.capabilities.size(), 2u);
    EXPECT_TRUE(b.capabilities.back().empty());
    a.session->sendCapabilities(ours()); // resume
    pump(a, b);
    EXPECT_FALSE(b.capabilities.back().empty());
    EXPECT_TRUE(a.session->capabilitiesAcknowledged());

    UserInputIndication digit;
    digit.signal = '5';
    digit.duration = 160;
    a.session->sendUserInput(digit);
    b.session->measureRoundTrip();
    pump(a, b);
    EXPECT_EQ(b.input, std::vector<UserInputIndication>{digit});
    EXPECT_EQ(b.roundTrips, 1);

    a.session->end();
    pump(a, b);
    EXPECT_EQ(b.ended, 1);
    EXPECT_EQ(a.ended, 1) << "b answered with its own EndSessionCommand";
    EXPECT_TRUE(b.session->ended());
    a.session->sendUserInput(digit); // nothing follows the end
    EXPECT_TRUE(a.outbox.empty());
}

TEST(H245Session, AnUnknownRequestComesBackNotUnderstood) {
    Side a(60);
    per::Encoder e; // genericRequest, an extension alternative
    e.choice(0, 4, true);
    e.choiceExtension(4);
    e.openTypeOctets(std::vector<std::uint8_t>{0x00, 0x06, 0x00, 0x08});
    a.session->receive(e.finish());
    ASSERT_EQ(a.outbox.size(), 1u);
    auto answer = decode(a.outbox.front());
    ASSERT_TRUE(answer);
    const auto& fnu = std::get<FunctionNotUnderstood>(*answer);
    EXPECT_EQ(std::get<Unknown>(*fnu.what()).index, 4u);

    a.session->receive(std::vector<std::uint8_t>{0x80});
    EXPECT_EQ(a.failures.size(), 1u) << "what cannot be read at all is reported";
}

// What the session sends back to one message, decoded (nothing: an empty optional).
std::optional<Message> answerTo(Side& side, std::span<const std::uint8_t> bytes) {
    side.session->receive(bytes);
    if (side.outbox.empty()) return std::nullopt;
    auto answer = decode(side.outbox.front());
    side.outbox.pop_front();
    EXPECT_TRUE(side.outbox.empty());
    EXPECT_TRUE(answer) << answer.error().message;
    return answer ? std::optional(*answer) : std::nullopt;
}

TEST(H245Session, RequestsAnAudioEndpointCannotGrantAreRefused) {
    Side a(60);
    EXPECT_EQ(answerTo(a, test::h245::multiplexEntrySend()),
              Message(MultiplexEntrySendReject{4, {1, 2}}));
    EXPECT_EQ(answerTo(a, test::h245::requestMultiplexEntry()),
              Message(RequestMultiplexEntryReject{{1, 3}}));
    EXPECT_EQ(answerTo(a, test::h245::requestMode()), Message(RequestModeReject{5}));
    EXPECT_EQ(answerTo(a, test::h245::maintenanceLoopRequest()),
              Message(MaintenanceLoopReject{{MaintenanceLoop::Kind::media, 101}}));
    // A root request we do not read goes back whole (H.245 §B.14: FunctionNotUnderstood
    // would need its value re-encoded).
    const auto nonStandard = test::h245::nonStandardRequest();
    EXPECT_EQ(
        answerTo(a, nonStandard),
        Message(FunctionNotSupported{FunctionNotSupported::Cause::unknownFunction, nonStandard}));
    // A flow control command asks nothing of fixed-rate audio: no answer.
    per::Encoder flowControl; // wholeMultiplex, noRestriction
    flowControl.choice(2, 4, true);
    flowControl.choice(4, 7, true);
    flowControl.bit(false);
    flowControl.choice(2, 3, false);
    flowControl.choice(1, 2, false);
    EXPECT_EQ(answerTo(a, flowControl.finish()), std::nullopt);
    EXPECT_TRUE(a.failures.empty());
}

TEST(H245Session, SendTerminalCapabilitySetGetsTheSetWeSentLastAgain) {
    Side a(60);
    a.session->start();
    TerminalCapabilitySet hold;
    a.session->sendCapabilities(hold);
    a.outbox.clear();
    auto again = answerTo(a, test::h245::sendTerminalCapabilitySet());
    ASSERT_TRUE(again);
    const auto& set = std::get<TerminalCapabilitySet>(*again);
    EXPECT_EQ(set.sequenceNumber, 3) << "numbered anew";
    EXPECT_TRUE(set.empty()) << "still on hold";
}

} // namespace
} // namespace sb::h323::h245

namespace sb::h323::h245 {
namespace {

TEST(H245Session, TimersThatRunOutClearTheCallOnlyWhileAnAnswerIsAwaited) {
    Side a(60, {1000}), b(60, {5000});
    a.session->start(); // nobody answers yet
    DataType audio;
    audio.audio.codec = AudioCodec::g711Ulaw64k;
    const auto channel = a.session->open(audio, {});
    a.session->expire(Session::Timer::determination);
    a.session->expire(Session::Timer::capabilities);
    a.session->expire(Session::Timer::channel, channel);
    EXPECT_EQ(a.failures, (std::vector<std::string>{"master-slave determination: no answer (T106)",
                                                    "capability exchange: no answer (T101)",
                                                    "logical channel 1: no answer (T103)"}));
    a.failures.clear();
    b.session->start();
    pump(a, b);
    a.session->expire(Session::Timer::determination);
    a.session->expire(Session::Timer::capabilities);
    EXPECT_TRUE(a.failures.empty()) << "answered: the timers are late, not failed";
}

} // namespace
} // namespace sb::h323::h245
