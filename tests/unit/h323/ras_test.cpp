// H.225.0 RAS messages, every one an endpoint and a gatekeeper exchange: written and read back
// by us, read by tshark (Wireshark's H.225.0 dissector, built from the ITU module: it catches
// a type written wrong) with nothing malformed and every field as written, and by Erlang's
// codec (tests/vectors/per/H225Subset.asn1), which must decode each and encode what it decoded
// to our octets; bad input is refused naming the field.
#include "h323/ras/ras_message.hpp"
#include "support/command_output.hpp"
#include "support/erlang_per.hpp"
#include "support/tshark.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

namespace sb::h323::ras {
namespace {

GatekeeperRequest grq() {
    GatekeeperRequest m;
    m.requestSeqNum = 4242;
    m.rasAddress = {{10, 0, 0, 1}, 1719};
    m.gatekeeperIdentifier = u"GK-Room";
    m.endpointAlias = {h225::H323Id{u"switchboard"}, h225::DialedDigits{"1001"}};
    return m;
}

Guid guid(std::uint8_t first) {
    Guid g{};
    for (std::size_t i = 0; i < g.size(); ++i)
        g[i] = static_cast<std::uint8_t>(first + i);
    return g;
}

const TransportAddress kRas{{10, 0, 0, 1}, 1719};
const TransportAddress kSignalling{{10, 0, 0, 1}, 1720};
const TransportAddress kGatekeeper{{10, 0, 0, 9}, 1719};

// One of each message, both roles', in a stable order the expectations below follow.
std::vector<RasMessage> everyMessage() {
    std::vector<RasMessage> all;
    all.emplace_back(grq());
    all.emplace_back(GatekeeperConfirm{4242, h225::kProtocolIdentifier, u"GK-Room", kGatekeeper});
    all.emplace_back(GatekeeperReject{4242, h225::kProtocolIdentifier, u"GK-Room",
                                      GatekeeperRejectReason::neededFeatureNotSupported});
    RegistrationRequest rrq;
    rrq.requestSeqNum = 2;
    rrq.discoveryComplete = true;
    rrq.callSignalAddress = {kSignalling};
    rrq.rasAddress = {kRas};
    rrq.terminalType.terminal = false;
    rrq.terminalType.gateway = true;
    rrq.terminalAlias = {h225::H323Id{u"switchboard"}, h225::DialedDigits{"1001"}};
    rrq.gatekeeperIdentifier = u"GK-Room";
    rrq.endpointVendor = {181, 0, 21324, "Switchboard", "0.1"};
    rrq.timeToLive = 300;
    all.emplace_back(rrq);
    auto keepAlive = rrq; // the lightweight RRQ that keeps a registration (§7.9.1)
    keepAlive.requestSeqNum = 3;
    keepAlive.keepAlive = true;
    keepAlive.terminalAlias.clear();
    keepAlive.endpointIdentifier = u"EP-17";
    all.emplace_back(keepAlive);
    RegistrationConfirm rcf;
    rcf.requestSeqNum = 2;
    rcf.callSignalAddress = {kSignalling};
    rcf.terminalAlias = rrq.terminalAlias;
    rcf.gatekeeperIdentifier = u"GK-Room";
    rcf.endpointIdentifier = u"EP-17";
    rcf.timeToLive = 300;
    rcf.willRespondToIRR = true;
    all.emplace_back(rcf);
    RegistrationReject rrj;
    rrj.requestSeqNum = 2;
    rrj.rejectReason = RegistrationRejectReason::duplicateAlias;
    rrj.duplicateAlias = {h225::DialedDigits{"1001"}};
    all.emplace_back(rrj);
    RegistrationReject rrjFull;
    rrjFull.requestSeqNum = 3;
    rrjFull.rejectReason = RegistrationRejectReason::fullRegistrationRequired;
    all.emplace_back(rrjFull);
    RegistrationReject rrjBusy; // a gatekeeper whose table is full
    rrjBusy.requestSeqNum = 14;
    rrjBusy.rejectReason = RegistrationRejectReason::resourceUnavailable;
    all.emplace_back(rrjBusy);
    RegistrationReject rrjAliases; // more aliases than a gatekeeper of ours takes
    rrjAliases.requestSeqNum = 15;
    rrjAliases.rejectReason = RegistrationRejectReason::invalidAlias;
    all.emplace_back(rrjAliases);
    UnregistrationRequest urq;
    urq.requestSeqNum = 4;
    urq.callSignalAddress = {kSignalling};
    urq.endpointAlias = {h225::H323Id{u"switchboard"}};
    urq.endpointIdentifier = u"EP-17";
    urq.gatekeeperIdentifier = u"GK-Room";
    urq.reason = UnregistrationReason::maintenance;
    all.emplace_back(urq);
    all.emplace_back(UnregistrationConfirm{4});
    all.emplace_back(UnregistrationReject{4, UnregistrationRejectReason::callInProgress});
    all.emplace_back(UnregistrationReject{19, UnregistrationRejectReason::permissionDenied});
    AdmissionRequest arq;
    arq.requestSeqNum = 5;
    arq.callModel = CallModel::direct;
    arq.endpointIdentifier = u"EP-17";
    arq.destinationInfo = {h225::DialedDigits{"2002"}};
    arq.srcInfo = {h225::H323Id{u"switchboard"}};
    arq.srcCallSignalAddress = kSignalling;
    arq.callReferenceValue = 0x1234;
    arq.conferenceID = guid(0x20);
    arq.callIdentifier = guid(0x40);
    arq.gatekeeperIdentifier = u"GK-Room";
    arq.canMapAlias = true;
    all.emplace_back(arq);
    AdmissionConfirm acf;
    acf.requestSeqNum = 5;
    acf.destCallSignalAddress = {{10, 0, 0, 2}, 1720};
    acf.irrFrequency = 30;
    acf.destinationInfo = {h225::DialedDigits{"2002"}};
    all.emplace_back(acf);
    all.emplace_back(AdmissionReject{5, AdmissionRejectReason::calledPartyNotRegistered});
    all.emplace_back(AdmissionReject{6, AdmissionRejectReason::noRouteToDestination});
    all.emplace_back(AdmissionReject{16, AdmissionRejectReason::exceedsCallCapacity});
    all.emplace_back(AdmissionReject{17, AdmissionRejectReason::requestDenied});
    BandwidthRequest brq;
    brq.requestSeqNum = 7;
    brq.endpointIdentifier = u"EP-17";
    brq.conferenceID = guid(0x20);
    brq.callReferenceValue = 0x1234;
    brq.bandWidth = 640;
    brq.callIdentifier = guid(0x40);
    brq.answeredCall = true;
    all.emplace_back(brq);
    all.emplace_back(BandwidthConfirm{7, 640});
    all.emplace_back(BandwidthReject{7, BandwidthRejectReason::insufficientResources, 320});
    DisengageRequest drq;
    drq.requestSeqNum = 8;
    drq.endpointIdentifier = u"EP-17";
    drq.conferenceID = guid(0x20);
    drq.callReferenceValue = 0x1234;
    drq.callIdentifier = guid(0x40);
    all.emplace_back(drq);
    all.emplace_back(DisengageConfirm{8});
    all.emplace_back(DisengageReject{8, DisengageRejectReason::requestToDropOther});
    LocationRequest lrq;
    lrq.requestSeqNum = 9;
    lrq.destinationInfo = {h225::DialedDigits{"2002"}};
    lrq.replyAddress = kRas;
    lrq.sourceInfo = {h225::H323Id{u"switchboard"}};
    lrq.canMapAlias = true;
    lrq.hopCount = 4;
    lrq.callIdentifier = guid(0x40);
    all.emplace_back(lrq);
    LocationConfirm lcf;
    lcf.requestSeqNum = 9;
    lcf.callSignalAddress = {{10, 0, 0, 2}, 1720};
    lcf.rasAddress = {{10, 0, 0, 2}, 1719};
    lcf.destinationInfo = {h225::DialedDigits{"2002"}};
    lcf.destinationType = EndpointType{};
    all.emplace_back(lcf);
    all.emplace_back(LocationReject{9, LocationRejectReason::hopCountExceeded});
    all.emplace_back(LocationReject{18, LocationRejectReason::requestDenied});
    InfoRequest irq;
    irq.requestSeqNum = 10;
    irq.callReferenceValue = 0x1234;
    irq.replyAddress = kGatekeeper;
    irq.callIdentifier = guid(0x40);
    all.emplace_back(irq);
    InfoRequestResponse irr;
    irr.requestSeqNum = 10;
    irr.endpointType.terminal = false;
    irr.endpointType.gateway = true;
    irr.endpointIdentifier = u"EP-17";
    irr.rasAddress = kRas;
    irr.callSignalAddress = {kSignalling};
    irr.endpointAlias = {h225::H323Id{u"switchboard"}};
    CallInfo call;
    call.callReferenceValue = 0x1234;
    call.conferenceID = guid(0x20);
    call.originator = true;
    call.callSignaling = {kSignalling, TransportAddress{{10, 0, 0, 2}, 1720}};
    call.callIdentifier = guid(0x40);
    irr.perCallInfo = {call};
    irr.needResponse = true;
    all.emplace_back(irr);
    all.emplace_back(UnknownMessageResponse{11, {0x5c, 0x00, 0x01}});
    all.emplace_back(RequestInProgress{12, 5000});
    return all;
}

TEST(Ras, EveryMessageReadsBack) {
    for (const auto& m : everyMessage()) {
        const auto bytes = encode(m);
        auto back = decode(bytes);
        ASSERT_TRUE(back) << m.index() << ": " << back.error().message;
        EXPECT_EQ(*back, m) << "message " << m.index();
    }
}

TEST(Ras, TsharkReadsEveryMessageAsWritten) {
    std::vector<std::vector<std::uint8_t>> packets;
    const auto messages = everyMessage();
    packets.reserve(messages.size());
    for (const auto& m : messages)
        packets.push_back(encode(m));
    const std::string fields =
        "h225.RasMessage h225.requestSeqNum h225.protocolIdentifier h225.ipV4 h225.ipV4_port "
        "h225.gatekeeperIdentifier h225.h323_ID h225.dialledDigits h225.gateway_element "
        "h225.productId h225.discoveryComplete h225.timeToLive h225.keepAlive "
        "h225.endpointIdentifier h225.willRespondToIRR h225.rejectReason h225.reason "
        "h225.callModel h225.bandWidth h225.callReferenceValue h225.conferenceID h225.guid "
        "h225.answerCall h225.canMapAlias h225.irrFrequency h225.answeredCall "
        "h225.allowedBandWidth h225.disengageReason h225.hopCount h225.needResponse "
        "h225.originator h225.messageNotUnderstood h225.delay";
    const auto reading = test::readWithTshark(packets, "-4 10.0.0.1,10.0.0.2 -u 1719,1719", fields);
    ASSERT_EQ(reading.trouble, "");
    EXPECT_EQ(reading.malformed, "") << "tshark finds these malformed";
    std::string got;
    for (const auto& packet : test::namedFields(reading, fields))
        got += packet + "\n";
    // Every message of both roles, in everyMessage()'s order. tshark pairs each response with
    // its request and shows the request's call identifier (guid) on it too.
    EXPECT_EQ(
        got,
        R"(RasMessage=0 requestSeqNum=4242 protocolIdentifier=0.0.8.2250.0.7 ipV4=10.0.0.1 ipV4_port=1719 gatekeeperIdentifier=GK-Room h323_ID=switchboard dialledDigits=1001
RasMessage=1 requestSeqNum=4242 protocolIdentifier=0.0.8.2250.0.7 ipV4=10.0.0.9 ipV4_port=1719 gatekeeperIdentifier=GK-Room
RasMessage=2 requestSeqNum=4242 protocolIdentifier=0.0.8.2250.0.7 gatekeeperIdentifier=GK-Room rejectReason=6
RasMessage=3 requestSeqNum=2 protocolIdentifier=0.0.8.2250.0.7 ipV4=10.0.0.1,10.0.0.1 ipV4_port=1720,1719 gatekeeperIdentifier=GK-Room h323_ID=switchboard dialledDigits=1001 gateway_element=1 productId=Switchboard discoveryComplete=1 timeToLive=300 keepAlive=0
RasMessage=3 requestSeqNum=3 protocolIdentifier=0.0.8.2250.0.7 ipV4=10.0.0.1,10.0.0.1 ipV4_port=1720,1719 gatekeeperIdentifier=GK-Room gateway_element=1 productId=Switchboard discoveryComplete=1 timeToLive=300 keepAlive=1 endpointIdentifier=EP-17
RasMessage=4 requestSeqNum=2 protocolIdentifier=0.0.8.2250.0.7 ipV4=10.0.0.1 ipV4_port=1720 gatekeeperIdentifier=GK-Room h323_ID=switchboard dialledDigits=1001 timeToLive=300 endpointIdentifier=EP-17 willRespondToIRR=1
RasMessage=5 requestSeqNum=2 protocolIdentifier=0.0.8.2250.0.7 dialledDigits=1001 rejectReason=4
RasMessage=5 requestSeqNum=3 protocolIdentifier=0.0.8.2250.0.7 rejectReason=12
RasMessage=5 requestSeqNum=14 protocolIdentifier=0.0.8.2250.0.7 rejectReason=9
RasMessage=5 requestSeqNum=15 protocolIdentifier=0.0.8.2250.0.7 rejectReason=10
RasMessage=6 requestSeqNum=4 ipV4=10.0.0.1 ipV4_port=1720 gatekeeperIdentifier=GK-Room h323_ID=switchboard endpointIdentifier=EP-17 reason=4
RasMessage=7 requestSeqNum=4
RasMessage=8 requestSeqNum=4 rejectReason=1
RasMessage=8 requestSeqNum=19 rejectReason=3
RasMessage=9 requestSeqNum=5 ipV4=10.0.0.1 ipV4_port=1720 gatekeeperIdentifier=GK-Room h323_ID=switchboard dialledDigits=2002 endpointIdentifier=EP-17 callModel=0 bandWidth=1280 callReferenceValue=4660 conferenceID=20212223-2425-2627-2829-2a2b2c2d2e2f guid=40414243-4445-4647-4849-4a4b4c4d4e4f answerCall=0 canMapAlias=1
RasMessage=10 requestSeqNum=5 ipV4=10.0.0.2 ipV4_port=1720 dialledDigits=2002 willRespondToIRR=0 callModel=0 bandWidth=1280 guid=40414243-4445-4647-4849-4a4b4c4d4e4f irrFrequency=30
RasMessage=11 requestSeqNum=5 rejectReason=0 guid=40414243-4445-4647-4849-4a4b4c4d4e4f
RasMessage=11 requestSeqNum=6 rejectReason=20
RasMessage=11 requestSeqNum=16 rejectReason=13
RasMessage=11 requestSeqNum=17 rejectReason=2
RasMessage=12 requestSeqNum=7 endpointIdentifier=EP-17 bandWidth=640 callReferenceValue=4660 conferenceID=20212223-2425-2627-2829-2a2b2c2d2e2f guid=40414243-4445-4647-4849-4a4b4c4d4e4f answeredCall=1
RasMessage=13 requestSeqNum=7 bandWidth=640
RasMessage=14 requestSeqNum=7 rejectReason=3 allowedBandWidth=320
RasMessage=15 requestSeqNum=8 endpointIdentifier=EP-17 callReferenceValue=4660 conferenceID=20212223-2425-2627-2829-2a2b2c2d2e2f guid=40414243-4445-4647-4849-4a4b4c4d4e4f answeredCall=0 disengageReason=1
RasMessage=16 requestSeqNum=8 guid=40414243-4445-4647-4849-4a4b4c4d4e4f
RasMessage=17 requestSeqNum=8 rejectReason=1 guid=40414243-4445-4647-4849-4a4b4c4d4e4f
RasMessage=18 requestSeqNum=9 ipV4=10.0.0.1 ipV4_port=1719 h323_ID=switchboard dialledDigits=2002 guid=40414243-4445-4647-4849-4a4b4c4d4e4f canMapAlias=1 hopCount=4
RasMessage=19 requestSeqNum=9 ipV4=10.0.0.2,10.0.0.2 ipV4_port=1720,1719 dialledDigits=2002
RasMessage=20 requestSeqNum=9 rejectReason=10
RasMessage=20 requestSeqNum=18 rejectReason=2
RasMessage=21 requestSeqNum=10 ipV4=10.0.0.9 ipV4_port=1719 callReferenceValue=4660 guid=40414243-4445-4647-4849-4a4b4c4d4e4f
RasMessage=22 requestSeqNum=10 ipV4=10.0.0.1,10.0.0.1,10.0.0.1,10.0.0.2 ipV4_port=1719,1720,1720,1720 h323_ID=switchboard gateway_element=1 endpointIdentifier=EP-17 callModel=0 bandWidth=1280 callReferenceValue=4660 conferenceID=20212223-2425-2627-2829-2a2b2c2d2e2f guid=40414243-4445-4647-4849-4a4b4c4d4e4f needResponse=1 originator=1
RasMessage=24 requestSeqNum=11 messageNotUnderstood=5c0001
RasMessage=25 requestSeqNum=12 delay=5000)"
        "\n");
}

TEST(Ras, ErlangReencodesEveryMessageToOurOctets) {
    std::vector<std::vector<std::uint8_t>> encodings;
    for (const auto& m : everyMessage())
        encodings.push_back(encode(m));
    EXPECT_EQ(test::erlangReencodes(SB_VECTORS_DIR, SB_INTEROP_DIR, "H225Subset", "RasMessage",
                                    encodings),
              fmt::format("checked {}\n", encodings.size()));
}

TEST(Ras, BadInputIsRefusedNamingTheField) {
    auto bytes = encode(grq());
    const auto why = [](std::vector<std::uint8_t> b) {
        auto m = decode(b);
        return m ? std::string("accepted") : m.error().message;
    };
    EXPECT_EQ(why({bytes.begin(), bytes.begin() + 12}).substr(0, 36),
              "gatekeeperRequest.rasAddress.ipAddre");
    EXPECT_EQ(why({0x5c, 0x00}), "nonStandardMessage is not taken");
    EXPECT_EQ(why({0x81, 0x00}), "an extension of RasMessage that is not taken");
    bytes.push_back(0);
    EXPECT_EQ(why(bytes), "1 octets left over after the value");
}

// Erlang's compiler, given the ASN.1 of what we encode (tests/vectors/per/H225Subset.asn1),
// decodes our GRQ to the same value and encodes that value to the same octets.
TEST(Ras, ErlangAgreesOnOurGatekeeperRequest) {
    const auto dir =
        std::filesystem::temp_directory_path() / fmt::format("sb-ras-erl-{}", ::getpid());
    std::filesystem::create_directories(dir);
    const auto compiled = test::commandOutput(fmt::format(
        "cd '{}' && erlc -bper '{}/per/H225Subset.asn1' 2>&1", dir.string(), SB_VECTORS_DIR));
    ASSERT_TRUE(std::filesystem::exists(dir / "H225Subset.beam")) << compiled;
    std::string bytes;
    for (auto b : encode(grq()))
        bytes += fmt::format("{}{}", bytes.empty() ? "" : ",", b);
    std::ofstream(dir / "vectors.terms")
        << "{'RasMessage', {gatekeeperRequest, {'GatekeeperRequest', 4242, {0,0,8,2250,0,7}, "
           "asn1_NOVALUE, {ipAddress, {'TransportAddress_ipAddress', <<10,0,0,1>>, 1719}}, "
           "{'EndpointType', asn1_NOVALUE, asn1_NOVALUE, asn1_NOVALUE, asn1_NOVALUE, "
           "asn1_NOVALUE, {'TerminalInfo', asn1_NOVALUE}, false, false}, \"GK-Room\", "
           "asn1_NOVALUE, [{'h323-ID', \"switchboard\"}, {dialedDigits, \"1001\"}]}}, <<"
        << bytes << ">>}.\n";
    const auto said = test::commandOutput(
        fmt::format("escript '{}/per_oracle.escript' '{}' H225Subset '{}' 2>&1", SB_INTEROP_DIR,
                    dir.string(), (dir / "vectors.terms").string()));
    std::filesystem::remove_all(dir);
    EXPECT_EQ(said, "checked 1\n");
}

} // namespace
} // namespace sb::h323::ras
