// Our aligned PER against Erlang's ASN.1 compiler (erlang-asn1, `erlc -bper`), an
// implementation of X.691 independent of ours: tests/vectors/per/PerCheck.asn1 declares one
// type per rule, this test encodes a corpus of values of each (edges of ranges and sizes,
// fragmented lengths, and values drawn at random), and tests/interop/per_oracle.escript has
// Erlang decode each of our encodings to the value and encode the value to the same octets.
// Each of Erlang's encodings, being ours, decodes in ours to the value (EveryRuleDecodes…).
#include "h323/per/decoder.hpp"
#include "h323/per/encoder.hpp"
#include "support/command_output.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <optional>
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

// SEQUENCE with optional components and extension additions, CHOICE and ENUMERATED with
// extensions, SEQUENCE OF: the layouts that the message types build from the runtime's calls.
void addStructured(Corpus& c) {
    struct Seq {
        std::int64_t a;
        std::optional<bool> b;
        std::optional<std::vector<std::uint8_t>> c;
        std::optional<std::int64_t> d;
        std::optional<std::string> e;
    };
    const auto none = [](const auto& o, auto term) {
        return o ? term(*o) : std::string("asn1_NOVALUE");
    };
    for (const Seq& v :
         {Seq{3, {}, {}, {}, {}}, Seq{7, true, std::vector<std::uint8_t>{1, 2}, {}, {}},
          Seq{0, false, {}, 200, {}}, Seq{5, {}, std::vector<std::uint8_t>{7}, 9, "hi"},
          Seq{1, true, {}, {}, std::string(130, 'x')}}) {
        const std::string term =
            fmt::format("{{'Seq',{},{},{},{},{}}}", v.a,
                        none(v.b, [](bool x) { return std::string(x ? "true" : "false"); }),
                        none(v.c, [](const auto& x) { return binary(x); }),
                        none(v.d, [](std::int64_t x) { return std::to_string(x); }),
                        none(v.e, [](const std::string& x) { return list(x); }));
        c.add(
            "Seq", term,
            [&](Encoder& e) {
                const bool extended = v.d || v.e;
                e.bit(extended);
                e.bit(v.b.has_value());
                e.bit(v.c.has_value());
                e.integer(v.a, 0, 7);
                if (v.b) e.bit(*v.b);
                if (v.c) e.octetString(*v.c, 0, 10);
                if (!extended) return;
                const bool present[] = {v.d.has_value(), v.e.has_value()};
                e.extensionPresence(present);
                if (v.d) e.openType([&](Encoder& x) { x.integer(*v.d, 0, 255); });
                if (v.e)
                    e.openType([&](Encoder& x) { x.characterString(*v.e, kIa5, 0, kUnbounded); });
            },
            [v](Decoder& d) {
                const bool extended = d.bit(), hasB = d.bit(), hasC = d.bit();
                bool same =
                    d.integer(0, 7) == v.a && hasB == v.b.has_value() && hasC == v.c.has_value();
                if (hasB) same = same && d.bit() == *v.b;
                if (hasC) same = same && d.octetString(0, 10) == *v.c;
                if (!extended) return same && !v.d && !v.e;
                const auto present = d.extensionPresence();
                if (present.size() != 2 || present[0] != v.d.has_value() ||
                    present[1] != v.e.has_value())
                    return false;
                if (v.d) {
                    const auto open = d.openType();
                    Decoder x(open);
                    same = same && x.integer(0, 255) == *v.d && x.finish();
                }
                if (v.e) {
                    const auto open = d.openType();
                    Decoder x(open);
                    same = same && x.characterString(kIa5, 0, kUnbounded) == *v.e && x.finish();
                }
                return same;
            });
    }
    // Ch: x, y and z in the root; w and v as additions, each in an open type.
    c.add(
        "Ch", "{x,5}", [](Encoder& e) { e.choice(0, 3, true), e.integer(5, 0, 7); },
        [](Decoder& d) {
            const auto alt = d.choice(3, true);
            return !alt.extension && alt.index == 0 && d.integer(0, 7) == 5;
        });
    c.add(
        "Ch", "{y,true}", [](Encoder& e) { e.choice(1, 3, true), e.bit(true); },
        [](Decoder& d) {
            const auto alt = d.choice(3, true);
            return !alt.extension && alt.index == 1 && d.bit();
        });
    c.add(
        "Ch", "{z,'NULL'}", [](Encoder& e) { e.choice(2, 3, true); },
        [](Decoder& d) { return d.choice(3, true).index == 2; });
    c.add(
        "Ch", "{w,1000}",
        [](Encoder& e) {
            e.choiceExtension(0);
            e.openType([](Encoder& x) { x.integer(1000, 0, 65535); });
        },
        [](Decoder& d) {
            const auto alt = d.choice(3, true);
            const auto open = d.openType();
            Decoder x(open);
            return alt.extension && alt.index == 0 && x.integer(0, 65535) == 1000 && x.finish();
        });
    const std::vector<std::uint8_t> v12{1, 2};
    c.add(
        "Ch", "{v,<<1,2>>}",
        [&](Encoder& e) {
            e.choiceExtension(1);
            e.openType([&](Encoder& x) { x.octetString(v12, 0, kUnbounded); });
        },
        [=](Decoder& d) {
            const auto alt = d.choice(3, true);
            const auto open = d.openType();
            Decoder x(open);
            return alt.extension && alt.index == 1 && x.octetString(0, kUnbounded) == v12;
        });
    // En: red, green, blue in the root; cyan, magenta added.
    const char* colours[] = {"red", "green", "blue", "cyan", "magenta"};
    for (std::uint64_t i = 0; i < 5; ++i)
        c.add(
            "En", colours[i], [i](Encoder& e) { e.enumerated(i < 3 ? i : i - 3, 3, true, i >= 3); },
            [i](Decoder& d) {
                const auto alt = d.enumerated(3, true);
                return alt.extension == (i >= 3) && alt.index == (i < 3 ? i : i - 3);
            });
    for (std::size_t n : {0, 1, 20}) {
        auto v = c.randomOctets(n);
        c.add(
            "List", list(v),
            [&](Encoder& e) {
                e.constrainedLength(n, 0, 20);
                for (auto x : v)
                    e.integer(x, 0, 255);
            },
            [=](Decoder& d) {
                if (d.constrainedLength(0, 20) != n) return false;
                for (auto x : v)
                    if (d.integer(0, 255) != x) return false;
                return true;
            });
    }
}

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
            "Oid", term + "}", [&](Encoder& e) { e.objectIdentifier(ObjectIdentifier(v)); },
            [=](Decoder& d) { return d.objectIdentifier().arcs() == v; });
    }
    for (std::uint64_t n : {0, 1, 7, 8, 9, 27, 100}) {
        auto v = c.randomOctets((n + 7) / 8);
        if (n % 8 != 0) v.back() &= static_cast<std::uint8_t>(0xFF << (8 - n % 8));
        c.bits("Bits", v, n, 0, 100);
    }
    c.bits("BitsFix3", {0xA0}, 3, 3, 3);
    addStructured(c);
    return c;
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
    auto [compiled, ok] =
        test::runCommand(fmt::format("cd '{}' && erlc -bper '{}' 2>&1", dir.string(), module));
    ASSERT_TRUE(ok) << "erlc (erlang-asn1, installed by scripts/install-deps): " << compiled;
    {
        std::ofstream terms(dir / "vectors.terms");
        for (const auto& v : corpus.vectors)
            terms << "{'" << v.type << "'," << v.value << "," << binary(v.ours) << "}.\n";
    }
    auto [said, ran] = test::runCommand(
        fmt::format("escript '{}/per_oracle.escript' '{}' PerCheck '{}' 2>&1", SB_INTEROP_DIR,
                    dir.string(), (dir / "vectors.terms").string()));
    std::filesystem::remove_all(dir);
    ASSERT_TRUE(ran) << said;
    EXPECT_EQ(said, fmt::format("checked {}\n", corpus.vectors.size()));
}

} // namespace
} // namespace sb::h323::per
