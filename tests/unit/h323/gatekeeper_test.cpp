// Switchboard's small gatekeeper: its rules, and the whole of it on a UDP socket against the
// scripted H.323 peer (tests/interop/h323_peer.erl, Erlang's ASN.1 codec end to end), which
// discovers it, registers two endpoints, is refused a duplicate alias, keeps a registration
// alive, is admitted to a registered number and refused an unknown one, changes bandwidth,
// disengages, locates an alias, sends a datagram that cannot be read and unregisters.
#include "h323/gatekeeper.hpp"
#include "h323/gatekeeper_server.hpp"
#include "support/command_output.hpp"
#include "support/h323_peer.hpp"

#include <asio/executor_work_guard.hpp>
#include <filesystem>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <thread>
#include <unistd.h>

namespace sb::h323 {
namespace {

using namespace ras;
using Clock = Gatekeeper::Clock;

const TransportAddress kAlice{{10, 0, 0, 1}, 1720}, kBob{{10, 0, 0, 2}, 1720};

RegistrationRequest registration(std::uint16_t seq, const TransportAddress& signalling,
                                 std::string digits) {
    RegistrationRequest m;
    m.requestSeqNum = seq;
    m.callSignalAddress = {signalling};
    m.rasAddress = {{signalling.ip, 1719}};
    m.terminalAlias = {h225::DialedDigits{std::move(digits)}};
    return m;
}

Identifier registered(Gatekeeper& gk, const RegistrationRequest& m, Clock::time_point now) {
    auto answer = gk.handle(m, now);
    return std::get<RegistrationConfirm>(*answer).endpointIdentifier;
}

AdmissionRequest admission(const Identifier& caller, std::string digits, std::uint8_t call) {
    AdmissionRequest m;
    m.requestSeqNum = 9;
    m.endpointIdentifier = caller;
    m.destinationInfo = {h225::DialedDigits{std::move(digits)}};
    m.callIdentifier[0] = call;
    return m;
}

TEST(Gatekeeper, RegistersRefusesTakenAliasesAndExpires) {
    Gatekeeper gk({});
    const auto now = Clock::now();
    const auto alice = registered(gk, registration(1, kAlice, "1001"), now);
    auto taken = gk.handle(registration(2, kBob, "1001"), now);
    EXPECT_EQ(std::get<RegistrationReject>(*taken).rejectReason,
              RegistrationRejectReason::duplicateAlias);
    // Alice again from the same address: her registration is replaced, not refused.
    const auto again = registered(gk, registration(3, kAlice, "1001"), now);
    EXPECT_NE(again, alice);
    EXPECT_EQ(gk.registrations().size(), 1u);

    // A keep-alive for an endpoint not (or no longer) registered asks for a full one.
    RegistrationRequest keepAlive = registration(4, kAlice, "1001");
    keepAlive.keepAlive = true;
    keepAlive.endpointIdentifier = alice;
    EXPECT_EQ(std::get<RegistrationReject>(*gk.handle(keepAlive, now)).rejectReason,
              RegistrationRejectReason::fullRegistrationRequired);
    keepAlive.endpointIdentifier = again;
    keepAlive.timeToLive = 30;
    EXPECT_EQ(std::get<RegistrationConfirm>(*gk.handle(keepAlive, now)).timeToLive, 30u);

    gk.expire(now + std::chrono::seconds(29));
    EXPECT_EQ(gk.registrations().size(), 1u);
    gk.expire(now + std::chrono::seconds(30));
    EXPECT_TRUE(gk.registrations().empty()) << "the keep-alive's 30 s ran out";
}

TEST(Gatekeeper, AFullTableRefusesANewEndpointButNotOneRegisteringAgain) {
    Gatekeeper::Config config;
    config.mostRegistrations = 2;
    Gatekeeper gk(config);
    const auto now = Clock::now();
    (void)registered(gk, registration(1, kAlice, "1001"), now);
    (void)registered(gk, registration(2, kBob, "1002"), now);
    auto full = gk.handle(registration(3, {{10, 0, 0, 3}, 1720}, "1003"), now);
    EXPECT_EQ(std::get<RegistrationReject>(*full).rejectReason,
              RegistrationRejectReason::resourceUnavailable);
    // Alice again (her old registration replaced), and a place once one expires.
    (void)registered(gk, registration(4, kAlice, "1001"), now);
    EXPECT_EQ(gk.registrations().size(), 2u);
    gk.expire(now + std::chrono::seconds(config.timeToLive));
    (void)registered(gk, registration(5, {{10, 0, 0, 3}, 1720}, "1003"), now);
}

TEST(Gatekeeper, AdmitsByAliasKeepsBandwidthAndFreesItOnDisengage) {
    Gatekeeper::Config config;
    config.callBandwidth = 1280;
    config.totalBandwidth = 2000;
    Gatekeeper gk(config);
    const auto now = Clock::now();
    const auto alice = registered(gk, registration(1, kAlice, "1001"), now);
    const auto bob = registered(gk, registration(2, kBob, "2002"), now);

    auto answer = gk.handle(admission(alice, "2002", 1), now);
    EXPECT_EQ(std::get<AdmissionConfirm>(*answer).destCallSignalAddress, kBob);
    EXPECT_EQ(gk.bandwidthInUse(), 1280u);
    answer = gk.handle(admission(alice, "9999", 2), now);
    EXPECT_EQ(std::get<AdmissionReject>(*answer).rejectReason,
              AdmissionRejectReason::calledPartyNotRegistered);
    answer = gk.handle(admission(bob, "1001", 3), now);
    EXPECT_EQ(std::get<AdmissionReject>(*answer).rejectReason,
              AdmissionRejectReason::resourceUnavailable)
        << "a second call would pass the total";
    answer = gk.handle(admission(u"EP-99", "2002", 4), now);
    EXPECT_EQ(std::get<AdmissionReject>(*answer).rejectReason,
              AdmissionRejectReason::callerNotRegistered);

    BandwidthRequest more;
    more.endpointIdentifier = alice;
    more.callIdentifier[0] = 1;
    more.bandWidth = 2500;
    EXPECT_EQ(std::get<BandwidthReject>(*gk.handle(more, now)).allowedBandWidth, 1280u);
    more.bandWidth = 640;
    EXPECT_EQ(std::get<BandwidthConfirm>(*gk.handle(more, now)).bandWidth, 640u);
    EXPECT_EQ(gk.bandwidthInUse(), 640u);

    DisengageRequest drq;
    drq.endpointIdentifier = alice;
    drq.callIdentifier[0] = 1;
    EXPECT_TRUE(std::holds_alternative<DisengageConfirm>(*gk.handle(drq, now)));
    EXPECT_EQ(gk.calls(), 0u);
    EXPECT_EQ(gk.bandwidthInUse(), 0u);
}

TEST(Gatekeeper, WhatARequestMayMakeItHoldOrSearchIsBounded) {
    Gatekeeper::Config config;
    config.mostAliases = 3;
    config.mostCallsOfOne = 2;
    Gatekeeper gk(config);
    const auto now = Clock::now();
    auto many = registration(1, kAlice, "1001");
    for (const char* digits : {"1002", "1003", "1004"})
        many.terminalAlias.push_back(h225::DialedDigits{digits});
    EXPECT_EQ(std::get<RegistrationReject>(*gk.handle(many, now)).rejectReason,
              RegistrationRejectReason::invalidAlias);
    many.terminalAlias.pop_back();
    const auto alice = registered(gk, many, now);
    const auto bob = registered(gk, registration(2, kBob, "2002"), now);

    // An ARQ or LRQ naming more aliases than that is refused before any is looked up.
    auto arq = admission(bob, "1003", 1);
    EXPECT_EQ(std::get<AdmissionConfirm>(*gk.handle(arq, now)).destCallSignalAddress, kAlice);
    for (const char* digits : {"7", "8", "9"})
        arq.destinationInfo.push_back(h225::DialedDigits{digits});
    EXPECT_EQ(std::get<AdmissionReject>(*gk.handle(arq, now)).rejectReason,
              AdmissionRejectReason::requestDenied);
    LocationRequest lrq;
    lrq.destinationInfo = {h225::DialedDigits{"1002"}};
    EXPECT_EQ(std::get<LocationConfirm>(*gk.handle(lrq, now)).callSignalAddress, kAlice);
    lrq.destinationInfo.resize(4, h225::DialedDigits{"1"});
    EXPECT_EQ(std::get<LocationReject>(*gk.handle(lrq, now)).rejectReason,
              LocationRejectReason::requestDenied);

    // Calls asking for no bandwidth are still counted: two of bob's, not a third.
    auto second = admission(bob, "1001", 2);
    second.bandWidth = 0;
    EXPECT_TRUE(std::holds_alternative<AdmissionConfirm>(*gk.handle(second, now)));
    auto third = admission(bob, "1001", 3);
    third.bandWidth = 0;
    EXPECT_EQ(std::get<AdmissionReject>(*gk.handle(third, now)).rejectReason,
              AdmissionRejectReason::exceedsCallCapacity);
    EXPECT_TRUE(
        std::holds_alternative<AdmissionConfirm>(*gk.handle(admission(alice, "2002", 4), now)));
    DisengageRequest drq;
    drq.endpointIdentifier = bob;
    drq.callIdentifier[0] = 2;
    EXPECT_TRUE(std::holds_alternative<DisengageConfirm>(*gk.handle(drq, now)));
    EXPECT_TRUE(std::holds_alternative<AdmissionConfirm>(*gk.handle(third, now)));

    // Unregistered, alice's aliases and calls go with her.
    UnregistrationRequest urq;
    urq.endpointIdentifier = alice;
    EXPECT_TRUE(std::holds_alternative<UnregistrationConfirm>(*gk.handle(urq, now)));
    EXPECT_EQ(gk.calls(), 2u);
    lrq.destinationInfo = {h225::DialedDigits{"1002"}};
    EXPECT_EQ(std::get<LocationReject>(*gk.handle(lrq, now)).rejectReason,
              LocationRejectReason::notRegistered);
    (void)registered(gk, registration(3, {{10, 0, 0, 3}, 1720}, "1002"), now); // free again
}

TEST(Gatekeeper, ARequestNamingARegistrationIsTakenOnlyFromWhereItRegistered) {
    Gatekeeper gk({});
    const auto now = Clock::now();
    const Gatekeeper::Source alice{10, 0, 0, 1}, mallory{10, 0, 0, 66};
    auto rrq = registration(1, kAlice, "1001");
    const auto id = std::get<RegistrationConfirm>(*gk.handle(rrq, now, alice)).endpointIdentifier;
    (void)gk.handle(registration(2, kBob, "2002"), now, Gatekeeper::Source{10, 0, 0, 2});

    UnregistrationRequest urq;
    urq.endpointIdentifier = id;
    EXPECT_EQ(std::get<UnregistrationReject>(*gk.handle(urq, now, mallory)).rejectReason,
              UnregistrationRejectReason::permissionDenied);
    auto arq = admission(id, "2002", 1);
    EXPECT_EQ(std::get<AdmissionReject>(*gk.handle(arq, now, mallory)).rejectReason,
              AdmissionRejectReason::invalidPermission);
    EXPECT_TRUE(std::holds_alternative<AdmissionConfirm>(*gk.handle(arq, now, alice)));
    BandwidthRequest brq;
    brq.endpointIdentifier = id;
    brq.callIdentifier[0] = 1;
    brq.bandWidth = 640;
    EXPECT_EQ(std::get<BandwidthReject>(*gk.handle(brq, now, mallory)).rejectReason,
              BandwidthRejectReason::invalidPermission);
    DisengageRequest drq;
    drq.endpointIdentifier = id;
    drq.callIdentifier[0] = 1;
    EXPECT_EQ(std::get<DisengageReject>(*gk.handle(drq, now, mallory)).rejectReason,
              DisengageRejectReason::requestToDropOther);
    EXPECT_EQ(gk.calls(), 1u);
    rrq.keepAlive = true;
    rrq.endpointIdentifier = id;
    EXPECT_EQ(std::get<RegistrationReject>(*gk.handle(rrq, now, mallory)).rejectReason,
              RegistrationRejectReason::fullRegistrationRequired);
    // Nor may another address register alice's call signalling address in her place.
    EXPECT_EQ(
        std::get<RegistrationReject>(*gk.handle(registration(3, kAlice, "1001"), now, mallory))
            .rejectReason,
        RegistrationRejectReason::invalidCallSignalAddress);

    EXPECT_TRUE(std::holds_alternative<UnregistrationConfirm>(*gk.handle(urq, now, alice)));
    EXPECT_EQ(gk.registrations().size(), 1u);
}

TEST(Gatekeeper, WhatItCannotReadIsAnsweredWithItsSequenceNumber) {
    auto bytes = encode(registration(4711, kAlice, "1001"));
    bytes.resize(6);
    ASSERT_FALSE(decode(bytes));
    const auto answer = notUnderstood(bytes);
    ASSERT_TRUE(answer);
    const auto& umr = *answer;
    EXPECT_EQ(umr.requestSeqNum, 4711);
    EXPECT_EQ(umr.messageNotUnderstood, bytes);
    EXPECT_FALSE(notUnderstood(std::vector<std::uint8_t>{0x60})) << "a UMR itself";
}

TEST(Gatekeeper, TheScriptedPeerRegistersAndIsAdmittedOverUdp) {
    const auto dir =
        std::filesystem::temp_directory_path() / fmt::format("sb-gk-peer-{}", ::getpid());
    const auto built = test::buildH323Peer(dir, SB_VECTORS_DIR, SB_INTEROP_DIR);
    ASSERT_TRUE(built.succeeded) << built.output;

    asio::io_context context;
    Gatekeeper::Config config;
    config.timeToLive = 60;
    auto server =
        GatekeeperServer::start(context, {asio::ip::make_address("127.0.0.1"), 0}, config);
    ASSERT_TRUE(server) << server.error().message;
    auto work = asio::make_work_guard(context);
    std::thread worker([&] { context.run(); });
    const auto said = test::commandOutput(fmt::format(
        "cd '{}' && timeout 60 erl -noshell -pa . -s h323_peer main gatekeeper 127.0.0.1 {} "
        "-s init stop 2>&1",
        dir.string(), (*server)->localEndpoint().port()));
    asio::post(context, [&] { server->reset(); });
    work.reset();
    worker.join();
    std::filesystem::remove_all(dir);
    EXPECT_EQ(said, "ok discovery\n"
                    "ok registration of alice\n"
                    "ok registration of bob\n"
                    "ok a duplicate alias refused\n"
                    "ok keep-alive\n"
                    "ok admission to bob's number\n"
                    "ok admission to nobody refused\n"
                    "ok bandwidth\n"
                    "ok disengage\n"
                    "ok location\n"
                    "ok a datagram it cannot read\n"
                    "ok unregistration\n"
                    "ok unregistration of one not registered\n"
                    "ok bob still registered\n"
                    "done\n");
}

} // namespace
} // namespace sb::h323
