// Switchboard registered with a gatekeeper: discovery, registration and keep-alives, admission
// and disengage, unregistration, requests sent again and given up, a gatekeeper that lost us
// (a keep-alive refused: full registration again), and the gatekeeper's own IRQ, URQ and DRQ.
// The gatekeeper is our own rules (h323/gatekeeper) for the procedures, and on the wire the
// scripted Erlang peer (tests/interop/h323_peer.erl) acting as one.
#include "h323/gatekeeper.hpp"
#include "h323/gatekeeper_server.hpp"
#include "h323/ras_client.hpp"
#include "h323/ras_endpoint.hpp"
#include "support/command_output.hpp"
#include "support/h323_peer.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <thread>
#include <unistd.h>

namespace sb::h323 {
namespace {

using namespace ras;
using Clock = RasClient::Clock;

const TransportAddress kOurs{{10, 0, 0, 1}, 1720}, kOurRas{{10, 0, 0, 1}, 1719},
    kBob{{10, 0, 0, 2}, 1720};

struct Harness {
    Gatekeeper gatekeeper{Gatekeeper::Config{u"switchboard", {{10, 0, 0, 9}, 1719}, 60}};
    std::deque<std::vector<std::uint8_t>> toGatekeeper;
    std::optional<Identifier> registered;
    std::vector<std::string> lost;
    std::vector<Guid> dropped;
    Clock::time_point now = Clock::now();
    bool gatekeeperAnswers = true;
    std::unique_ptr<RasClient> client;

    Harness() {
        RasClient::Config config;
        config.aliases = {h225::H323Id{u"switchboard"}, h225::DialedDigits{"1001"}};
        config.callSignalAddress = kOurs;
        config.rasAddress = kOurRas;
        config.timeToLive = 60;
        RasClient::Events events;
        events.send = [this](std::vector<std::uint8_t> bytes) {
            toGatekeeper.push_back(std::move(bytes));
        };
        events.registered = [this](const Identifier& id) { registered = id; };
        events.unregistered = [this](std::string why) { lost.push_back(std::move(why)); };
        events.dropped = [this](const Guid& call) { dropped.push_back(call); };
        client = std::make_unique<RasClient>(std::move(config), std::move(events));
    }
    // Delivers what the client sent to the gatekeeper and its answers back.
    void pump() {
        for (int round = 0; round < 20 && !toGatekeeper.empty(); ++round) {
            auto bytes = std::move(toGatekeeper.front());
            toGatekeeper.pop_front();
            if (!gatekeeperAnswers) continue;
            auto message = decode(bytes);
            ASSERT_TRUE(message) << message.error().message;
            if (auto answer = gatekeeper.handle(*message, now))
                client->receive(encode(*answer), now);
        }
    }
    void advance(std::chrono::seconds by) {
        now += by;
        client->tick(now);
        pump();
    }
};

TEST(RasClient, DiscoversRegistersKeepsAliveIsAdmittedAndUnregisters) {
    Harness h;
    h.client->start(h.now);
    h.pump();
    ASSERT_TRUE(h.registered);
    EXPECT_EQ(h.client->grantedTimeToLive(), 60u);
    EXPECT_EQ(h.gatekeeper.registrations().size(), 1u);

    // Keep-alives at 80% of the time to live hold the registration past it.
    for (int i = 0; i < 5; ++i)
        h.advance(std::chrono::seconds(48));
    h.gatekeeper.expire(h.now);
    EXPECT_TRUE(h.gatekeeper.registrations().contains(*h.registered));

    RegistrationRequest bob; // another endpoint, to call
    bob.callSignalAddress = {kBob};
    bob.terminalAlias = {h225::DialedDigits{"2002"}};
    (void)h.gatekeeper.handle(bob, h.now);

    Guid call{};
    call[0] = 7;
    std::optional<RasClient::Admission> admitted, refused;
    h.client->admit(
        call, 0x0101, call, {h225::DialedDigits{"2002"}}, {}, false, 1280,
        [&](const RasClient::Admission& a) { admitted = a; }, h.now);
    Guid other = call;
    other[0] = 8;
    h.client->admit(
        other, 0x0102, other, {h225::DialedDigits{"9999"}}, {}, false, 1280,
        [&](const RasClient::Admission& a) { refused = a; }, h.now);
    h.pump();
    ASSERT_TRUE(admitted && refused);
    EXPECT_TRUE(admitted->admitted);
    EXPECT_EQ(admitted->destination, kBob);
    EXPECT_EQ(refused->reason, AdmissionRejectReason::calledPartyNotRegistered);
    EXPECT_EQ(h.gatekeeper.calls(), 1u);
    EXPECT_EQ(h.gatekeeper.bandwidthInUse(), 1280u);
    h.client->changeBandwidth(call, 0x0101, call, false, 160, h.now); // G.729 agreed
    h.pump();
    EXPECT_EQ(h.gatekeeper.bandwidthInUse(), 160u);
    h.client->disengage(call, 0x0101, call, false, h.now);
    h.pump();
    EXPECT_EQ(h.gatekeeper.calls(), 0u);

    h.client->unregister(h.now);
    h.pump();
    EXPECT_FALSE(h.client->isRegistered());
    EXPECT_EQ(h.lost, std::vector<std::string>{"unregistered"});
    EXPECT_EQ(h.gatekeeper.registrations().size(), 1u) << "bob's remains";
}

TEST(RasClient, SendsAgainTwiceThenGivesUp) {
    Harness h;
    h.gatekeeperAnswers = false;
    h.client->start(h.now);
    EXPECT_EQ(h.toGatekeeper.size(), 1u);
    h.pump();
    h.advance(std::chrono::seconds(3));
    h.advance(std::chrono::seconds(3));
    EXPECT_TRUE(h.lost.empty());
    h.advance(std::chrono::seconds(3));
    EXPECT_EQ(h.lost, std::vector<std::string>{"the gatekeeper does not answer"});
    EXPECT_FALSE(h.client->nextDeadline());
}

// The gatekeeper falls silent while we ask admission: after three tries the call is told that
// no answer came; when the gatekeeper's confirmation comes after all, the call it admitted is
// disengaged at once, so that it does not keep a call we do not have.
TEST(RasClient, AnAdmissionUnansweredIsGivenUpAndDisengagedIfConfirmedLate) {
    Harness h;
    h.client->start(h.now);
    h.pump();
    RegistrationRequest bob;
    bob.callSignalAddress = {kBob};
    bob.terminalAlias = {h225::DialedDigits{"2002"}};
    (void)h.gatekeeper.handle(bob, h.now);

    Guid call{};
    call[0] = 9;
    std::optional<RasClient::Admission> outcome;
    h.client->admit(
        call, 0x0103, call, {h225::DialedDigits{"2002"}}, {}, false, 1280,
        [&](const RasClient::Admission& a) { outcome = a; }, h.now);
    const auto arq = h.toGatekeeper.back(); // it reaches the gatekeeper only later
    h.gatekeeperAnswers = false;
    for (int i = 0; i < 3; ++i)
        h.advance(std::chrono::seconds(3));
    ASSERT_TRUE(outcome);
    EXPECT_FALSE(outcome->admitted);
    EXPECT_TRUE(outcome->unanswered);
    EXPECT_FALSE(outcome->reason);

    h.gatekeeperAnswers = true;
    const auto late = h.gatekeeper.handle(*decode(arq), h.now);
    ASSERT_TRUE(late && std::holds_alternative<AdmissionConfirm>(*late));
    EXPECT_EQ(h.gatekeeper.calls(), 1u);
    h.client->receive(encode(*late), h.now);
    h.pump();
    EXPECT_EQ(h.gatekeeper.calls(), 0u) << "the late admission is disengaged";
    EXPECT_EQ(h.gatekeeper.bandwidthInUse(), 0u);
}

TEST(RasClient, AGatekeeperThatLostUsGetsAFullRegistration) {
    Harness h;
    h.client->start(h.now);
    h.pump();
    const auto first = *h.registered;
    h.gatekeeper.expire(h.now + std::chrono::hours(1)); // as if it had restarted
    h.advance(std::chrono::seconds(48));                // the keep-alive is refused…
    EXPECT_TRUE(h.client->isRegistered()) << "…and a full RRQ registers again";
    EXPECT_NE(*h.client->endpointIdentifier(), first);
    EXPECT_TRUE(h.lost.empty());
}

TEST(RasClient, AnAnswerOfTheWrongKindIsNotTakenAndAnUnknownMessageResponseEndsTheRequest) {
    Harness h;
    h.client->start(h.now);
    h.pump();
    const auto first = *h.registered;
    Guid call{};
    call[0] = 5;
    std::optional<RasClient::Admission> outcome;
    h.client->admit(
        call, 0x0104, call, {h225::DialedDigits{"2002"}}, {}, false, 1280,
        [&](const RasClient::Admission& a) { outcome = a; }, h.now);
    const auto seq = std::get<AdmissionRequest>(*decode(h.toGatekeeper.back())).requestSeqNum;
    h.toGatekeeper.clear();
    // A confirm of another request with the ARQ's number (a spoof): the ARQ still waits.
    h.client->receive(encode(UnregistrationConfirm{seq}), h.now);
    EXPECT_FALSE(outcome);
    EXPECT_TRUE(h.client->isRegistered());
    // The gatekeeper did not understand it: the call hears so now, not after its retries.
    h.client->receive(encode(UnknownMessageResponse{seq, {}}), h.now);
    ASSERT_TRUE(outcome);
    EXPECT_TRUE(outcome->unanswered);
    EXPECT_FALSE(h.client->nextDeadline() &&
                 *h.client->nextDeadline() <= h.now + std::chrono::seconds(3))
        << "no retry of the ARQ";

    // ARJ callerNotRegistered: the gatekeeper lost us; a full registration at once.
    h.gatekeeper.expire(h.now + std::chrono::hours(1));
    std::optional<RasClient::Admission> refused;
    h.client->admit(
        call, 0x0105, call, {h225::DialedDigits{"2002"}}, {}, false, 1280,
        [&](const RasClient::Admission& a) { refused = a; }, h.now);
    h.pump();
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->reason, AdmissionRejectReason::callerNotRegistered);
    EXPECT_TRUE(h.client->isRegistered());
    EXPECT_NE(*h.client->endpointIdentifier(), first);
    EXPECT_EQ(h.gatekeeper.registrations().size(), 1u);
}

TEST(RasClient, AnswersTheGatekeepersOwnRequests) {
    Harness h;
    h.client->start(h.now);
    h.pump();
    h.toGatekeeper.clear();

    InfoRequest irq;
    irq.requestSeqNum = 900;
    h.client->receive(encode(irq), h.now);
    ASSERT_EQ(h.toGatekeeper.size(), 1u);
    const auto irr = std::get<InfoRequestResponse>(decode(h.toGatekeeper.back()).value());
    EXPECT_EQ(irr.requestSeqNum, 900);
    EXPECT_EQ(irr.endpointIdentifier, *h.registered);

    DisengageRequest drq;
    drq.requestSeqNum = 901;
    drq.callIdentifier[0] = 9;
    drq.disengageReason = DisengageReason::forcedDrop;
    h.client->receive(encode(drq), h.now);
    EXPECT_EQ(std::get<DisengageConfirm>(decode(h.toGatekeeper.back()).value()).requestSeqNum, 901);
    ASSERT_EQ(h.dropped.size(), 1u);
    EXPECT_EQ(h.dropped[0][0], 9);

    UnregistrationRequest urq;
    urq.requestSeqNum = 902;
    urq.endpointIdentifier = u"someone-else"; // not ours: refused, we stay registered
    h.client->receive(encode(urq), h.now);
    EXPECT_EQ(std::get<UnregistrationReject>(decode(h.toGatekeeper.back()).value()).rejectReason,
              UnregistrationRejectReason::notCurrentlyRegistered);
    EXPECT_TRUE(h.client->isRegistered());
    urq.endpointIdentifier.reset();
    h.client->receive(encode(urq), h.now);
    EXPECT_EQ(std::get<UnregistrationConfirm>(decode(h.toGatekeeper.back()).value()).requestSeqNum,
              902);
    EXPECT_FALSE(h.client->isRegistered());
    EXPECT_EQ(h.lost, std::vector<std::string>{"the gatekeeper withdrew the registration"});

    // What the client cannot read is answered with its sequence number.
    auto rcf = encode(RegistrationConfirm{});
    rcf.resize(4);
    h.client->receive(rcf, h.now);
    EXPECT_TRUE(
        std::holds_alternative<UnknownMessageResponse>(decode(h.toGatekeeper.back()).value()));
}

// Only the gatekeeper's datagrams are taken: another host's request (here an IRQ from
// 127.0.0.2) gets no answer, the gatekeeper's the same one does.
TEST(RasEndpoint, TakesDatagramsFromItsGatekeeperOnly) {
    asio::io_context context;
    asio::ip::udp::socket gatekeeper(context, {asio::ip::make_address("127.0.0.1"), 0});
    asio::ip::udp::socket stranger(context, {asio::ip::make_address("127.0.0.2"), 0});
    RasClient::Config config;
    config.aliases = {h225::DialedDigits{"1001"}};
    config.callSignalAddress = {{127, 0, 0, 1}, 1720};
    auto endpoint = RasEndpoint::start(context, {asio::ip::make_address("127.0.0.1"), 0},
                                       gatekeeper.local_endpoint(), config, {});
    ASSERT_TRUE(endpoint) << endpoint.error().message;
    // What the gatekeeper hears next (its first request tells the endpoint's RAS port).
    const auto heard = [&]() -> std::optional<RasMessage> {
        std::array<std::uint8_t, 2048> buffer{};
        std::optional<RasMessage> got;
        gatekeeper.async_receive(asio::buffer(buffer), [&](std::error_code ec, std::size_t n) {
            if (!ec) got = decode({buffer.data(), n}).value();
        });
        context.run_for(std::chrono::milliseconds(300));
        if (!got) gatekeeper.cancel(), context.run_for(std::chrono::milliseconds(10));
        context.restart();
        return got;
    };
    const auto first = heard();
    ASSERT_TRUE(first);
    const auto* grq = std::get_if<GatekeeperRequest>(&*first);
    ASSERT_NE(grq, nullptr);
    const asio::ip::udp::endpoint ours(asio::ip::make_address("127.0.0.1"), grq->rasAddress.port);
    InfoRequest irq;
    irq.requestSeqNum = 900;
    const auto bytes = encode(irq);
    stranger.send_to(asio::buffer(bytes), ours);
    auto answer = heard();
    EXPECT_FALSE(answer && std::holds_alternative<InfoRequestResponse>(*answer))
        << "a stranger's IRQ was answered";
    gatekeeper.send_to(asio::buffer(bytes), ours);
    for (int i = 0; i < 5 && !(answer && std::holds_alternative<InfoRequestResponse>(*answer)); ++i)
        answer = heard(); // past the GRQs sent again meanwhile
    ASSERT_TRUE(answer && std::holds_alternative<InfoRequestResponse>(*answer));
    EXPECT_EQ(std::get<InfoRequestResponse>(*answer).requestSeqNum, 900);
}

// Our own gatekeeper on a wildcard address answers from one of the host's: that is taken.
TEST(RasEndpoint, RegistersWithOurOwnGatekeeperOnAWildcardAddress) {
    asio::io_context context;
    const auto any = asio::ip::make_address_v4("0.0.0.0");
    auto gatekeeper = GatekeeperServer::start(context, {any, 0}, Gatekeeper::Config{});
    ASSERT_TRUE(gatekeeper) << gatekeeper.error().message;
    RasClient::Config config;
    config.aliases = {h225::H323Id{u"switchboard"}};
    config.callSignalAddress = {{127, 0, 0, 1}, 1720};
    bool registered = false;
    RasClient::Events events;
    events.registered = [&](const Identifier&) { registered = true; };
    auto endpoint = RasEndpoint::start(context, {any, 0}, (*gatekeeper)->localEndpoint(), config,
                                       std::move(events));
    ASSERT_TRUE(endpoint) << endpoint.error().message;
    for (int i = 0; i < 100 && !registered; ++i)
        context.run_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(registered);
}

TEST(RasClient, TheScriptedPeerAsGatekeeperRegistersAdmitsAndWithdrawsUsOverUdp) {
    const auto dir =
        std::filesystem::temp_directory_path() / fmt::format("sb-ras-peer-{}", ::getpid());
    const auto built = test::buildH323Peer(dir, SB_VECTORS_DIR, SB_INTEROP_DIR);
    ASSERT_TRUE(built.succeeded) << built.output;
    FILE* peer = ::popen(fmt::format("cd '{}' && timeout 60 erl -noshell -pa . -s h323_peer main "
                                     "endpoint 127.0.0.1 0 -s init stop 2>&1",
                                     dir.string())
                             .c_str(),
                         "r");
    ASSERT_NE(peer, nullptr);
    char line[512];
    int port = 0;
    ASSERT_NE(std::fgets(line, sizeof line, peer), nullptr);
    ASSERT_EQ(std::sscanf(line, "listening %d", &port), 1) << line;

    asio::io_context context;
    std::optional<Identifier> registered;
    std::optional<RasClient::Admission> admission;
    std::vector<Guid> dropped;
    std::vector<std::string> lost;
    std::unique_ptr<RasEndpoint> endpoint;
    Guid call{};
    call[15] = 42;
    RasClient::Config config;
    config.aliases = {h225::H323Id{u"switchboard"}, h225::DialedDigits{"1001"}};
    config.callSignalAddress = {{127, 0, 0, 1}, 1720};
    RasClient::Events events;
    events.registered = [&](const Identifier& id) {
        registered = id;
        asio::post(context, [&] { // our call, as soon as we may
            endpoint->client().admit(
                call, 1, call, {h225::DialedDigits{"2002"}}, {}, false, 1280,
                [&](const RasClient::Admission& a) { admission = a; }, RasClient::Clock::now());
            endpoint->rearm();
        });
    };
    events.dropped = [&](const Guid& g) { dropped.push_back(g); };
    events.unregistered = [&](std::string why) { lost.push_back(std::move(why)); };
    auto work = asio::make_work_guard(context);
    std::thread worker([&] { context.run(); });
    asio::post(context, [&] {
        auto started = RasEndpoint::start(
            context, {asio::ip::make_address("127.0.0.1"), 0},
            {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)}, config,
            events);
        ASSERT_TRUE(started) << started.error().message;
        endpoint = std::move(*started);
    });
    std::string said;
    while (std::fgets(line, sizeof line, peer))
        said += line;
    ::pclose(peer);
    asio::post(context, [&] { endpoint.reset(); });
    work.reset();
    worker.join();
    std::filesystem::remove_all(dir);

    EXPECT_EQ(said, "ok discovery\n"
                    "ok registration\n"
                    "ok admission\n"
                    "ok keep-alive\n"
                    "ok status\n"
                    "ok drop\n"
                    "ok withdrawal\n"
                    "done\n");
    EXPECT_EQ(registered, Identifier(u"SB-1"));
    ASSERT_TRUE(admission);
    EXPECT_TRUE(admission->admitted);
    EXPECT_EQ(admission->destination, (TransportAddress{{127, 0, 0, 1}, 41720}));
    EXPECT_EQ(dropped, std::vector<Guid>{call});
    EXPECT_EQ(lost, std::vector<std::string>{"the gatekeeper withdrew the registration"});
}

} // namespace
} // namespace sb::h323
