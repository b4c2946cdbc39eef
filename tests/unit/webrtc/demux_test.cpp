// RFC 7983's first-byte demultiplexing, and the framing of a datagram's DTLS records.
#include "webrtc/demux.hpp"

#include <gtest/gtest.h>
#include <vector>

namespace sb::webrtc {
namespace {

std::vector<std::byte> bytes(std::initializer_list<int> values) {
    std::vector<std::byte> out;
    for (int v : values)
        out.push_back(static_cast<std::byte>(v));
    return out;
}

// A DTLS 1.2 record of `type` with `length` bytes of fragment.
std::vector<std::byte> record(int type, std::size_t length, int minor = 0xFD) {
    auto r = bytes({type, 0xFE, minor, 0, 0, 0, 0, 0, 0, 0, 1, static_cast<int>(length >> 8),
                    static_cast<int>(length & 0xFF)});
    r.resize(r.size() + length, std::byte{0x5A});
    return r;
}

TEST(Demux, ClassifiesByTheFirstByte) {
    EXPECT_EQ(classify(bytes({0x00, 0x01})), PacketKind::stun); // a Binding request
    EXPECT_EQ(classify(bytes({0x01})), PacketKind::stun);       // a Binding response
    EXPECT_EQ(classify(bytes({22})), PacketKind::dtls);
    EXPECT_EQ(classify(bytes({0x80})), PacketKind::rtp);
    EXPECT_EQ(classify(bytes({0xBF})), PacketKind::rtp);
    EXPECT_EQ(classify(bytes({0x40})), PacketKind::turnChannel);
    EXPECT_EQ(classify(bytes({17})), PacketKind::zrtp);
    EXPECT_EQ(classify(bytes({0xC0})), PacketKind::unknown);
    EXPECT_EQ(classify(bytes({10})), PacketKind::unknown);
    EXPECT_EQ(classify({}), PacketKind::unknown);
}

TEST(Demux, CountsTheRecordsOfAFlight) {
    auto flight = record(22, 100);
    auto ccs = record(20, 1);
    auto finished = record(22, 40);
    flight.insert(flight.end(), ccs.begin(), ccs.end());
    flight.insert(flight.end(), finished.begin(), finished.end());
    EXPECT_EQ(checkDtlsRecords(flight).value(), 3u);
    EXPECT_EQ(checkDtlsRecords(record(22, 0, 0xFF)).value(), 1u); // a DTLS 1.0 ClientHello's
}

TEST(Demux, RefusesWhatIsNotFramedAsDtlsNamingTheRecord) {
    auto why = [](const std::vector<std::byte>& d) {
        auto r = checkDtlsRecords(d);
        return r ? std::string("accepted") : r.error().message;
    };
    EXPECT_EQ(why({}), "DTLS: an empty datagram");
    EXPECT_EQ(why(bytes({22, 0xFE, 0xFD})),
              "DTLS record 1: 3 bytes, shorter than its 13-byte header");
    EXPECT_EQ(why(record(24, 4)), "DTLS record 1: content type 24 is not DTLS 1.2's");
    EXPECT_EQ(why(record(22, 4, 0xFC)), "DTLS record 1: version {254, 252} is not DTLS 1.0 or 1.2");
    auto cut = record(23, 50);
    cut.resize(40);
    EXPECT_EQ(why(cut), "DTLS record 1: length 50 runs past the datagram (27 bytes left)");
    auto two = record(22, 10);
    auto bad = record(23, 20000);
    two.insert(two.end(), bad.begin(), bad.end());
    EXPECT_EQ(why(two), "DTLS record 2: length 20000 is over 2^14 + 2048");
}

} // namespace
} // namespace sb::webrtc
