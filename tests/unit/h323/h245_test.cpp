// H.245 messages: every one we send, written and read back by us, read by tshark (Wireshark's
// H.245 dissector, built from the whole ITU module) with nothing malformed and its fields as
// written, and by Erlang's ASN.1 codec (given tests/vectors/per/H245Subset.asn1, the subset we
// encode), which must decode each and encode what it decoded to the same octets. A peer's
// capabilities we do not take are read past, and bad input is refused naming the field.
#include "h323/h245/message.hpp"
#include "h323/per/encoder.hpp"
#include "support/command_output.hpp"
#include "support/erlang_per.hpp"
#include "support/h245_requests.hpp"
#include "support/tshark.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

namespace sb::h323::h245 {
namespace {

// H.245 on a link type of its own, one message a packet (PEERS.md): text2pcap's framing and
// tshark's option naming the dissector.
constexpr const char* kH245Framing = "-l 147";
constexpr const char* kH245Link =
    R"x(-o 'uat:user_dlts:"User 0 (DLT=147)","h245dg","0","","0",""')x";

AudioCapability audio(AudioCodec codec, std::uint16_t frames) {
    AudioCapability a;
    a.codec = codec;
    a.frames = frames;
    return a;
}

// A generic capability, the form a codec without an H.245 alternative of its own (Opus)
// takes; the identifier is a test's own.
AudioCapability generic() {
    AudioCapability a;
    a.codec = AudioCodec::generic;
    a.generic.identifier = {1, 3, 6, 1, 4, 1, 32473, 245, 1};
    a.generic.maxBitRate = 5100;
    a.generic.collapsing = {{1, GenericParameter::Kind::unsignedMax, 48000},
                            {2, GenericParameter::Kind::booleanArray, 3},
                            {3, GenericParameter::Kind::unsigned32Min, 70000},
                            {4, GenericParameter::Kind::logical, 0}};
    return a;
}

TerminalCapabilitySet capabilitySet() {
    TerminalCapabilitySet m;
    m.sequenceNumber = 7;
    auto gsm = audio(AudioCodec::gsmFullRate, 33);
    gsm.comfortNoise = true;
    const std::vector<AudioCapability> ours{audio(AudioCodec::g711Ulaw64k, 20),
                                            audio(AudioCodec::g711Alaw64k, 20),
                                            audio(AudioCodec::g722_64k, 20),
                                            audio(AudioCodec::g729, 2),
                                            audio(AudioCodec::g729AnnexA, 2),
                                            gsm,
                                            generic()};
    std::vector<std::uint16_t> alternatives;
    for (std::size_t i = 0; i < ours.size(); ++i) {
        Capability c;
        c.kind =
            i == 0 ? Capability::Kind::receiveAndTransmitAudio : Capability::Kind::receiveAudio;
        c.audio = ours[i];
        m.table.push_back({static_cast<std::uint16_t>(i + 1), c});
        alternatives.push_back(static_cast<std::uint16_t>(i + 1));
    }
    m.descriptors.push_back({0, {alternatives}});
    return m;
}

OpenLogicalChannel fastStartTransmit() {
    OpenLogicalChannel m;
    m.number = 101;
    m.forward.dataType.audio = audio(AudioCodec::g711Alaw64k, 20);
    H2250Parameters p;
    p.sessionID = 1;
    p.mediaControlChannel = UnicastAddress{{10, 0, 0, 1}, 40001};
    p.silenceSuppression = false;
    m.forward.h2250 = p;
    return m;
}

OpenLogicalChannel fastStartReceive() {
    OpenLogicalChannel m;
    m.number = 102;
    m.forward.dataType.kind = DataType::Kind::null;
    ChannelParameters reverse;
    reverse.dataType.audio = audio(AudioCodec::g722_64k, 20);
    H2250Parameters p;
    p.mediaChannel = UnicastAddress{{10, 0, 0, 1}, 40000};
    p.mediaControlChannel = UnicastAddress{{10, 0, 0, 1}, 40001};
    p.dynamicRTPPayloadType = 101;
    reverse.h2250 = p;
    m.reverse = reverse;
    return m;
}

OpenLogicalChannelAck channelAck() {
    H2250AckParameters p;
    p.sessionID = 1;
    p.mediaChannel = UnicastAddress{{192, 168, 1, 20}, 5004};
    p.mediaControlChannel = UnicastAddress{{192, 168, 1, 20}, 5005};
    return {101, p};
}

UserInputIndication signal(char c, std::uint16_t ms) {
    UserInputIndication m;
    m.signal = c;
    m.duration = ms;
    return m;
}

UserInputIndication alphanumeric(std::string text) {
    UserInputIndication m;
    m.kind = UserInputIndication::Kind::alphanumeric;
    m.alphanumeric = std::move(text);
    return m;
}

// One of each message we send, in a stable order the expectations below follow.
std::vector<Message> everyMessage() {
    TerminalCapabilitySet empty; // the empty capability set: hold
    empty.sequenceNumber = 8;
    empty.h2250Capability = false;
    return {MasterSlaveDetermination{50, 0x123456},
            capabilitySet(),
            empty,
            fastStartTransmit(),
            fastStartReceive(),
            CloseLogicalChannel{101, true},
            RequestChannelClose{102},
            RoundTripDelayRequest{9},
            MasterSlaveDeterminationAck{true},
            MasterSlaveDeterminationReject{},
            TerminalCapabilitySetAck{7},
            TerminalCapabilitySetReject{
                7, TerminalCapabilitySetReject::Cause::tableEntryCapacityExceeded, 4},
            channelAck(),
            OpenLogicalChannelReject{102, OpenLogicalChannelReject::Cause::dataTypeNotSupported},
            OpenLogicalChannelReject{103, OpenLogicalChannelReject::Cause::invalidSessionID},
            CloseLogicalChannelAck{101},
            RequestChannelCloseAck{102},
            RequestChannelCloseReject{102},
            MultiplexEntrySendReject{4, {1, 2}},
            RequestMultiplexEntryReject{{1, 3}},
            RequestModeReject{5},
            RoundTripDelayResponse{9},
            MaintenanceLoopReject{{MaintenanceLoop::Kind::media, 101}},
            MaintenanceLoopReject{{MaintenanceLoop::Kind::system, 0}},
            EndSessionCommand{},
            FunctionNotUnderstood(RoundTripDelayRequest{3}),
            FunctionNotSupported{FunctionNotSupported::Cause::unknownFunction,
                                 test::h245::nonStandardRequest()},
            signal('5', 160),
            signal('#', 100),
            alphanumeric("123#")};
}

TEST(H245, EveryMessageReadsBack) {
    for (const auto& m : everyMessage()) {
        const auto bytes = encode(m);
        ASSERT_FALSE(bytes.empty());
        auto back = decode(bytes);
        ASSERT_TRUE(back) << m.index() << ": " << back.error().message;
        EXPECT_EQ(*back, m) << "message " << m.index();
    }
}

TEST(H245, TsharkReadsEveryMessageAsWritten) {
    std::vector<std::vector<std::uint8_t>> packets;
    const auto messages = everyMessage();
    packets.reserve(messages.size());
    for (const auto& m : messages)
        packets.push_back(encode(m));
    const std::string fields =
        "h245.pdu_type h245.request h245.response h245.command h245.indication "
        "h245.terminalType h245.statusDeterminationNumber h245.sequenceNumber "
        "h245.protocolIdentifier h245.capabilityTableEntryNumber h245.g711Ulaw64k "
        "h245.g711Alaw64k h245.g722_64k h245.g729 h245.g729AnnexA h245.audioUnitSize "
        "h245.comfortNoise h245.standardOid h245.maxBitRate h245.standard h245.unsignedMax "
        "h245.booleanArray h245.unsigned32Min h245.CapabilityTableEntryNumber "
        "h245.forwardLogicalChannelNumber h245.sessionID h245.ip4_network h245.tsapIdentifier "
        "h245.silenceSuppression h245.dynamicRTPPayloadType h245.decision h245.cause "
        "h245.highestEntryNumberProcessed h245.source h245.signalType h245.duration "
        "h245.alphanumeric h245.multiplexTableEntryNumber h245.MultiplexTableEntryNumber "
        "h245.mediaLoop h245.returnedFunction";
    const auto reading = test::readWithTshark(packets, kH245Framing, fields, kH245Link);
    ASSERT_EQ(reading.trouble, "");
    EXPECT_EQ(reading.malformed, "") << "tshark finds these malformed";
    std::string got;
    for (const auto& packet : test::namedFields(reading, fields))
        got += packet + "\n";
    // Requests: MasterSlaveDetermination, our capability set, the empty one (hold), fastStart
    // proposals to transmit (our RTCP address) and to receive (RTP and RTCP), CLC, RCC, RTD;
    // then the responses (the refusals with their first causes), the EndSessionCommand and the
    // indications (FunctionNotSupported's returned function read as a message of its own).
    EXPECT_EQ(got, R"(pdu_type=0 request=1 terminalType=50 statusDeterminationNumber=1193046
pdu_type=0 request=2 sequenceNumber=7 protocolIdentifier=0.0.8.245.0.15 capabilityTableEntryNumber=1,2,3,4,5,6,7 g711Ulaw64k=20 g711Alaw64k=20 g722_64k=20 g729=2 g729AnnexA=2 audioUnitSize=33 comfortNoise=1 standardOid=1.3.6.1.4.1.32473.245.1 maxBitRate=5100 standard=1,2,3,4 unsignedMax=48000 booleanArray=3 unsigned32Min=70000 CapabilityTableEntryNumber=1,2,3,4,5,6,7
pdu_type=0 request=2 sequenceNumber=8 protocolIdentifier=0.0.8.245.0.15
pdu_type=0 request=3 g711Alaw64k=20 forwardLogicalChannelNumber=101 sessionID=1 ip4_network=10.0.0.1 tsapIdentifier=40001 silenceSuppression=0
pdu_type=0 request=3 g722_64k=20 forwardLogicalChannelNumber=102 sessionID=1 ip4_network=10.0.0.1,10.0.0.1 tsapIdentifier=40000,40001 dynamicRTPPayloadType=101
pdu_type=0 request=4 forwardLogicalChannelNumber=101 source=0
pdu_type=0 request=5 forwardLogicalChannelNumber=102
pdu_type=0 request=9 sequenceNumber=9
pdu_type=1 response=1 decision=0
pdu_type=1 response=2 cause=0
pdu_type=1 response=3 sequenceNumber=7
pdu_type=1 response=4 sequenceNumber=7 cause=3 highestEntryNumberProcessed=4
pdu_type=1 response=5 forwardLogicalChannelNumber=101 sessionID=1 ip4_network=192.168.1.20,192.168.1.20 tsapIdentifier=5004,5005
pdu_type=1 response=6 forwardLogicalChannelNumber=102 cause=2
pdu_type=1 response=6 forwardLogicalChannelNumber=103 cause=9
pdu_type=1 response=7 forwardLogicalChannelNumber=101
pdu_type=1 response=8 forwardLogicalChannelNumber=102
pdu_type=1 response=9 forwardLogicalChannelNumber=102 cause=0
pdu_type=1 response=11 sequenceNumber=4 cause=0,0 multiplexTableEntryNumber=1,2
pdu_type=1 response=13 cause=0,0 multiplexTableEntryNumber=1,3 MultiplexTableEntryNumber=1,3
pdu_type=1 response=15 sequenceNumber=5 cause=0
pdu_type=1 response=16 sequenceNumber=9
pdu_type=1 response=18 cause=0 mediaLoop=101
pdu_type=1 response=18 cause=0
pdu_type=2 command=5
pdu_type=3 request=9 indication=1 sequenceNumber=3
pdu_type=3,0 request=0 indication=18 cause=2 returnedFunction=0040b500001202abcd
pdu_type=3 indication=13 signalType=5 duration=160
pdu_type=3 indication=13 signalType=# duration=100
pdu_type=3 indication=13 alphanumeric=123#)"
                   "\n");
}

TEST(H245, ErlangReencodesEveryMessageToOurOctets) {
    std::vector<std::vector<std::uint8_t>> encodings;
    for (const auto& m : everyMessage())
        encodings.push_back(encode(m));
    EXPECT_EQ(test::erlangReencodes(SB_VECTORS_DIR, SB_INTEROP_DIR, "H245Subset",
                                    "MultimediaSystemControlMessage", encodings),
              fmt::format("checked {}\n", encodings.size()));
}

// And one with its value written out, checked both ways.
TEST(H245, ErlangDecodesOurMasterSlaveDeterminationToItsValue) {
    const auto dir =
        std::filesystem::temp_directory_path() / fmt::format("sb-h245-erl-{}", ::getpid());
    std::filesystem::create_directories(dir);
    const auto compiled = test::commandOutput(fmt::format(
        "cd '{}' && erlc -bper '{}/per/H245Subset.asn1' 2>&1", dir.string(), SB_VECTORS_DIR));
    ASSERT_TRUE(std::filesystem::exists(dir / "H245Subset.beam")) << compiled;
    {
        std::ofstream vectors(dir / "vectors.terms");
        vectors << "{'MultimediaSystemControlMessage', {request, {masterSlaveDetermination, "
                   "{'MasterSlaveDetermination', 50, 1193046}}}, <<";
        const auto msd = encode(MasterSlaveDetermination{50, 0x123456});
        for (std::size_t i = 0; i < msd.size(); ++i)
            vectors << (i ? "," : "") << static_cast<int>(msd[i]);
        vectors << ">>}.\n";
    }
    const auto said = test::commandOutput(
        fmt::format("escript '{}/per_oracle.escript' '{}' H245Subset '{}' 2>&1", SB_INTEROP_DIR,
                    dir.string(), (dir / "vectors.terms").string()));
    std::filesystem::remove_all(dir);
    EXPECT_EQ(said, "checked 1\n");
}

// A capability set as a video endpoint sends it: H.261 and H.263 video, T.120 data, a
// non-standard capability and a user-input one beside G.711. We keep the audio and name the
// rest.
TEST(H245, APeersOtherCapabilitiesAreReadPast) {
    per::Encoder e;
    e.choice(0, 4, true);  // request
    e.choice(2, 11, true); // terminalCapabilitySet
    e.bit(false);
    e.bit(false); // multiplexCapability
    e.bit(true);  // capabilityTable
    e.bit(false); // capabilityDescriptors
    e.integer(1, 0, 255);
    e.objectIdentifier(kProtocolIdentifier);
    e.constrainedLength(6, 1, 256);
    const auto entry = [&](std::uint16_t n) {
        e.bit(true);
        e.integer(n, 1, 65535);
    };
    entry(1); // receiveVideoCapability h261VideoCapability { qcifMPI 1, cifMPI 2, …, 3840 }
    e.choice(1, 12, true);
    e.choice(1, 5, true);
    e.bit(false);
    e.bit(true);
    e.bit(true);
    e.integer(1, 1, 4);
    e.integer(2, 1, 4);
    e.bit(false);
    e.integer(3840, 1, 19200);
    e.bit(false);
    entry(2); // receiveVideoCapability h263VideoCapability { cifMPI 1, 3840, …, hrd-B 0 }
    e.choice(1, 12, true);
    e.choice(3, 5, true);
    e.bit(false);
    for (bool p : {false, false, true, false, false, true, false})
        e.bit(p);
    e.integer(1, 1, 32);
    e.integer(3840, 1, 192400);
    e.bits(0, 5);
    e.integer(0, 0, 524287);
    entry(3); // receiveAndTransmitDataApplicationCapability t120 separateLANStack-less: v14buffered
    e.choice(9, 12, true);
    e.bit(false);
    e.choice(1, 10, true);
    e.choice(1, 7, true);
    e.integer(640, 0, 4294967295);
    entry(4); // nonStandard { h221NonStandard { 181, 0, 18 }, data }
    e.choice(0, 12, true);
    e.choice(1, 2, false);
    e.integer(181, 0, 255);
    e.integer(0, 0, 255);
    e.integer(18, 0, 65535);
    const std::vector<std::uint8_t> data{1, 2, 3};
    e.octetString(data, 0, per::kUnbounded);
    entry(5); // receiveUserInputCapability (an extension alternative) basicString
    e.choiceExtension(3);
    e.openType([](per::Encoder& inner) { inner.choice(1, 4, true); });
    entry(6); // receiveAudioCapability g711Ulaw64k 20
    e.choice(4, 12, true);
    e.choice(3, 14, true);
    e.integer(20, 1, 256);
    const auto bytes = e.finish();

    auto m = decode(bytes);
    ASSERT_TRUE(m) << m.error().message;
    const auto& set = std::get<TerminalCapabilitySet>(*m);
    ASSERT_EQ(set.table.size(), 6u);
    EXPECT_EQ(set.table[0].capability->other, "receiveVideoCapability.h261VideoCapability");
    EXPECT_EQ(set.table[1].capability->other, "receiveVideoCapability.h263VideoCapability");
    EXPECT_EQ(set.table[2].capability->other, "receiveAndTransmitDataApplicationCapability.t120");
    EXPECT_EQ(set.table[3].capability->other, "nonStandard");
    EXPECT_EQ(set.table[4].capability->other, "receiveUserInputCapability");
    EXPECT_EQ(set.table[5].capability->kind, Capability::Kind::receiveAudio);
    EXPECT_EQ(set.table[5].capability->audio, audio(AudioCodec::g711Ulaw64k, 20));

    // And tshark agrees on what we made of the peer's set: nothing malformed in it.
    const auto reading = test::readWithTshark(
        {bytes}, kH245Framing, "h245.capabilityTableEntryNumber h245.g711Ulaw64k", kH245Link);
    EXPECT_EQ(reading.malformed, "");
    EXPECT_EQ(reading.fields, "1,2,3,4,5,6|20\n");
}

TEST(H245, MessagesWeDoNotModelAreKeptForTheAnswer) {
    // A non-standard request (a root alternative): its category and index, for the
    // FunctionNotSupported that returns it whole (h245_session_test).
    auto m = decode(test::h245::nonStandardRequest());
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(std::get<Unknown>(*m), (Unknown{Unknown::Category::request, false, 0, {}}));
    EXPECT_TRUE(encode(FunctionNotUnderstood(*m)).empty()) << "its value was not kept";

    // genericRequest (an extension alternative): kept as it came, and sent back in a
    // FunctionNotUnderstood that tshark reads.
    per::Encoder extension;
    extension.choice(0, 4, true);
    extension.choiceExtension(4);
    extension.openTypeOctets(std::vector<std::uint8_t>{0x00, 0x06, 0x00, 0x08});
    m = decode(extension.finish());
    ASSERT_TRUE(m) << m.error().message;
    const auto& unknown = std::get<Unknown>(*m);
    EXPECT_TRUE(unknown.extension);
    EXPECT_EQ(unknown.index, 4u);
    const auto answer = encode(FunctionNotUnderstood(*m));
    auto back = decode(answer);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*std::get<FunctionNotUnderstood>(*back).what(), *m);
    const auto reading = test::readWithTshark({answer}, kH245Framing, "h245.indication", kH245Link);
    EXPECT_EQ(reading.fields, "1\n");
}

// The requests an audio endpoint refuses, as a peer writes them: tshark reads each with
// nothing malformed, and we read what the refusal names (h245_session_test sends it).
TEST(H245, RequestsWeRefuseAreReadForTheirRefusals) {
    const std::vector<std::vector<std::uint8_t>> requests{
        test::h245::multiplexEntrySend(), test::h245::requestMultiplexEntry(),
        test::h245::requestMode(), test::h245::maintenanceLoopRequest(),
        test::h245::sendTerminalCapabilitySet()};
    const auto reading = test::readWithTshark(
        requests, kH245Framing,
        "h245.request h245.command h245.sequenceNumber h245.multiplexTableEntryNumber "
        "h245.MultiplexTableEntryNumber h245.g711Ulaw64k_element h245.mediaLoop "
        "h245.genericRequest_element",
        kH245Link);
    ASSERT_EQ(reading.trouble, "");
    EXPECT_EQ(reading.malformed, "");
    EXPECT_EQ(reading.fields, "6||4|1,2||||\n7||||1,3|||\n8||5|||1||\n10||||||101|\n|2||||||1\n");

    const auto read = [&](std::size_t i) {
        auto m = decode(requests[i]);
        EXPECT_TRUE(m) << i << ": " << m.error().message;
        return m ? *m : Message{};
    };
    EXPECT_EQ(std::get<MultiplexEntrySend>(read(0)), (MultiplexEntrySend{4, {1, 2}}));
    EXPECT_EQ(std::get<RequestMultiplexEntry>(read(1)), (RequestMultiplexEntry{{1, 3}}));
    EXPECT_EQ(std::get<RequestMode>(read(2)), RequestMode{5});
    EXPECT_EQ(std::get<MaintenanceLoopRequest>(read(3)),
              (MaintenanceLoopRequest{{MaintenanceLoop::Kind::media, 101}}));
    EXPECT_TRUE(std::holds_alternative<SendTerminalCapabilitySet>(read(4)));

    // A multiplex element nested deeper than H.223 allows (15) is refused, naming it.
    per::Encoder e;
    e.choice(0, 4, true);
    e.choice(6, 11, true);
    e.bit(false);
    e.integer(1, 0, 255);
    e.constrainedLength(1, 1, 15);
    e.bit(true);
    e.integer(1, 1, 15);
    e.constrainedLength(1, 1, 256);
    for (int depth = 0; depth < 16; ++depth) {
        e.choice(1, 2, false);
        e.constrainedLength(2, 2, 255);
    }
    auto deep = decode(e.finish());
    ASSERT_FALSE(deep);
    EXPECT_NE(deep.error().message.find("request.multiplexEntrySend.multiplexEntryDescriptors[0]"),
              std::string::npos)
        << deep.error().message;
}

TEST(H245, BadInputIsRefusedNamingTheField) {
    const auto why = [](std::vector<std::uint8_t> b) {
        auto m = decode(b);
        return m ? std::string("accepted") : m.error().message;
    };
    auto olc = encode(fastStartReceive());
    EXPECT_EQ(why({olc.begin(), olc.begin() + 12}).substr(0, 47),
              "request.openLogicalChannel.reverseLogicalChanne");
    auto tcs = encode(capabilitySet());
    EXPECT_NE(why({tcs.begin(), tcs.end() - 3}).find("request.terminalCapabilitySet"),
              std::string::npos);
    tcs.push_back(0);
    EXPECT_EQ(why(tcs), "1 octets left over after the value");
    EXPECT_EQ(why({0x80}), "an extension of MultimediaSystemControlMessage unknown to v15");
    EXPECT_EQ(why({}).substr(0, 20), "the encoding ends 1 ");
}

} // namespace
} // namespace sb::h323::h245
