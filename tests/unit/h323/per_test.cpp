// Our aligned PER (X.691, ALIGNED variant): each rule's encoding worked out by hand from the
// section named, decoded back to the value, and bad input refused with the field's path. The
// ASN.1 modules' values are cross-checked against Erlang's compiler in their own tests.
#include "h323/per/decoder.hpp"
#include "h323/per/encoder.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace sb::h323::per {
namespace {

std::string hex(const std::vector<std::uint8_t>& bytes) {
    std::string out;
    for (auto b : bytes)
        out += fmt::format("{}{:02x}", out.empty() ? "" : " ", b);
    return out;
}

template <class F>
std::string encode(F&& f) {
    Encoder e;
    f(e);
    return hex(e.finish());
}

std::vector<std::uint8_t> bytes(std::string_view text) {
    return {text.begin(), text.end()};
}

TEST(Per, ConstrainedWholeNumbersTakeTheirRangesFourCases) {
    // §11.5.7: a bit-field up to 255 values, one aligned octet for 256, two up to 64K, and
    // beyond that a length (2 bits for up to 4 octets) and the octets, aligned.
    EXPECT_EQ(encode([](Encoder& e) { e.integer(5, 0, 7); }), "a0");
    EXPECT_EQ(encode([](Encoder& e) { e.integer(9, 9, 9); }), "00") << "one value takes no bits";
    EXPECT_EQ(encode([](Encoder& e) {
                  e.bit(true);
                  e.integer(3, 0, 255);
              }),
              "80 03");
    EXPECT_EQ(encode([](Encoder& e) {
                  e.bit(true);
                  e.integer(0x1234, 0, 65535);
              }),
              "80 12 34");
    EXPECT_EQ(encode([](Encoder& e) { e.integer(1, 0, 4294967295); }), "00 01");
    EXPECT_EQ(encode([](Encoder& e) { e.integer(0x12345678, 0, 4294967295); }), "c0 12 34 56 78");
    EXPECT_EQ(encode([](Encoder& e) { e.extensibleInteger(5, 0, 7); }), "50");
    EXPECT_EQ(encode([](Encoder& e) { e.extensibleInteger(9, 0, 7); }), "80 01 09");
}

TEST(Per, OtherWholeNumbers) {
    EXPECT_EQ(encode([](Encoder& e) { e.normallySmall(5); }), "0a");           // §11.6
    EXPECT_EQ(encode([](Encoder& e) { e.normallySmall(64); }), "80 01 40");    // §11.6, §11.7
    EXPECT_EQ(encode([](Encoder& e) { e.semiConstrained(256); }), "02 01 00"); // §11.7
    EXPECT_EQ(encode([](Encoder& e) { e.unconstrained(-1); }), "01 ff");       // §11.8
    EXPECT_EQ(encode([](Encoder& e) { e.unconstrained(128); }), "02 00 80");
    EXPECT_EQ(encode([](Encoder& e) { e.normallySmallLength(3); }), "04"); // §11.9.3.4
}

TEST(Per, OctetStringsByTheirSizeConstraints) {
    const auto ab = bytes("AB"), abc = bytes("ABC");
    // §17.6: a fixed size of two is not aligned; §17.7: three is.
    EXPECT_EQ(encode([&](Encoder& e) {
                  e.bit(true);
                  e.octetString(ab, 2, 2);
              }),
              "a0 a1 00");
    EXPECT_EQ(encode([&](Encoder& e) {
                  e.bit(true);
                  e.octetString(abc, 3, 3);
              }),
              "80 41 42 43");
    // §17.8: a constrained length (2 bits for 1..4), then the octets, aligned.
    EXPECT_EQ(encode([&](Encoder& e) { e.octetString(ab, 1, 4); }), "40 41 42");
    EXPECT_EQ(encode([&](Encoder& e) { e.octetString(ab, 0, kUnbounded); }), "02 41 42");
    const std::vector<std::uint8_t> two00(200, 0x5a);
    EXPECT_TRUE(
        encode([&](Encoder& e) { e.octetString(two00, 0, kUnbounded); }).starts_with("80 c8 5a"));
}

TEST(Per, LongLengthsAreFragmentedBy16K) {
    // §11.9.3.8: 64K at once at most (0xc4), then the rest; a whole number of 16K ends with a
    // zero length.
    for (auto [size, head, tail] : {std::tuple{std::size_t{16384 + 5}, "c1", "05"},
                                    std::tuple{std::size_t{16384}, "c1", "00"},
                                    std::tuple{std::size_t{70000}, "c4", "91 70"}}) {
        const std::vector<std::uint8_t> v(size, 0x11);
        Encoder e;
        e.octetString(v, 0, kUnbounded);
        const auto out = e.finish();
        EXPECT_EQ(hex({out.begin(), out.begin() + 1}), head) << size;
        const std::size_t first = size >= 65536 ? 65536 : 16384;
        const std::size_t tailSize = std::string_view(tail).size() == 2 ? 1 : 2;
        EXPECT_EQ(hex({out.begin() + 1 + first, out.begin() + 1 + first + tailSize}), tail) << size;
        EXPECT_EQ(out.size(), 1 + size + tailSize);
        Decoder d(out);
        EXPECT_EQ(d.octetString(0, kUnbounded), v);
        EXPECT_TRUE(d.finish());
    }
}

TEST(Per, CharacterStringsByTheirAlphabets) {
    // §30: IA5String in 8 bits; NumericString's 11 characters and H.225.0's dialedDigits' 13
    // in 4 bits, as indexes; aligned only when the longest string passes 16 bits.
    EXPECT_EQ(encode([](Encoder& e) { e.characterString("hi", kIa5, 0, kUnbounded); }), "02 68 69");
    EXPECT_EQ(encode([](Encoder& e) { e.characterString("12", kNumeric, 1, 4); }), "48 c0");
    EXPECT_EQ(encode([](Encoder& e) { e.characterString("123", kDialedDigits, 1, 128); }),
              "04 45 60");
    EXPECT_EQ(encode([](Encoder& e) { e.bmpString(u"A", 1, 256); }), "00 00 41");
}

TEST(Per, ObjectIdentifiersOpenTypesAndBitStrings) {
    // H.225.0 version 4's protocolIdentifier, as every H.323 capture shows it.
    const ObjectIdentifier h225v4{0, 0, 8, 2250, 0, 4};
    EXPECT_EQ(encode([&](Encoder& e) { e.objectIdentifier(h225v4); }), "06 00 08 91 4a 00 04");
    EXPECT_EQ(h225v4.arcs(), (std::vector<std::uint32_t>{0, 0, 8, 2250, 0, 4}));
    // One longer than ObjectIdentifier keeps is read past, and comes out empty, or refused.
    std::vector<std::uint32_t> many(40, 1);
    std::vector<std::uint8_t> longer{39, 0x29};
    longer.insert(longer.end(), 38, 0x01);
    longer.push_back(0x80); // then a bit, to show that the decoder went past the identifier
    Decoder d(longer);
    EXPECT_TRUE(ObjectIdentifier(many).empty());
    EXPECT_TRUE(d.objectIdentifierOrEmpty().empty());
    EXPECT_TRUE(d.bit());
    EXPECT_TRUE(d.finish());
    Decoder refusing(longer);
    EXPECT_TRUE(refusing.objectIdentifier().empty());
    EXPECT_EQ(refusing.finish().error().message, "an object identifier longer than 32 octets");
    EXPECT_EQ(encode([](Encoder& e) { e.openType([](Encoder& inner) { inner.bit(true); }); }),
              "01 80");
    EXPECT_EQ(encode([](Encoder& e) { e.openType([](Encoder&) {}); }), "01 00");
    const std::uint8_t b101[] = {0xA0};
    EXPECT_EQ(encode([&](Encoder& e) {
                  e.bit(true);
                  e.bitString(b101, 3, 3, 3);
              }),
              "d0");
}

TEST(Per, EveryRuleDecodesWhatItEncodes) {
    const std::uint32_t oid[] = {1, 3, 6, 1, 4, 1, 4294967295u};
    const std::uint8_t bits[] = {0xDE, 0xAD, 0xBE, 0xE0};
    Encoder e;
    e.integer(5, 0, 7);
    e.integer(-3, -5, 250);
    e.integer(1000, 0, 65535);
    e.integer(70000, 0, 4294967295);
    e.extensibleInteger(-9, 0, 7);
    e.normallySmall(3);
    e.normallySmall(300);
    e.semiConstrained(0);
    e.unconstrained(-129);
    e.octetString(bytes("xyz"), 0, 10);
    e.characterString("0123#", kDialedDigits, 1, 128);
    e.characterString("Room 1", kIa5, 1, 64);
    e.bmpString(u"Zoë", 1, 256);
    e.objectIdentifier(ObjectIdentifier(oid));
    e.bitString(bits, 27, 0, 100);
    e.openType([](Encoder& inner) { inner.integer(3, 0, 3); });
    const auto out = e.finish();

    Decoder d(out);
    EXPECT_EQ(d.integer(0, 7), 5);
    EXPECT_EQ(d.integer(-5, 250), -3);
    EXPECT_EQ(d.integer(0, 65535), 1000);
    EXPECT_EQ(d.integer(0, 4294967295), 70000);
    EXPECT_EQ(d.extensibleInteger(0, 7), -9);
    EXPECT_EQ(d.normallySmall(), 3u);
    EXPECT_EQ(d.normallySmall(), 300u);
    EXPECT_EQ(d.semiConstrained(), 0u);
    EXPECT_EQ(d.unconstrained(), -129);
    EXPECT_EQ(d.octetString(0, 10), bytes("xyz"));
    EXPECT_EQ(d.characterString(kDialedDigits, 1, 128), "0123#");
    EXPECT_EQ(d.characterString(kIa5, 1, 64), "Room 1");
    EXPECT_EQ(d.bmpString(1, 256), u"Zoë");
    EXPECT_EQ(d.objectIdentifier().arcs(),
              std::vector<std::uint32_t>(std::begin(oid), std::end(oid)));
    std::uint64_t n = 0;
    EXPECT_EQ(d.bitString(0, 100, n), std::vector<std::uint8_t>({0xDE, 0xAD, 0xBE, 0xE0}));
    EXPECT_EQ(n, 27u);
    const auto open = d.openType();
    Decoder inner(open);
    EXPECT_EQ(inner.integer(0, 3), 3);
    EXPECT_TRUE(inner.finish());
    EXPECT_TRUE(d.finish()) << d.finish().error().message;
}

TEST(Per, BadInputIsRefusedNamingTheField) {
    const auto why = [](std::vector<std::uint8_t> in, auto read) {
        Decoder d(in);
        {
            Decoder::Field message(d, "setup");
            Decoder::Field list(d, "fastStart", 2);
            read(d);
        }
        auto done = d.finish();
        return done ? std::string("accepted") : done.error().message;
    };
    EXPECT_EQ(why({0xE0}, [](Decoder& d) { d.integer(0, 5); }),
              "setup.fastStart[2]: 7 is past the range of 6 values");
    EXPECT_EQ(why({0x20}, [](Decoder& d) { d.octetString(0, 10); }),
              "setup.fastStart[2]: the encoding ends 16 bits early");
    EXPECT_EQ(why({0x02, 0x41}, [](Decoder& d) { d.octetString(0, kUnbounded); }),
              "setup.fastStart[2]: a length of 2, more than the rest of the encoding holds");
    EXPECT_EQ(why({0x30}, [](Decoder& d) { d.characterString(kNumeric, 1, 4); }),
              "setup.fastStart[2]: character 0 is not in the alphabet");
    EXPECT_EQ(why({0xc5}, [](Decoder& d) { d.octetString(0, kUnbounded); }),
              "setup.fastStart[2]: a length fragment of 5 × 16K");
    EXPECT_EQ(why({0x05, 1, 2, 3, 4, 5}, [](Decoder& d) { d.octetString(0, kUnbounded); }),
              "accepted");
    EXPECT_EQ(why({0x05, 1, 2, 3, 4, 5, 6}, [](Decoder& d) { d.octetString(0, kUnbounded); }),
              "1 octets left over after the value");
    EXPECT_EQ(why({0x00}, [](Decoder&) {}), "accepted") << "an empty value's one octet";
    EXPECT_EQ(why({0x00, 0x00}, [](Decoder&) {}), "1 octets left over after the value");
    EXPECT_EQ(why({0x03, 0x2a, 0x86}, [](Decoder& d) { d.objectIdentifier(); }),
              "setup.fastStart[2]: a length of 3, more than the rest of the encoding holds");
    EXPECT_EQ(why({0x02, 0x2a, 0x86}, [](Decoder& d) { d.objectIdentifier(); }),
              "setup.fastStart[2]: an object identifier that ends mid-arc");
    EXPECT_EQ(why({0x03, 0x2a, 0x80, 0x01}, [](Decoder& d) { d.objectIdentifier(); }),
              "setup.fastStart[2]: an object identifier arc with a leading zero octet");
    EXPECT_EQ(
        why({0x06, 0x2a, 0x90, 0x80, 0x80, 0x80, 0x00}, [](Decoder& d) { d.objectIdentifier(); }),
        "setup.fastStart[2]: an object identifier arc past 32 bits");
    EXPECT_EQ(why({0x09, 0x00}, [](Decoder& d) { d.semiConstrained(); }),
              "setup.fastStart[2]: a whole number of 9 octets");
    // A length far past what the input holds is refused before anything is allocated.
    EXPECT_EQ(why({0xbf, 0xff}, [](Decoder& d) { d.octetString(0, kUnbounded); }),
              "setup.fastStart[2]: a length of 16383, more than the rest of the encoding holds");
}

} // namespace
} // namespace sb::h323::per
