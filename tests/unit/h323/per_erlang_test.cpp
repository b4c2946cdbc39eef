// Our aligned PER against Erlang's ASN.1 compiler (erlang-asn1, `erlc -bper`), an
// implementation of X.691 independent of ours: tests/vectors/per/PerCheck.asn1 declares one
// type per rule, this test encodes a corpus of values of each (edges of ranges and sizes,
// fragmented lengths, and values drawn at random), and tests/interop/per_oracle.escript has
// Erlang decode each of our encodings to the value and encode the value to the same octets.
// Each of Erlang's encodings, being ours, decodes in ours to the value (EveryRuleDecodes…).
#include "h323/per/decoder.hpp"
#include "h323/per/encoder.hpp"

#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <random>
#include <unistd.h>

namespace sb::h323::per {
namespace {

struct Vector {
    std::string type;
    std::string value; // as an Erlang term
    std::vector<std::uint8_t> ours;
    std::function<bool(Decoder&)> decodesBack; // ours, decoded by us, is the value
};

std::string binary(std::span<const std::uint8_t> bytes) {
    std::string out = "<<";
    for (std::size_t i = 0; i < bytes.size(); ++i)
        out += fmt::format("{}{}", i ? "," : "", bytes[i]);
    return out + ">>";
}

template <class Container>
std::string list(const Container& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i)
        out += fmt::format("{}{}", i ? "," : "", static_cast<std::uint32_t>(items[i]));
    return out + "]";
}

class Corpus {
public:
    template <class Encode, class Check>
    void add(std::string type, std::string value, Encode encode, Check check) {
        Encoder e;
        encode(e);
        vectors.push_back({std::move(type), std::move(value), e.finish(), check});
    }
    void integer(const char* type, std::int64_t v, std::int64_t lb, std::int64_t ub) {
        add(
            type, std::to_string(v), [&](Encoder& e) { e.integer(v, lb, ub); },
            [=](Decoder& d) { return d.integer(lb, ub) == v; });
    }
    void octets(const char* type, std::vector<std::uint8_t> v, std::uint64_t lb, std::uint64_t ub) {
        add(
            type, binary(v), [&](Encoder& e) { e.octetString(v, lb, ub); },
            [=](Decoder& d) { return d.octetString(lb, ub) == v; });
    }
    void text(const char* type, std::string v, const Alphabet& a, std::uint64_t lb,
              std::uint64_t ub) {
        add(
            type, list(v), [&](Encoder& e) { e.characterString(v, a, lb, ub); },
            [=, &a](Decoder& d) { return d.characterString(a, lb, ub) == v; });
    }
    void bits(const char* type, std::vector<std::uint8_t> v, std::uint64_t n, std::uint64_t lb,
              std::uint64_t ub) {
        add(
            type, fmt::format("{{bits,{},{}}}", n, binary(v)),
            [&](Encoder& e) { e.bitString(v, n, lb, ub); },
            [=](Decoder& d) {
                std::uint64_t count = 0;
                return d.bitString(lb, ub, count) == v && count == n;
            });
    }
    std::vector<std::uint8_t> randomOctets(std::size_t n) {
        std::vector<std::uint8_t> v(n);
        for (auto& b : v)
            b = static_cast<std::uint8_t>(random());
        return v;
    }
    std::string randomText(std::size_t n, std::string_view alphabet) {
        std::string s(n, ' ');
        for (auto& c : s)
            c = alphabet[random() % alphabet.size()];
        return s;
    }

    std::vector<Vector> vectors;
    std::mt19937_64 random{2250};
};

Corpus makeCorpus() {
    Corpus c;
    for (std::int64_t v = 0; v <= 7; ++v)
        c.integer("Small", v, 0, 7);
    for (std::int64_t v : {-5, -4, 0, 127, 250})
        c.integer("Octet", v, -5, 250);
    for (std::int64_t v : {0, 1, 255, 256, 65535})
        c.integer("Two", v, 0, 65535);
    for (std::int64_t v :
         {0LL, 1LL, 255LL, 256LL, 65535LL, 65536LL, 16777215LL, 16777216LL, 4294967295LL})
        c.integer("Big", v, 0, 4294967295);
    for (std::int64_t v : {0, 7, 8, -1, 1000, -100000})
        c.add(
            "Ext", std::to_string(v), [&](Encoder& e) { e.extensibleInteger(v, 0, 7); },
            [=](Decoder& d) { return d.extensibleInteger(0, 7) == v; });
    for (std::uint64_t v : {0ULL, 1ULL, 255ULL, 256ULL, 4294967296ULL, 1ULL << 62})
        c.add(
            "Semi", std::to_string(v), [&](Encoder& e) { e.semiConstrained(v); },
            [=](Decoder& d) { return d.semiConstrained() == v; });
    for (std::int64_t v :
         {0LL, -1LL, 127LL, 128LL, -128LL, -129LL, 2147483648LL, -9223372036854775807LL})
        c.add(
            "Unc", std::to_string(v), [&](Encoder& e) { e.unconstrained(v); },
            [=](Decoder& d) { return d.unconstrained() == v; });
    for (std::size_t n = 0; n <= 10; ++n)
        c.octets("Os10", c.randomOctets(n), 0, 10);
    c.octets("OsFix2", c.randomOctets(2), 2, 2);
    c.octets("OsFix3", c.randomOctets(3), 3, 3);
    for (std::size_t n : {0, 1, 127, 128, 16383, 16384, 16385, 32768, 65536, 70000})
        c.octets("Os", c.randomOctets(n), 0, kUnbounded);
    for (std::size_t n : {1, 2, 3, 64, 127, 128})
        c.text("Digits", c.randomText(n, "0123456789#*,"), kDialedDigits, 1, 128);
    for (std::size_t n : {0, 1, 127, 128, 200})
        c.text("Ia5", c.randomText(n, kIa5Chars), kIa5, 0, kUnbounded);
    for (std::size_t n : {1, 2, 63, 64})
        c.text("Ia5Sized", c.randomText(n, kIa5Chars), kIa5, 1, 64);
    for (std::size_t n : {1, 2, 3})
        c.text("Num", c.randomText(n, " 0123456789"), kNumeric, 1, 3);
    for (std::size_t n : {1, 5, 20})
        c.text("NumLong", c.randomText(n, " 0123456789"), kNumeric, 1, 20);
    for (std::size_t n : {1, 2, 255, 256}) {
        std::u16string v(n, u' ');
        for (auto& ch : v)
            ch = static_cast<char16_t>(c.random());
        // Erlang writes a BMPString's characters past 255 as {Group, Plane, Row, Cell}.
        std::string term = "[";
        for (std::size_t i = 0; i < v.size(); ++i)
            term += fmt::format("{}{}", i ? "," : "",
                                v[i] < 256 ? fmt::format("{}", +v[i])
                                           : fmt::format("{{0,0,{},{}}}", v[i] >> 8, v[i] & 0xFF));
        c.add(
            "Bmp", term + "]", [&](Encoder& e) { e.bmpString(v, 1, 256); },
            [=](Decoder& d) { return d.bmpString(1, 256) == v; });
    }
    for (std::vector<std::uint32_t> v : {std::vector<std::uint32_t>{0, 0, 8, 2250, 0, 4},
                                         {1, 3, 6, 1, 4, 1, 4294967295u},
                                         {2, 999, 3},
                                         {0, 0}}) {
        std::string term = "{";
        for (std::size_t i = 0; i < v.size(); ++i)
            term += fmt::format("{}{}", i ? "," : "", v[i]);
        c.add(
            "Oid", term + "}", [&](Encoder& e) { e.objectIdentifier(v); },
            [=](Decoder& d) { return d.objectIdentifier() == v; });
    }
    for (std::uint64_t n : {0, 1, 7, 8, 9, 27, 100}) {
        auto v = c.randomOctets((n + 7) / 8);
        if (n % 8 != 0) v.back() &= static_cast<std::uint8_t>(0xFF << (8 - n % 8));
        c.bits("Bits", v, n, 0, 100);
    }
    c.bits("BitsFix3", {0xA0}, 3, 3, 3);
    return c;
}

// A command's standard output, and whether it exited 0.
std::pair<std::string, bool> run(const std::string& command) {
    std::string out;
    FILE* p = ::popen(command.c_str(), "r");
    if (!p) return {"", false};
    char buffer[4096];
    while (std::fgets(buffer, sizeof buffer, p))
        out += buffer;
    return {out, ::pclose(p) == 0};
}

TEST(PerErlang, ErlangDecodesOurEncodingsAndEncodesTheSameOctets) {
    const auto corpus = makeCorpus();
    // Every one of ours decodes, in ours, to its value.
    for (const auto& v : corpus.vectors) {
        Decoder d(v.ours);
        EXPECT_TRUE(v.decodesBack(d) && d.finish()) << v.type << " " << v.value.substr(0, 80);
    }

    const auto dir = std::filesystem::temp_directory_path() / fmt::format("sb-per-{}", ::getpid());
    std::filesystem::create_directories(dir);
    const std::string module = std::string(SB_VECTORS_DIR) + "/per/PerCheck.asn1";
    auto [compiled, ok] = run(fmt::format("cd '{}' && erlc -bper '{}' 2>&1", dir.string(), module));
    ASSERT_TRUE(ok) << "erlc (erlang-asn1, installed by scripts/install-deps): " << compiled;
    {
        std::ofstream terms(dir / "vectors.terms");
        for (const auto& v : corpus.vectors)
            terms << "{'" << v.type << "'," << v.value << "," << binary(v.ours) << "}.\n";
    }
    auto [said, ran] =
        run(fmt::format("escript '{}/per_oracle.escript' '{}' PerCheck '{}' 2>&1", SB_INTEROP_DIR,
                        dir.string(), (dir / "vectors.terms").string()));
    std::filesystem::remove_all(dir);
    ASSERT_TRUE(ran) << said;
    EXPECT_EQ(said, fmt::format("checked {}\n", corpus.vectors.size()));
}

} // namespace
} // namespace sb::h323::per
