// DCEP (RFC 8832): the open and ack messages, byte for byte; what does not fit the RFC is
// refused with the field named; stream ids by DTLS role.
#include "webrtc/dcep.hpp"

#include <gtest/gtest.h>

namespace sb::webrtc {
namespace {

std::vector<std::byte> bytes(std::initializer_list<int> values) {
    std::vector<std::byte> out;
    for (int v : values)
        out.push_back(static_cast<std::byte>(v));
    return out;
}

// A reliable, ordered channel "chat" with protocol "json", as RFC 8832 §5.1 lays it out.
const std::vector<std::byte> kOpenChat =
    bytes({0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04,
           0x00, 0x04, 'c',  'h',  'a',  't',  'j',  's',  'o',  'n'});

TEST(Dcep, ReadsAnOpenAsTheRfcLaysItOut) {
    auto m = readDcep(kOpenChat);
    ASSERT_TRUE(m) << m.error().message;
    const auto& open = std::get<DataChannelOpen>(*m);
    EXPECT_EQ(open.type, ChannelType::reliable);
    EXPECT_TRUE(open.ordered());
    EXPECT_EQ(open.priority, 256);
    EXPECT_EQ(open.label, "chat");
    EXPECT_EQ(open.protocol, "json");
}

TEST(Dcep, WritesWhatItReads) {
    DataChannelOpen open{ChannelType::partialReliableTimedUnordered, 512, 3000, "evidence", ""};
    auto written = writeDcep(open);
    ASSERT_TRUE(written);
    auto again = readDcep(*written);
    ASSERT_TRUE(again);
    EXPECT_EQ(std::get<DataChannelOpen>(*again), open);
    EXPECT_FALSE(open.ordered());
    EXPECT_EQ(*writeDcep(std::get<DataChannelOpen>(*readDcep(kOpenChat))), kOpenChat);
    EXPECT_EQ(*writeDcep(DataChannelAck{}), bytes({0x02}));
    EXPECT_TRUE(std::holds_alternative<DataChannelAck>(*readDcep(bytes({0x02}))));
}

TEST(Dcep, RefusesWhatDoesNotFitNamingTheField) {
    auto message = [](const std::vector<std::byte>& b) {
        auto m = readDcep(b);
        EXPECT_FALSE(m);
        return m ? std::string() : m.error().message;
    };
    EXPECT_EQ(message({}), "DCEP: an empty message");
    EXPECT_EQ(message(bytes({0x04})), "DCEP: message type 0x04 is unknown");
    EXPECT_EQ(message(bytes({0x02, 0x00})),
              "DCEP DATA_CHANNEL_ACK: 1 bytes after its message type");
    EXPECT_EQ(message(bytes({0x03, 0x00, 0x00})),
              "DCEP DATA_CHANNEL_OPEN: 3 bytes, shorter than its 12-byte header");
    auto wrongType = kOpenChat;
    wrongType[1] = std::byte{0x03};
    EXPECT_EQ(message(wrongType), "DCEP DATA_CHANNEL_OPEN: channel type 0x03 is unknown");
    auto longLabel = kOpenChat;
    longLabel[9] = std::byte{0x20}; // 32 bytes of label, 4 of protocol: more than there are
    EXPECT_EQ(message(longLabel), "DCEP DATA_CHANNEL_OPEN: label length 32 and protocol length 4 "
                                  "do not add up to the 8 bytes after the header");
    auto notUtf8 = kOpenChat;
    notUtf8[12] = std::byte{0xC0}; // an overlong form
    EXPECT_EQ(message(notUtf8), "DCEP DATA_CHANNEL_OPEN: the label is not UTF-8");
}

TEST(Dcep, TakesUtf8LabelsAndRefusesSurrogates) {
    auto withLabel = [](std::string label) {
        DataChannelOpen open;
        open.label = std::move(label);
        auto b = *writeDcep(open);
        return readDcep(b).has_value();
    };
    EXPECT_TRUE(withLabel("Beweismittel \xC3\xBC \xE2\x82\xAC \xF0\x9F\x93\x8E"));
    EXPECT_FALSE(withLabel("\xED\xA0\x80"));     // U+D800
    EXPECT_FALSE(withLabel("\xF4\x90\x80\x80")); // above U+10FFFF
    EXPECT_FALSE(withLabel("\xE2\x82"));         // cut short
}

TEST(Dcep, ALabelTooLongToSayIsRefused) {
    DataChannelOpen open;
    open.label.assign(70000, 'x');
    EXPECT_EQ(writeDcep(open).error().code, Errc::too_large);
}

TEST(Dcep, TheDtlsClientOpensEvenStreamsAndTheServerOdd) {
    EXPECT_TRUE(mayOpen(DtlsRole::client, 0));
    EXPECT_TRUE(mayOpen(DtlsRole::client, 2));
    EXPECT_FALSE(mayOpen(DtlsRole::client, 1));
    EXPECT_TRUE(mayOpen(DtlsRole::server, 1));
    EXPECT_FALSE(mayOpen(DtlsRole::server, 65534));
}

} // namespace
} // namespace sb::webrtc
