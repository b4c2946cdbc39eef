// H.225.0 call signalling's H323-UserInformation: each message body we send, with fastStart
// proposals, tunnelled H.245 and the call's identifiers, written and read back by us; read by
// tshark inside its Q.931 message over TPKT (TCP 1720) with nothing malformed and its fields as
// written (the fastStart OLCs and the tunnelled H.245 decoded as H.245 too); and by Erlang's
// codec (tests/vectors/per/H225Subset.asn1), which must decode each and encode what it decoded
// to our octets. A peer's additions we do not take are read past; bad input names the field.
#include "h323/h225/user_information.hpp"
#include "h323/h245/message.hpp"
#include "h323/per/additions.hpp"
#include "h323/q931/message.hpp"
#include "h323/q931/tpkt.hpp"
#include "support/command_output.hpp"
#include "support/erlang_per.hpp"
#include "support/tshark.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

namespace sb::h323::h225 {
namespace {

Guid guid(std::uint8_t first) {
    Guid g{};
    for (std::size_t i = 0; i < g.size(); ++i)
        g[i] = static_cast<std::uint8_t>(first + i);
    return g;
}

// fastStart's proposals: to receive G.711 A-law, and to transmit it (H.323 §8.1.7.1).
std::vector<Octets> proposals(std::uint16_t firstChannel) {
    h245::OpenLogicalChannel receive;
    receive.number = firstChannel;
    receive.forward.dataType.kind = h245::DataType::Kind::null;
    h245::ChannelParameters reverse;
    reverse.dataType.audio.codec = h245::AudioCodec::g711Alaw64k;
    h245::H2250Parameters p;
    p.mediaChannel = h245::UnicastAddress{{10, 0, 0, 1}, 40000};
    p.mediaControlChannel = h245::UnicastAddress{{10, 0, 0, 1}, 40001};
    reverse.h2250 = p;
    receive.reverse = reverse;
    h245::OpenLogicalChannel transmit;
    transmit.number = static_cast<std::uint16_t>(firstChannel + 1);
    transmit.forward.dataType.audio.codec = h245::AudioCodec::g711Alaw64k;
    h245::H2250Parameters q;
    q.mediaControlChannel = h245::UnicastAddress{{10, 0, 0, 1}, 40001};
    transmit.forward.h2250 = q;
    return {h245::encodeFastStart(receive), h245::encodeFastStart(transmit)};
}

EndpointType gateway() {
    EndpointType t;
    t.terminal = false;
    t.gateway = true;
    t.vendor = Vendor{181, 0, 21324, "Switchboard", "0.1"};
    return t;
}

template <class Side>
Side calledSide() {
    Side m;
    m.callIdentifier = guid(0x40);
    m.multipleCalls = false;
    m.maintainConnection = true;
    return m;
}

struct Sample {
    q931::MessageType type;
    UserInformation information;
};

// One of each message body we send, in a stable order the expectations below follow.
std::vector<Sample> everyBody() {
    std::vector<Sample> samples;
    Setup setup;
    setup.sourceAddress = {H323Id{u"switchboard"}, DialedDigits{"1001"}};
    setup.sourceInfo = gateway();
    setup.destinationAddress = {DialedDigits{"2002"}};
    setup.destCallSignalAddress = TransportAddress{{10, 0, 0, 2}, 1720};
    setup.conferenceID = guid(0x20);
    setup.sourceCallSignalAddress = TransportAddress{{10, 0, 0, 1}, 1720};
    setup.callIdentifier = guid(0x40);
    setup.fastStart = proposals(1);
    const auto tcs = h245::encode(h245::TerminalCapabilitySet{});
    const auto msd = h245::encode(h245::MasterSlaveDetermination{60, 77});
    samples.push_back({q931::MessageType::setup, {setup, true, {tcs, msd}}});

    samples.push_back(
        {q931::MessageType::callProceeding, {calledSide<CallProceeding>(), true, {}}});
    auto alerting = calledSide<Alerting>();
    alerting.h245Address = TransportAddress{{10, 0, 0, 2}, 30000};
    samples.push_back({q931::MessageType::alerting, {alerting, false, {}}});
    auto progress = calledSide<Progress>();
    progress.fastStart = proposals(5);
    samples.push_back({q931::MessageType::progress, {progress, true, {}}});
    auto connect = calledSide<Connect>();
    connect.conferenceID = guid(0x20);
    connect.fastStart = proposals(7);
    connect.destinationInfo = gateway();
    samples.push_back({q931::MessageType::connect,
                       {connect, true, {h245::encode(h245::TerminalCapabilitySetAck{1})}}});
    auto refused = calledSide<Connect>();
    refused.fastConnectRefused = true;
    samples.push_back({q931::MessageType::connect, {refused, false, {}}});

    samples.push_back(
        {q931::MessageType::releaseComplete,
         {ReleaseComplete{kProtocolIdentifier, ReleaseReason::destinationRejection, guid(0x40)},
          true,
          {}}});
    samples.push_back(
        {q931::MessageType::releaseComplete,
         {ReleaseComplete{kProtocolIdentifier, ReleaseReason::hopCountExceeded, guid(0x40)},
          true,
          {}}});
    auto startH245 = calledSide<Facility>();
    startH245.reason = FacilityReason::startH245;
    startH245.h245Address = TransportAddress{{10, 0, 0, 1}, 30001};
    samples.push_back({q931::MessageType::facility, {startH245, false, {}}});
    Facility forwarded;
    forwarded.reason = FacilityReason::callForwarded;
    forwarded.alternativeAddress = TransportAddress{{10, 0, 0, 3}, 1720};
    forwarded.alternativeAliasAddress = {DialedDigits{"3003"}};
    forwarded.conferenceID = guid(0x20);
    forwarded.callIdentifier = guid(0x40);
    samples.push_back({q931::MessageType::facility, {forwarded, true, {}}});
    // Tunnelled H.245 alone, in a Facility whose body is empty.
    samples.push_back({q931::MessageType::facility,
                       {Empty{}, true, {h245::encode(h245::RoundTripDelayRequest{4})}}});
    Information information;
    information.callIdentifier = guid(0x40);
    samples.push_back({q931::MessageType::information, {information, true, {}}});
    Status status;
    status.callIdentifier = guid(0x40);
    samples.push_back({q931::MessageType::status, {status, true, {}}});
    StatusInquiry inquiry;
    inquiry.callIdentifier = guid(0x40);
    samples.push_back({q931::MessageType::statusEnquiry, {inquiry, true, {}}});
    return samples;
}

TEST(UserInformation, EveryBodyReadsBack) {
    for (const auto& sample : everyBody()) {
        const auto bytes = encode(sample.information);
        auto back = decodeUserInformation(bytes);
        ASSERT_TRUE(back) << sample.information.body.index() << ": " << back.error().message;
        EXPECT_EQ(*back, sample.information) << "body " << sample.information.body.index();
    }
}

TEST(UserInformation, TsharkReadsEveryBodyInItsQ931Message) {
    std::vector<std::vector<std::uint8_t>> packets;
    const auto samples = everyBody();
    packets.reserve(samples.size());
    for (const auto& sample : samples) {
        q931::Message m;
        m.type = sample.type;
        m.callReference = 0x0102;
        m.set(q931::element::userUser, q931::writeUserUser(encode(sample.information)));
        packets.push_back(tpktFrame(q931::write(m)));
    }
    const std::string fields =
        "h225.h323_message_body h225.protocolIdentifier h225.h323_ID h225.dialledDigits "
        "h225.gateway_element h225.t35CountryCode h225.manufacturerCode h225.productId "
        "h225.ipV4 h225.ipV4_port h225.conferenceID h225.conferenceGoal h225.callType "
        "h225.guid h225.mediaWaitForConnect h225.canOverlapSend h225.multipleCalls "
        "h225.maintainConnection h225.fastConnectRefused_element h225.h245Ip h225.h245IpPort "
        "h225.reason h225.h245Tunnelling h245.forwardLogicalChannelNumber h245.g711Alaw64k "
        "h245.tsapIdentifier h245.pdu_type h245.request h245.response";
    const auto reading =
        test::readWithTshark(packets, "-4 10.0.0.1,10.0.0.2 -T 40000,1720", fields);
    ASSERT_EQ(reading.trouble, "");
    EXPECT_EQ(reading.malformed, "") << "tshark finds these malformed";
    std::string got;
    for (const auto& packet : test::namedFields(reading, fields))
        got += packet + "\n";
    // Setup (with fastStart's two proposals, and TCS and MSD tunnelled), CallProceeding,
    // Alerting (H.245 on its own connection), Progress and Connect with fastStart, a Connect
    // refusing it, ReleaseComplete with a root and an extension reason, Facility with startH245
    // and with a forward, an empty body with tunnelled H.245, Information, Status, StatusInquiry.
    EXPECT_EQ(
        got,
        R"(h323_message_body=0 protocolIdentifier=0.0.8.2250.0.7 h323_ID=switchboard dialledDigits=1001,2002 gateway_element=1 t35CountryCode=181 manufacturerCode=21324 productId=Switchboard ipV4=10.0.0.2,10.0.0.1 ipV4_port=1720,1720 conferenceID=20212223-2425-2627-2829-2a2b2c2d2e2f conferenceGoal=0 callType=0 guid=40414243-4445-4647-4849-4a4b4c4d4e4f mediaWaitForConnect=0 canOverlapSend=0 multipleCalls=0 maintainConnection=0 h245Tunnelling=1 forwardLogicalChannelNumber=1,2 g711Alaw64k=20,20 tsapIdentifier=40000,40001,40001 pdu_type=0,0 request=2,1
h323_message_body=1 protocolIdentifier=0.0.8.2250.0.7 guid=40414243-4445-4647-4849-4a4b4c4d4e4f multipleCalls=0 maintainConnection=1 h245Tunnelling=1
h323_message_body=3 protocolIdentifier=0.0.8.2250.0.7 guid=40414243-4445-4647-4849-4a4b4c4d4e4f multipleCalls=0 maintainConnection=1 h245Ip=10.0.0.2 h245IpPort=30000 h245Tunnelling=0
h323_message_body=7 protocolIdentifier=0.0.8.2250.0.7 guid=40414243-4445-4647-4849-4a4b4c4d4e4f multipleCalls=0 maintainConnection=1 h245Tunnelling=1 forwardLogicalChannelNumber=5,6 g711Alaw64k=20,20 tsapIdentifier=40000,40001,40001
h323_message_body=2 protocolIdentifier=0.0.8.2250.0.7 gateway_element=1 t35CountryCode=181 manufacturerCode=21324 productId=Switchboard conferenceID=20212223-2425-2627-2829-2a2b2c2d2e2f guid=40414243-4445-4647-4849-4a4b4c4d4e4f multipleCalls=0 maintainConnection=1 h245Tunnelling=1 forwardLogicalChannelNumber=7,8 g711Alaw64k=20,20 tsapIdentifier=40000,40001,40001 pdu_type=1 response=3
h323_message_body=2 protocolIdentifier=0.0.8.2250.0.7 conferenceID=00000000-0000-0000-0000-000000000000 guid=40414243-4445-4647-4849-4a4b4c4d4e4f multipleCalls=0 maintainConnection=1 fastConnectRefused_element=1 h245Tunnelling=0
h323_message_body=5 protocolIdentifier=0.0.8.2250.0.7 guid=40414243-4445-4647-4849-4a4b4c4d4e4f reason=3 h245Tunnelling=1
h323_message_body=5 protocolIdentifier=0.0.8.2250.0.7 guid=40414243-4445-4647-4849-4a4b4c4d4e4f reason=24 h245Tunnelling=1
h323_message_body=6 protocolIdentifier=0.0.8.2250.0.7 guid=40414243-4445-4647-4849-4a4b4c4d4e4f multipleCalls=0 maintainConnection=1 h245Ip=10.0.0.1 h245IpPort=30001 reason=5 h245Tunnelling=0
h323_message_body=6 protocolIdentifier=0.0.8.2250.0.7 dialledDigits=3003 ipV4=10.0.0.3 ipV4_port=1720 conferenceID=20212223-2425-2627-2829-2a2b2c2d2e2f guid=40414243-4445-4647-4849-4a4b4c4d4e4f multipleCalls=0 maintainConnection=0 reason=1 h245Tunnelling=1
h323_message_body=8 h245Tunnelling=1 pdu_type=0 request=9
h323_message_body=4 protocolIdentifier=0.0.8.2250.0.7 guid=40414243-4445-4647-4849-4a4b4c4d4e4f h245Tunnelling=1
h323_message_body=9 protocolIdentifier=0.0.8.2250.0.7 guid=40414243-4445-4647-4849-4a4b4c4d4e4f h245Tunnelling=1
h323_message_body=10 protocolIdentifier=0.0.8.2250.0.7 guid=40414243-4445-4647-4849-4a4b4c4d4e4f h245Tunnelling=1)"
        "\n");
}

TEST(UserInformation, ErlangReencodesEveryBodyToOurOctets) {
    std::vector<std::vector<std::uint8_t>> encodings;
    for (const auto& sample : everyBody())
        encodings.push_back(encode(sample.information));
    EXPECT_EQ(test::erlangReencodes(SB_VECTORS_DIR, SB_INTEROP_DIR, "H225Subset",
                                    "H323-UserInformation", encodings),
              fmt::format("checked {}\n", encodings.size()));
}

// The tags an escalation's call carries (its trace id, the expert's and the escalation's ids)
// ride in the H323-UU-PDU's genericData: Switchboard's GenericData, a text parameter each. They
// read back, Erlang's codec re-encodes them to our octets, and tshark shows them as text. A
// peer's GenericData of other kinds (numbers, raw octets, compound and nested parameters) is
// read past, and its tags are not ours.
TEST(UserInformation, TheTagsTravelInGenericDataAndTsharkReadsThem) {
    const Tags tags{{"Trace-ID", "4bf92f3577b34da6a3ce929d0e0e4736"},
                    {"Expert-ID", "dr-hayes"},
                    {"Escalation-ID", "esc-1"},
                    {"Note", "caf\xc3\xa9"}}; // not IA5: left out
    h225::Setup setup;
    setup.callIdentifier = guid(0x40);
    setup.conferenceID = guid(0x20);
    UserInformation ours{setup, true, {}};
    ours.genericData.push_back(*tagsData(tags));
    // Another vendor's: a standard id, a number and raw octets, a compound and nested data.
    GenericData theirs;
    theirs.id.standard = 7;
    EnumeratedParameter number;
    number.id.standard = 1;
    theirs.parameters.push_back(number);
    ours.genericData.push_back(theirs);
    const auto bytes = encode(ours);
    auto back = decodeUserInformation(bytes);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, ours);
    EXPECT_EQ(tagsOf(back->genericData), Tags(tags.begin(), tags.end() - 1));
    EXPECT_EQ(test::erlangReencodes(SB_VECTORS_DIR, SB_INTEROP_DIR, "H225Subset",
                                    "H323-UserInformation", {bytes}),
              "checked 1\n");

    q931::Message m;
    m.type = q931::MessageType::setup;
    m.callReference = 0x0102;
    m.set(q931::element::userUser, q931::writeUserUser(bytes));
    const std::string fields = "h225.nonStandard h225.standard h225.text";
    const auto reading = test::readWithTshark({tpktFrame(q931::write(m))},
                                              "-4 10.0.0.1,10.0.0.2 -T 40000,1720", fields);
    ASSERT_EQ(reading.trouble, "");
    EXPECT_EQ(reading.malformed, "");
    EXPECT_EQ(test::namedFields(reading, fields).at(0),
              "nonStandard=6f1c54e2-8a3d-4b7e-9c11-5d0a7e3b2f48 standard=1,2,3,7,1 "
              "text=Trace-ID=4bf92f3577b34da6a3ce929d0e0e4736,Expert-ID=dr-hayes,"
              "Escalation-ID=esc-1");
}

TEST(UserInformation, APeersGenericDataOfEveryContentIsReadPast) {
    // Content raw (an empty octet string), number8 7, compound [standard 2: text "x"], nested
    // [GenericData standard 3], as another encoder wrote them (Erlang's, below).
    const auto peers = test::erlangEncodes(
        SB_VECTORS_DIR, "H225Subset", "GenericData",
        "{'GenericData', {standard, 9}, [{'EnumeratedParameter', {standard, 1}, {raw, <<>>}},"
        " {'EnumeratedParameter', {standard, 2}, {number8, 7}},"
        " {'EnumeratedParameter', {standard, 3}, {compound, [{'EnumeratedParameter', {standard, "
        "2}, {text, \"x\"}}]}},"
        " {'EnumeratedParameter', {standard, 4}, {nested, [{'GenericData', {standard, 3}, "
        "asn1_NOVALUE}]}}]}");
    ASSERT_FALSE(peers.empty()) << "Erlang could not encode it";
    per::Decoder d(peers);
    const auto data = decodeGenericData(d);
    ASSERT_TRUE(d.finish()) << d.finish().error().message;
    EXPECT_EQ(data.id.standard, 9u);
    ASSERT_EQ(data.parameters.size(), 4u);
    EXPECT_FALSE(data.parameters[2].text) << "a compound content is not a text";
}

// A GenericIdentifier of a later version (an extension alternative) is kept as it came and
// sent back so: the fuzzer found one re-encoded as a nonStandard id.
TEST(UserInformation, AGenericIdentifierOfALaterVersionIsSentBackAsItCame) {
    per::Encoder e;
    e.bit(false);         // GenericData: no additions
    e.bit(false);         // no parameters
    e.choiceExtension(4); // id: the fifth extension alternative
    e.openTypeOctets(std::vector<std::uint8_t>{0x29, 0x00});
    const auto bytes = e.finish();
    per::Decoder d(bytes);
    const auto data = decodeGenericData(d);
    ASSERT_TRUE(d.finish()) << d.finish().error().message;
    EXPECT_EQ(data.id.kind, GenericIdentifier::Kind::other);
    per::Encoder again;
    encode(again, data);
    EXPECT_EQ(again.finish(), bytes);
}

// A Setup as another vendor's endpoint may send it: non-standard data, a url-ID alias, Q-series
// options, extra call references, H.245 security and tokens among the additions, user-data.
// We take what we use, keep the alias as it came, and read past the rest.
TEST(UserInformation, APeersSetupIsReadPastWhatWeDoNotTake) {
    per::Encoder e;
    e.bit(false);
    e.bit(true);          // user-data
    e.bit(true);          // H323-UU-PDU's additions
    e.bit(true);          // nonStandardData
    e.choice(0, 7, true); // setup
    e.bit(true);
    for (bool present : {false, true, false, false, false, true, true})
        e.bit(present); // sourceAddress, destExtraCRV, callServices
    e.objectIdentifier(per::ObjectIdentifier{0, 0, 8, 2250, 0, 4});
    e.items(1, [&](std::uint64_t, std::uint64_t) { // sourceAddress: url-ID (extension 0)
        e.choiceExtension(0);
        e.openType([](per::Encoder& inner) {
            inner.characterString("h323:alice@example.org", per::kIa5, 1, 512);
        });
    });
    // sourceInfo: nonStandardData, vendor, terminal
    e.bit(false);
    for (bool present : {true, true, false, false, false, true})
        e.bit(present);
    const auto nonStandard = [&] {
        e.choice(1, 2, true);
        e.bit(false);
        e.integer(181, 0, 255);
        e.integer(0, 0, 255);
        e.integer(18, 0, 65535);
        e.octetString(std::vector<std::uint8_t>{9, 9}, 0, per::kUnbounded);
    };
    nonStandard();
    e.bit(false);
    e.bit(true);
    e.bit(true);
    e.bit(false);
    e.integer(9, 0, 255);
    e.integer(0, 0, 255);
    e.integer(61, 0, 65535);
    e.octetString(std::vector<std::uint8_t>{'P', 'e', 'e', 'r'}, 1, 256);
    e.octetString(std::vector<std::uint8_t>{'4', '.', '2'}, 1, 256);
    e.bit(false); // terminal
    e.bit(false);
    e.bit(false);                                  // mc
    e.bit(false);                                  // undefinedNode
    e.items(2, [&](std::uint64_t, std::uint64_t) { // destExtraCRV
        e.integer(7, 0, 65535);
        e.integer(8, 0, 65535);
    });
    e.bit(false); // activeMC
    encodeGuid(e, guid(0x20));
    e.choice(1, 3, true); // join
    e.bit(false);         // callServices: QseriesOptions
    e.bits(0x55, 7);
    e.bit(false);
    e.bits(1, 2);
    e.choice(0, 4, true); // pointToPoint
    std::array<bool, 28> additions{};
    for (std::size_t i : {2, 3, 4, 6, 7, 8, 10, 11})
        additions[i] = true;
    per::writeAdditions(e, additions, [&](std::size_t i, per::Encoder& inner) {
        switch (i) {
        case 2:
            return encodeCallIdentifier(inner, guid(0x40));
        case 3: // h245SecurityCapability, tokens: what we never read, as opaque octets
        case 4:
            return inner.octets(std::vector<std::uint8_t>{1, 2, 3});
        case 6:
            return inner.items(1, [&](std::uint64_t, std::uint64_t) {
                inner.octetString(proposals(1)[0], 0, per::kUnbounded);
            });
        default:
            return inner.bit(i == 8);
        }
    });
    nonStandard(); // H323-UU-PDU's nonStandardData follows the body
    const std::array<bool, 9> pdu{false, true};
    per::writeAdditions(e, pdu, [](std::size_t, per::Encoder& inner) { inner.bit(true); });
    e.bit(false); // user-data
    e.integer(5, 0, 255);
    e.octetString(std::vector<std::uint8_t>{'x'}, 1, 131);
    const auto bytes = e.finish();

    auto information = decodeUserInformation(bytes);
    ASSERT_TRUE(information) << information.error().message;
    const auto& setup = std::get<h225::Setup>(information->body);
    EXPECT_EQ(setup.protocolIdentifier, (per::ObjectIdentifier{0, 0, 8, 2250, 0, 4}));
    ASSERT_EQ(setup.sourceAddress.size(), 1u);
    EXPECT_EQ(std::get<OtherAlias>(setup.sourceAddress[0]).extension, 0u);
    ASSERT_TRUE(setup.sourceInfo.vendor);
    EXPECT_EQ(setup.sourceInfo.vendor->productId, "Peer");
    EXPECT_EQ(setup.sourceInfo.vendor->versionId, "4.2");
    EXPECT_EQ(setup.conferenceGoal, h225::Setup::Goal::join);
    EXPECT_EQ(setup.callIdentifier, guid(0x40));
    EXPECT_EQ(setup.fastStart, std::vector<Octets>{proposals(1)[0]});
    EXPECT_TRUE(setup.canOverlapSend);
    EXPECT_TRUE(information->h245Tunnelling);
    // And the url-ID goes back out as it came: tshark reads it in a Setup of ours.
    h225::Setup ours;
    ours.sourceAddress = setup.sourceAddress;
    const auto reading =
        test::readWithTshark({encode(UserInformation{ours, false, {}})}, "-l 147", "h225.url_ID",
                             R"x(-o 'uat:user_dlts:"User 0 (DLT=147)","h225","0","","0",""')x");
    EXPECT_EQ(reading.malformed, "");
    EXPECT_EQ(reading.fields, "h323:alice@example.org\n");
}

TEST(UserInformation, BadInputIsRefusedNamingTheField) {
    const auto why = [](std::vector<std::uint8_t> b) {
        auto m = decodeUserInformation(b);
        return m ? std::string("accepted") : m.error().message;
    };
    auto setup = encode(everyBody()[0].information);
    EXPECT_NE(why({setup.begin(), setup.begin() + 40}).find("h323-uu-pdu.setup."),
              std::string::npos)
        << why({setup.begin(), setup.begin() + 40});
    setup.push_back(0);
    EXPECT_EQ(why(setup), "1 octets left over after the value");
    // A Status whose tokens are present (H.235): refused by name.
    per::Encoder status;
    status.bit(false);
    status.bit(false);
    status.bit(true);
    status.bit(false);
    status.choiceExtension(2); // status
    status.openType([](per::Encoder& e) {
        e.bit(false);
        e.bit(true); // tokens
        e.bit(false);
        e.objectIdentifier(kProtocolIdentifier);
        encodeCallIdentifier(e, guid(1));
    });
    const std::array<bool, 9> tunnelling{false, true};
    status.extensionPresence(tunnelling);
    status.openType([](per::Encoder& e) { e.bit(false); });
    EXPECT_EQ(why(status.finish()), "h323-uu-pdu.status: tokens and H.235 security are not taken");
}

} // namespace
} // namespace sb::h323::h225
