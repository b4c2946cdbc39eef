// An H.323 call between two of ours, each message written and read back as bytes between
// them: Fast Connect agreeing on the first codec both have, with early media at Alerting;
// H.245 tunnelled after it (DTMF as UserInputIndication); the H.245 path when fastStart is
// not offered; release with its Q.850 cause both ways; a call that needs H.245 and cannot
// tunnel it released with cause 79. Every message that passed is then read by tshark with
// nothing malformed.
#include "h323/call.hpp"
#include "h323/q931/tpkt.hpp"
#include "support/tshark.hpp"

#include <algorithm>
#include <deque>
#include <gtest/gtest.h>

namespace sb::h323 {
namespace {

h245::AudioCapability codec(h245::AudioCodec kind) {
    h245::AudioCapability c;
    c.codec = kind;
    return c;
}

struct Party {
    std::deque<std::vector<std::uint8_t>> outbox;
    std::vector<std::vector<std::uint8_t>> wire; // everything sent, for tshark
    std::optional<MediaPath> media;
    int offered = 0, alerting = 0, connected = 0;
    std::optional<std::uint8_t> released;
    std::vector<char> digits;
    std::vector<std::pair<h245::Session::Timer, std::uint16_t>> h245Timers; // as armed
    std::vector<bool> holds;                                                // held(), in order
    int h245Connects = 0; // connections to the peer's H.245 address asked for
    std::unique_ptr<Call> call;

    Party(Call::Direction direction, std::vector<h245::AudioCapability> codecs, std::uint8_t host,
          bool fastStart = true, bool tunnelling = true) {
        Call::Config config;
        config.direction = direction;
        config.callReference = 0x0042;
        config.callIdentifier[0] = 0x77;
        config.aliases = {h225::DialedDigits{host == 1 ? "1001" : "2002"}};
        config.media.codecs = std::move(codecs);
        config.media.rtp = {{10, 0, 0, host}, 40000};
        config.media.rtcp = {{10, 0, 0, host}, 40001};
        config.fastStart = fastStart;
        config.tunnelling = tunnelling;
        config.random = [host] { return 1000u * host; };
        Call::Events events;
        events.send = [this](const h225::SignallingMessage& m) {
            auto bytes = h225::write(m);
            wire.push_back(tpktFrame(bytes));
            outbox.push_back(std::move(bytes));
        };
        events.offered = [this](const h225::Setup&) { ++offered; };
        events.alerting = [this] { ++alerting; };
        events.media = [this](const MediaPath& path) { media = path; };
        events.connected = [this] { ++connected; };
        events.released = [this](std::uint8_t cause) { released = cause; };
        events.userInput = [this](const h245::UserInputIndication& u) {
            digits.push_back(u.signal);
        };
        events.held = [this](bool held) { holds.push_back(held); };
        events.connectH245 = [this](const h225::TransportAddress&) { ++h245Connects; };
        events.h245Timer = [this](h245::Session::Timer timer, std::uint16_t channel, auto) {
            h245Timers.emplace_back(timer, channel);
        };
        call = std::make_unique<Call>(std::move(config), std::move(events));
    }
};

// Delivers each side's messages to the other, as bytes read back, until both are quiet.
void pump(Party& a, Party& b) {
    for (int round = 0; round < 50 && (!a.outbox.empty() || !b.outbox.empty()); ++round) {
        for (auto [from, to] : {std::pair{&a, &b}, std::pair{&b, &a}}) {
            while (!from->outbox.empty()) {
                auto bytes = std::move(from->outbox.front());
                from->outbox.pop_front();
                auto read = h225::read(bytes);
                ASSERT_TRUE(std::holds_alternative<h225::SignallingMessage>(read))
                    << std::get<h225::SignallingError>(read).reason;
                to->call->receive(std::get<h225::SignallingMessage>(read));
            }
        }
    }
}

void expectTsharkReadsAll(const Party& a, const Party& b) {
    auto packets = a.wire;
    packets.insert(packets.end(), b.wire.begin(), b.wire.end());
    const auto reading =
        test::readWithTshark(packets, "-4 10.0.0.1,10.0.0.2 -T 40000,1720", "q931.message_type");
    EXPECT_EQ(reading.trouble, "");
    EXPECT_EQ(reading.malformed, "") << "tshark finds these malformed";
}

TEST(Call, FastConnectAgreesOnTheFirstSharedCodecWithEarlyMedia) {
    Party caller(Call::Direction::outgoing,
                 {codec(h245::AudioCodec::g729), codec(h245::AudioCodec::g711Alaw64k)}, 1);
    Party callee(Call::Direction::incoming,
                 {codec(h245::AudioCodec::g722_64k), codec(h245::AudioCodec::g711Alaw64k),
                  codec(h245::AudioCodec::g729)},
                 2);
    caller.call->place({h225::DialedDigits{"2002"}}, std::nullopt);
    pump(caller, callee);
    EXPECT_EQ(callee.offered, 1);
    EXPECT_FALSE(caller.media) << "no answer to fastStart yet";
    callee.call->alert();
    pump(caller, callee);
    EXPECT_EQ(caller.alerting, 1);
    // The callee's preference among what both have: G.711 A-law (it has no use for G.729 first).
    ASSERT_TRUE(caller.media && callee.media) << "early media at Alerting";
    EXPECT_EQ(caller.media->transmit.codec, h245::AudioCodec::g711Alaw64k);
    EXPECT_EQ(caller.media->remoteRtp, (h245::UnicastAddress{{10, 0, 0, 2}, 40000}));
    EXPECT_EQ(callee.media->transmit.codec, h245::AudioCodec::g711Alaw64k);
    EXPECT_EQ(callee.media->remoteRtp, (h245::UnicastAddress{{10, 0, 0, 1}, 40000}));

    callee.call->answer();
    pump(caller, callee);
    EXPECT_TRUE(caller.call->isConnected() && callee.call->isConnected());
    // H.245 runs tunnelled after Fast Connect: DTMF goes as UserInputIndication.
    caller.call->sendDigit('7', 160);
    pump(caller, callee);
    EXPECT_EQ(callee.digits, std::vector<char>{'7'});

    callee.call->release(17);
    pump(caller, callee);
    EXPECT_EQ(caller.released, 17);
    EXPECT_EQ(callee.released, 17);
    expectTsharkReadsAll(caller, callee);
}

TEST(Call, WithoutFastStartTheMediaIsAgreedByTunnelledH245) {
    Party caller(Call::Direction::outgoing, {codec(h245::AudioCodec::g711Ulaw64k)}, 1, false);
    Party callee(Call::Direction::incoming,
                 {codec(h245::AudioCodec::g722_64k), codec(h245::AudioCodec::g711Ulaw64k)}, 2);
    caller.call->place({h225::DialedDigits{"2002"}}, std::nullopt);
    pump(caller, callee);
    callee.call->answer();
    pump(caller, callee);
    ASSERT_TRUE(caller.media && callee.media);
    EXPECT_EQ(caller.media->transmit.codec, h245::AudioCodec::g711Ulaw64k);
    EXPECT_EQ(caller.media->remoteRtp, (h245::UnicastAddress{{10, 0, 0, 2}, 40000}));
    EXPECT_EQ(callee.media->transmit.codec, h245::AudioCodec::g711Ulaw64k)
        << "the only one the caller can receive";
    EXPECT_EQ(callee.media->remoteRtp, (h245::UnicastAddress{{10, 0, 0, 1}, 40000}));

    caller.call->release();
    pump(caller, callee);
    EXPECT_EQ(callee.released, 16);
    expectTsharkReadsAll(caller, callee);
}

// H.245's procedures wait for answers on timers the call's owner runs (T101, T106, T103): a
// timer that runs out after its answer came changes nothing; one whose procedure still waits
// releases the call (Q.850 102, recovery on timer expiry).
TEST(Call, AnH245ProcedureTheFarEndNeverAnswersReleasesTheCallOnItsTimer) {
    using Timer = h245::Session::Timer;
    Party caller(Call::Direction::outgoing, {codec(h245::AudioCodec::g711Ulaw64k)}, 1, false);
    Party callee(Call::Direction::incoming, {codec(h245::AudioCodec::g711Ulaw64k)}, 2);
    caller.call->place({h225::DialedDigits{"2002"}}, std::nullopt);
    pump(caller, callee);
    callee.call->answer();
    pump(caller, callee);
    ASSERT_TRUE(caller.media) << "the channels are open both ways";
    EXPECT_NE(std::find(caller.h245Timers.begin(), caller.h245Timers.end(),
                        std::pair{Timer::capabilities, std::uint16_t{0}}),
              caller.h245Timers.end());
    EXPECT_NE(std::find(caller.h245Timers.begin(), caller.h245Timers.end(),
                        std::pair{Timer::channel, std::uint16_t{1}}),
              caller.h245Timers.end());
    for (const auto& [timer, channel] : caller.h245Timers)
        caller.call->expireH245(timer, channel); // answered already: nothing happens
    EXPECT_FALSE(caller.released);

    Party silent(Call::Direction::outgoing, {codec(h245::AudioCodec::g711Ulaw64k)}, 1, false);
    Party deaf(Call::Direction::incoming, {codec(h245::AudioCodec::g711Ulaw64k)}, 2);
    silent.call->place({h225::DialedDigits{"2002"}}, std::nullopt);
    pump(silent, deaf);
    deaf.call->answer();
    // The Connect reaches the caller; nothing the callee says after it does.
    ASSERT_FALSE(deaf.outbox.empty());
    const auto connect = h225::read(deaf.outbox.front());
    silent.call->receive(std::get<h225::SignallingMessage>(connect));
    EXPECT_EQ(silent.connected, 1);
    ASSERT_FALSE(silent.h245Timers.empty());
    silent.call->expireH245(Timer::capabilities, 0);
    EXPECT_EQ(silent.released, 102);
}

// Either side holds the other with the empty capability set and resumes with its own (H.323
// §8.4.6); the other hears of each once.
TEST(Call, EitherSideHoldsAndResumesWithItsCapabilitySet) {
    Party caller(Call::Direction::outgoing, {codec(h245::AudioCodec::g711Ulaw64k)}, 1);
    Party callee(Call::Direction::incoming, {codec(h245::AudioCodec::g711Ulaw64k)}, 2);
    EXPECT_FALSE(caller.call->hold(true)) << "not up yet";
    caller.call->place({h225::DialedDigits{"2002"}}, std::nullopt);
    pump(caller, callee);
    callee.call->answer();
    pump(caller, callee);
    ASSERT_TRUE(caller.call->hold(true));
    pump(caller, callee);
    ASSERT_TRUE(callee.call->hold(true));
    ASSERT_TRUE(caller.call->hold(false));
    pump(caller, callee);
    EXPECT_EQ(callee.holds, (std::vector<bool>{true, false}));
    EXPECT_EQ(caller.holds, (std::vector<bool>{true}));
    EXPECT_FALSE(caller.released || callee.released);
    expectTsharkReadsAll(caller, callee);
}

// An escalation's tags (its trace id, …) go in the Setup and the answering side reads them.
TEST(Call, TheSetupCarriesTheCallersTags) {
    Party caller(Call::Direction::outgoing, {codec(h245::AudioCodec::g711Ulaw64k)}, 1);
    Party callee(Call::Direction::incoming, {codec(h245::AudioCodec::g711Ulaw64k)}, 2);
    const h225::Tags tags{{"Trace-ID", "4bf92f3577b34da6a3ce929d0e0e4736"}, {"Expert-ID", "e1"}};
    Call::Config config;
    config.tags = tags;
    config.media.codecs = {codec(h245::AudioCodec::g711Ulaw64k)};
    Call::Events events;
    events.send = [&](const h225::SignallingMessage& m) {
        caller.outbox.push_back(h225::write(m));
    };
    caller.call = std::make_unique<Call>(config, events);
    caller.call->place({h225::DialedDigits{"2002"}}, std::nullopt);
    pump(caller, callee);
    EXPECT_EQ(callee.offered, 1);
    EXPECT_EQ(callee.call->peerTags(), tags);
}

TEST(Call, ACallThatNeedsH245AndCannotTunnelItIsReleased) {
    Party caller(Call::Direction::outgoing, {codec(h245::AudioCodec::g711Ulaw64k)}, 1, false,
                 false);
    Party callee(Call::Direction::incoming, {codec(h245::AudioCodec::g711Ulaw64k)}, 2);
    caller.call->place({h225::DialedDigits{"2002"}}, std::nullopt);
    pump(caller, callee);
    callee.call->answer();
    pump(caller, callee);
    EXPECT_EQ(callee.released, 79) << "service or option not implemented: a separate H.245";
    EXPECT_EQ(caller.released, 79);
    EXPECT_FALSE(caller.media);
}

TEST(Call, AStatusEnquiryIsAnsweredWithTheCallState) {
    Party callee(Call::Direction::incoming, {codec(h245::AudioCodec::g711Ulaw64k)}, 2);
    h225::SignallingMessage enquiry;
    enquiry.q931.type = q931::MessageType::statusEnquiry;
    enquiry.q931.callReference = 0x0042;
    enquiry.userInformation = h225::UserInformation{h225::StatusInquiry{}, false, {}};
    callee.call->receive(enquiry);
    ASSERT_EQ(callee.outbox.size(), 1u);
    auto read = h225::read(callee.outbox.front());
    const auto& status = std::get<h225::SignallingMessage>(read);
    EXPECT_EQ(status.q931.type, q931::MessageType::status);
    EXPECT_EQ(q931::readCause(status.q931.find(q931::element::cause)->contents)->value, 30);
}

} // namespace
} // namespace sb::h323

namespace sb::h323 {
namespace {

TEST(Call, ThePlacingSidesTimersReleaseACallThatIsNotAnswered) {
    Party caller(Call::Direction::outgoing, {codec(h245::AudioCodec::g711Ulaw64k)}, 1);
    caller.call->place({h225::DialedDigits{"2002"}}, std::nullopt);
    ASSERT_TRUE(caller.call->timer());
    EXPECT_EQ(caller.call->timer()->first, Call::Timer::t303);
    caller.call->expire(Call::Timer::t301); // not the one running: nothing
    EXPECT_FALSE(caller.released);
    caller.call->expire(Call::Timer::t303);
    EXPECT_EQ(caller.released, 102) << "recovery on timer expiry";
    EXPECT_EQ(h225::read(caller.outbox.back()).index(), 0u);
    EXPECT_FALSE(caller.call->timer());

    Party again(Call::Direction::outgoing, {codec(h245::AudioCodec::g711Ulaw64k)}, 1);
    Party callee(Call::Direction::incoming, {codec(h245::AudioCodec::g711Ulaw64k)}, 2);
    again.call->place({h225::DialedDigits{"2002"}}, std::nullopt);
    pump(again, callee);
    EXPECT_EQ(again.call->timer()->first, Call::Timer::t310) << "CallProceeding came";
    callee.call->alert();
    pump(again, callee);
    EXPECT_EQ(again.call->timer()->first, Call::Timer::t301) << "Alerting came";
    again.call->expire(Call::Timer::t301);
    pump(again, callee);
    EXPECT_EQ(again.released, 19) << "no answer";
    EXPECT_EQ(callee.released, 19);
}

// The caller places the call, the callee answers it.
void connect(Party& caller, Party& callee) {
    caller.call->place({h225::DialedDigits{"2002"}}, std::nullopt);
    pump(caller, callee);
    callee.call->answer();
    pump(caller, callee);
}

// A message from the callee, as the caller's call takes it.
h225::SignallingMessage fromCallee(q931::MessageType type, h225::MessageBody body) {
    h225::SignallingMessage m;
    m.q931.type = type;
    m.q931.callReference = 0x0042;
    m.q931.fromDestination = true;
    m.userInformation = h225::UserInformation{std::move(body), true, {}};
    return m;
}

// After the Connect, the callee's CallProceeding, Alerting or Progress arms no timer of the
// placing side (a connected call is not released 30 s or 3 min later): out of state, the first
// two are answered with Status 101 (Q.931 §5.8.4), and the call goes on.
TEST(Call, AnAnswerBeforeConnectComingAfterItLeavesTheCallUp) {
    Party caller(Call::Direction::outgoing, {codec(h245::AudioCodec::g711Ulaw64k)}, 1);
    Party callee(Call::Direction::incoming, {codec(h245::AudioCodec::g711Ulaw64k)}, 2);
    connect(caller, callee);
    ASSERT_EQ(caller.connected, 1);
    const std::pair<q931::MessageType, h225::MessageBody> late[] = {
        {q931::MessageType::progress, h225::Progress{}},
        {q931::MessageType::callProceeding, h225::CallProceeding{}},
        {q931::MessageType::alerting, h225::Alerting{}}};
    for (const auto& [type, body] : late) {
        caller.outbox.clear();
        caller.call->receive(fromCallee(type, body));
        EXPECT_FALSE(caller.call->timer()) << "after " << static_cast<int>(type);
        if (type != q931::MessageType::progress) {
            ASSERT_EQ(caller.outbox.size(), 1u);
            const auto status = std::get<h225::SignallingMessage>(h225::read(caller.outbox[0]));
            EXPECT_EQ(status.q931.type, q931::MessageType::status);
            EXPECT_EQ(q931::readCause(status.q931.find(q931::element::cause)->contents)->value,
                      101);
        }
    }
    EXPECT_FALSE(caller.released);
    EXPECT_TRUE(caller.call->isConnected());
}

// Connected, a call whose audio is never agreed (here: no codec in common) is released when
// Config::mediaWait runs out; one whose audio is agreed runs no such timer.
TEST(Call, ACallConnectedWithoutAudioIsReleasedWhenItsWaitRunsOut) {
    Party caller(Call::Direction::outgoing, {codec(h245::AudioCodec::g711Ulaw64k)}, 1, false);
    Party callee(Call::Direction::incoming, {codec(h245::AudioCodec::g722_64k)}, 2);
    caller.call->place({h225::DialedDigits{"2002"}}, std::nullopt);
    pump(caller, callee);
    callee.call->answer();
    pump(caller, callee);
    ASSERT_EQ(caller.connected, 1);
    EXPECT_FALSE(caller.media || callee.media);
    ASSERT_TRUE(caller.call->timer() && callee.call->timer());
    EXPECT_EQ(caller.call->timer()->first, Call::Timer::media);
    EXPECT_EQ(callee.call->timer()->first, Call::Timer::media);
    callee.call->expire(Call::Timer::media);
    pump(caller, callee);
    EXPECT_EQ(callee.released, 102) << "recovery on timer expiry";
    EXPECT_EQ(caller.released, 102);

    Party a(Call::Direction::outgoing, {codec(h245::AudioCodec::g711Ulaw64k)}, 1);
    Party b(Call::Direction::incoming, {codec(h245::AudioCodec::g711Ulaw64k)}, 2);
    a.call->place({h225::DialedDigits{"2002"}}, std::nullopt);
    pump(a, b);
    b.call->answer();
    pump(a, b);
    ASSERT_TRUE(a.media && b.media);
    EXPECT_FALSE(a.call->timer());
    EXPECT_FALSE(b.call->timer());
    b.call->expire(Call::Timer::media); // one armed before the audio was agreed: nothing
    EXPECT_FALSE(b.released);
}

// H.323 §8.5: a peer that ends the H.245 session (EndSessionCommand, here tunnelled in a
// Facility with nothing else) ends the call: our ReleaseComplete follows.
TEST(Call, ThePeersEndSessionCommandReleasesTheCall) {
    Party caller(Call::Direction::outgoing, {codec(h245::AudioCodec::g711Ulaw64k)}, 1);
    Party callee(Call::Direction::incoming, {codec(h245::AudioCodec::g711Ulaw64k)}, 2);
    connect(caller, callee);
    ASSERT_TRUE(caller.media);
    auto facility = fromCallee(q931::MessageType::facility, h225::Empty{});
    facility.userInformation->h245Control = {h245::encode(h245::EndSessionCommand{})};
    caller.call->receive(facility);
    EXPECT_EQ(caller.released, 16);
    const auto last = h225::read(caller.outbox.back());
    ASSERT_TRUE(std::holds_alternative<h225::SignallingMessage>(last));
    EXPECT_EQ(std::get<h225::SignallingMessage>(last).q931.type,
              q931::MessageType::releaseComplete);
}

// A caller that does not tunnel asks for H.245 on its own connection before we answer
// (Facility startH245): the connection waits for our answer, when our codecs are known, rather
// than starting a session whose empty capability set would be a hold; then it is made however
// we answer (alerting, early media by Progress, or the Connect at once), with fastStart or not.
TEST(Call, ACallersEarlySeparateH245WaitsForTheAnswer) {
    enum class Answer { alert, progress, connect };
    for (const bool fastStart : {false, true}) {
        for (const auto how : {Answer::alert, Answer::progress, Answer::connect}) {
            if (how == Answer::progress && !fastStart) continue; // no early media without it
            Party caller(Call::Direction::outgoing, {codec(h245::AudioCodec::g711Ulaw64k)}, 1,
                         fastStart, false);
            Party callee(Call::Direction::incoming, {codec(h245::AudioCodec::g711Ulaw64k)}, 2,
                         fastStart, false);
            caller.call->place({h225::DialedDigits{"2002"}}, std::nullopt);
            pump(caller, callee);
            ASSERT_EQ(callee.offered, 1);
            h225::SignallingMessage facility;
            facility.q931.type = q931::MessageType::facility;
            facility.q931.callReference = 0x0042;
            h225::Facility body;
            body.reason = h225::FacilityReason::startH245;
            body.h245Address = h225::TransportAddress{{10, 0, 0, 1}, 30000};
            facility.userInformation = h225::UserInformation{body, false, {}};
            callee.call->receive(facility);
            EXPECT_EQ(callee.h245Connects, 0) << "no session before our codecs are known";
            if (how == Answer::alert) {
                callee.call->alert();
            } else if (how == Answer::progress) {
                EXPECT_TRUE(callee.call->progress());
            } else {
                callee.call->answer();
            }
            EXPECT_EQ(callee.h245Connects, 1)
                << "fastStart " << fastStart << ", answer " << static_cast<int>(how);
        }
    }
}

// A caller that tunnels H.245 from its Setup, before the owner has given the answering call
// its codecs (it routes the call first): the answer's capability set is the codecs given
// then, not the empty set, which H.323 §8.4.6 reads as a hold.
TEST(Call, ACallersEarlyH245WaitsForTheAnswersCodecs) {
    Party caller(Call::Direction::outgoing, {codec(h245::AudioCodec::g711Ulaw64k)}, 1, false);
    Party callee(Call::Direction::incoming, {}, 2, false);
    caller.call->place({h225::DialedDigits{"2002"}}, std::nullopt);
    ASSERT_FALSE(caller.outbox.empty());
    auto setup = std::get<h225::SignallingMessage>(h225::read(caller.outbox.front()));
    caller.outbox.pop_front();
    h245::TerminalCapabilitySet theirs;
    h245::Capability ulaw;
    ulaw.audio = codec(h245::AudioCodec::g711Ulaw64k);
    theirs.table.push_back({1, ulaw});
    theirs.descriptors.push_back({0, {{1}}});
    setup.userInformation->h245Control = {h245::encode(theirs)};
    callee.call->receive(setup);
    EXPECT_EQ(callee.offered, 1);

    LocalMedia media;
    media.codecs = {codec(h245::AudioCodec::g711Ulaw64k)};
    media.rtp = {{10, 0, 0, 2}, 40000};
    media.rtcp = {{10, 0, 0, 2}, 40001};
    callee.call->setLocalMedia(media);
    callee.call->alert();
    std::optional<h245::TerminalCapabilitySet> first;
    for (const auto& bytes : callee.outbox) {
        const auto m = std::get<h225::SignallingMessage>(h225::read(bytes));
        for (const auto& control : m.userInformation->h245Control)
            if (auto h = h245::decode(control); h && !first)
                if (const auto* tcs = std::get_if<h245::TerminalCapabilitySet>(&*h)) first = *tcs;
    }
    ASSERT_TRUE(first) << "H.245 starts once the codecs are known";
    EXPECT_FALSE(first->empty()) << "not a hold";
    EXPECT_EQ(first->table.size(), 1u);
}

} // namespace
} // namespace sb::h323
