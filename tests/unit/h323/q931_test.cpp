// Q.931 as H.225.0 profiles it, and TPKT: messages written and read back, a ReleaseComplete
// worked out by hand from Q.931 §4, bad input refused naming the field, and a TCP stream cut
// anywhere split into its packets. tshark's reading of the same messages is q931_tshark_test.
#include "h323/q931/message.hpp"
#include "h323/q931/tpkt.hpp"

#include <gtest/gtest.h>

namespace sb::h323::q931 {
namespace {

Message setup() {
    Message m;
    m.type = MessageType::setup;
    m.callReference = 0x1234;
    m.set(element::userUser, writeUserUser(std::vector<std::uint8_t>{0x20, 0xa8}));
    m.set(element::calledPartyNumber, writePartyNumber({1, 1, "4930123456"}));
    m.set(element::bearerCapability, writeBearer({}));
    m.set(element::display, {'S', 'w', 'i', 't', 'c', 'h', 'b', 'o', 'a', 'r', 'd'});
    m.set(element::callingPartyNumber, writePartyNumber({0, 1, "1001"}));
    return m;
}

TEST(Q931, AReleaseCompleteIsWhatQ931Lays) {
    Message m;
    m.type = MessageType::releaseComplete;
    m.callReference = 1;
    m.set(element::cause, writeCause({16, 0}));
    const std::vector<std::uint8_t> expected{0x08, 0x02, 0x00, 0x01, 0x5a, 0x08, 0x02, 0x80, 0x90};
    EXPECT_EQ(write(m), expected);
    EXPECT_EQ(tpktFrame(write(m)).size(), expected.size() + 4);
}

TEST(Q931, ASetupReadsBackWithItsElementsInOrder) {
    const auto bytes = write(setup());
    auto m = read(bytes);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->type, MessageType::setup);
    EXPECT_EQ(m->callReference, 0x1234);
    EXPECT_FALSE(m->fromDestination);
    std::vector<std::uint8_t> ids;
    for (const auto& e : m->elements)
        ids.push_back(e.id);
    EXPECT_EQ(ids, (std::vector<std::uint8_t>{0x04, 0x28, 0x6c, 0x70, 0x7e}));
    const auto bearer = readBearer(m->find(element::bearerCapability)->contents);
    ASSERT_TRUE(bearer);
    EXPECT_EQ(bearer->capability, 0);
    EXPECT_EQ(bearer->layer1, 2);
    EXPECT_EQ(readPartyNumber(m->find(element::calledPartyNumber)->contents)->digits, "4930123456");
    EXPECT_EQ(readPartyNumber(m->find(element::callingPartyNumber)->contents)->digits, "1001");
    const auto uu = readUserUser(m->find(element::userUser)->contents);
    ASSERT_TRUE(uu);
    EXPECT_EQ(std::vector<std::uint8_t>(uu->begin(), uu->end()),
              (std::vector<std::uint8_t>{0x20, 0xa8}));
    // The User-user element's length takes two octets (H.225.0 §7.2.2.9).
    EXPECT_EQ(bytes[bytes.size() - 6], 0x7e);
    EXPECT_EQ(bytes[bytes.size() - 5], 0x00);
    EXPECT_EQ(bytes[bytes.size() - 4], 0x03);
}

TEST(Q931, BadMessagesAreRefusedNamingTheField) {
    const auto why = [](std::vector<std::uint8_t> bytes) {
        auto m = read(bytes);
        return m ? std::string("accepted") : m.error().message;
    };
    EXPECT_EQ(why({0x09, 0x02, 0x00, 0x01, 0x05}), "Q.931: protocol discriminator 0x09, not 0x08");
    EXPECT_EQ(why({0x08, 0x01, 0x01, 0x05, 0x00}), "Q.931: a call reference of 1 octets, not 2");
    EXPECT_EQ(why({0x08, 0x02, 0x00, 0x01, 0x4f}), "Q.931: message type 0x4f");
    EXPECT_EQ(why({0x08, 0x02, 0x00, 0x01, 0x5a, 0x08, 0x05, 0x80}),
              "Q.931: Cause: 5 octets said, 1 left");
    EXPECT_EQ(why({0x08, 0x02, 0x00, 0x01, 0x05, 0x70, 0x01, 0x81, 0x04, 0x01, 0x80}),
              "Q.931: Bearer capability (0x04) out of order or repeated");
    EXPECT_EQ(why({0x08, 0x02, 0x00, 0x01, 0x05, 0x7e, 0x00}), "Q.931: User-user: no length");
    EXPECT_EQ(readPartyNumber(std::vector<std::uint8_t>{0x81, '1', 'x'}).error().message,
              "Q.931: party number: the digit 0x78");
    EXPECT_FALSE(readUserUser(std::vector<std::uint8_t>{0x04, 0x00}));
    EXPECT_EQ(readCause(std::vector<std::uint8_t>{0x00, 0x11, 0x91})->value, 17)
        << "octet 3a, then the value";
}

// Between the two packets, a keep-alive (a TPKT with no payload, H.460.18 §18) is passed over.
TEST(Tpkt, AStreamCutAnywhereGivesItsPackets) {
    const auto first = tpktFrame(write(setup()));
    Message rc;
    rc.type = MessageType::releaseComplete;
    rc.fromDestination = true;
    rc.set(element::cause, writeCause({17, 1}));
    const auto second = tpktFrame(write(rc));
    std::vector<std::uint8_t> stream(first);
    for (std::uint8_t b : {3, 0, 0, 4})
        stream.push_back(b);
    stream.insert(stream.end(), second.begin(), second.end());
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        TpktReader reader;
        std::vector<std::vector<std::uint8_t>> got;
        for (auto part : {std::span(stream).first(cut), std::span(stream).subspan(cut)}) {
            reader.add(part);
            while (true) {
                auto next = reader.next();
                ASSERT_TRUE(next);
                if (!*next) break;
                got.push_back(std::move(**next));
            }
        }
        ASSERT_EQ(got.size(), 2u) << "cut at " << cut;
        EXPECT_EQ(read(got[1])->type, MessageType::releaseComplete);
    }
    TpktReader bad;
    bad.add(std::vector<std::uint8_t>{2, 0, 0, 9});
    EXPECT_EQ(bad.next().error().message, "TPKT: version 2, not 3");
    TpktReader shortLength;
    shortLength.add(std::vector<std::uint8_t>{3, 0, 0, 4, 3, 0, 0, 3});
    EXPECT_EQ(shortLength.next().error().message, "TPKT: a length of 3");
}

TEST(Tpkt, WhatWasHandedOutIsNotKept) {
    // Every segment ends one octet into the next packet: the reader holds a packet's worth,
    // not the stream.
    const auto packet = tpktFrame(write(setup()));
    std::vector<std::uint8_t> segment(packet.begin() + 1, packet.end());
    segment.push_back(packet[0]);
    TpktReader reader;
    reader.add(std::span(packet).first(1));
    std::size_t got = 0;
    for (int i = 0; i < 10000; ++i) {
        reader.add(segment);
        while (true) {
            auto next = reader.next();
            ASSERT_TRUE(next);
            if (!*next) break;
            ++got;
        }
        ASSERT_LE(reader.held(), 2 * packet.size()) << "after " << i + 1 << " segments";
    }
    EXPECT_EQ(got, 10000u);
}

} // namespace
} // namespace sb::h323::q931
