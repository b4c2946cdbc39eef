// Fuzzes the aligned PER runtime: the input's first octet says how many of its next octets
// choose the rules to read (each one of the types H.225.0 and H.245 use), and the rest is the
// encoding they read. What decodes is encoded again and must decode to the same values: the
// encoder and the decoder agree on every value the decoder accepts (non-minimal encodings
// included, which decode to a value whose encoding is then minimal).
#include "h323/per/decoder.hpp"
#include "h323/per/encoder.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace {

using namespace sb::h323::per;
using Encode = std::function<void(Encoder&)>;

// One rule read: the value in words, and how to write it back (none: a value read past).
struct Read {
    std::string value;
    Encode write;
};

std::string words(std::span<const std::uint8_t> v) {
    return std::string(v.begin(), v.end());
}

Read readOne(std::uint8_t rule, Decoder& d) {
    switch (rule % 16) {
    case 0: {
        const auto v = d.integer(-5, 250);
        return {std::to_string(v), [v](Encoder& e) { e.integer(v, -5, 250); }};
    }
    case 1: {
        const auto v = d.integer(0, 65535);
        return {std::to_string(v), [v](Encoder& e) { e.integer(v, 0, 65535); }};
    }
    case 2: {
        const auto v = d.integer(0, 4294967295);
        return {std::to_string(v), [v](Encoder& e) { e.integer(v, 0, 4294967295); }};
    }
    case 3: {
        const auto v = d.extensibleInteger(0, 7);
        return {std::to_string(v), [v](Encoder& e) { e.extensibleInteger(v, 0, 7); }};
    }
    case 4: {
        const auto v = d.normallySmall();
        return {std::to_string(v), [v](Encoder& e) { e.normallySmall(v); }};
    }
    case 5: {
        const auto v = d.semiConstrained();
        return {std::to_string(v), [v](Encoder& e) { e.semiConstrained(v); }};
    }
    case 6: {
        const auto v = d.unconstrained();
        return {std::to_string(v), [v](Encoder& e) { e.unconstrained(v); }};
    }
    case 7: {
        auto v = d.octetString(0, 10);
        return {words(v), [v](Encoder& e) { e.octetString(v, 0, 10); }};
    }
    case 8: {
        auto v = d.octetString(0, kUnbounded);
        return {words(v), [v](Encoder& e) { e.octetString(v, 0, kUnbounded); }};
    }
    case 9: {
        auto v = d.characterString(kDialedDigits, 1, 128);
        return {v, [v](Encoder& e) { e.characterString(v, kDialedDigits, 1, 128); }};
    }
    case 10: {
        auto v = d.characterString(kIa5, 0, kUnbounded);
        return {v, [v](Encoder& e) { e.characterString(v, kIa5, 0, kUnbounded); }};
    }
    case 11: {
        auto v = d.bmpString(1, 256);
        std::string text;
        for (char16_t c : v)
            text += std::to_string(c) + ",";
        return {text, [v](Encoder& e) { e.bmpString(v, 1, 256); }};
    }
    case 12: {
        auto v = d.objectIdentifierOrEmpty();
        if (v.empty()) return {}; // longer than we keep: read past, nothing to write back
        std::string text;
        for (auto arc : v.arcs())
            text += std::to_string(arc) + ".";
        return {text, [v](Encoder& e) { e.objectIdentifier(v); }};
    }
    case 13: {
        std::uint64_t n = 0;
        auto v = d.bitString(0, 100, n);
        return {words(v) + "/" + std::to_string(n),
                [v, n](Encoder& e) { e.bitString(v, n, 0, 100); }};
    }
    case 14: {
        auto v = d.openType();
        return {words(v), [v](Encoder& e) { e.openTypeOctets(v); }};
    }
    default: {
        const auto v = d.characterString(kNumeric, 1, 4);
        return {v, [v](Encoder& e) { e.characterString(v, kNumeric, 1, 4); }};
    }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::size_t count = std::min<std::size_t>(data[0] % 16, size - 1);
    const std::span<const std::uint8_t> rules(data + 1, count);
    const std::span<const std::uint8_t> encoding(data + 1 + count, size - 1 - count);

    Decoder first(encoding);
    std::vector<Read> values;
    for (auto rule : rules) {
        values.push_back(readOne(rule, first));
        if (!first.ok() || !values.back().write) return 0;
    }
    Encoder e;
    for (const auto& v : values)
        v.write(e);
    const auto again = e.finish();
    Decoder second(again);
    for (std::size_t i = 0; i < rules.size(); ++i)
        if (readOne(rules[i], second).value != values[i].value) __builtin_trap();
    if (!second.finish()) __builtin_trap();
    return 0;
}
