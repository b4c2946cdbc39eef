#include "h323/h225/generic_data.hpp"

#include "h323/per/alphabet.hpp"

#include <algorithm>

namespace sb::h323::h225 {

namespace {

using per::Decoder;
using per::Encoder;

constexpr std::uint64_t kMostParameters = 512, kMostNested = 16;
constexpr std::uint64_t kContentRoot = 12; // raw … nested
// Compound and nested contents hold parameters and data again: deeper than this is refused,
// so that input cannot make the decoder recurse without end.
constexpr int kMostDepth = 8;

void encode(Encoder& e, const GenericIdentifier& id) {
    using Kind = GenericIdentifier::Kind;
    switch (id.kind) {
    case Kind::standard:
        e.choice(0, 3, true);
        return e.extensibleInteger(id.standard, 0, 16383);
    case Kind::oid:
        e.choice(1, 3, true);
        return e.objectIdentifier(id.oid);
    case Kind::nonStandard:
        e.choice(2, 3, true);
        return encodeGuid(e, id.nonStandard);
    case Kind::other:
        e.choiceExtension(id.extension);
        return e.openTypeOctets(id.extensionValue);
    }
}

GenericIdentifier decodeGenericIdentifier(Decoder& d) {
    GenericIdentifier id;
    const auto alt = d.choice(3, true);
    if (alt.extension) {
        id.kind = GenericIdentifier::Kind::other;
        id.extension = alt.index;
        id.extensionValue = d.openType();
    } else if (alt.index == 0) {
        const auto n = d.extensibleInteger(0, 16383);
        id.standard = static_cast<std::uint32_t>(std::clamp<std::int64_t>(n, 0, 0xFFFFFFFF));
    } else if (alt.index == 1) {
        id.kind = GenericIdentifier::Kind::oid;
        id.oid = d.objectIdentifier();
    } else {
        id.kind = GenericIdentifier::Kind::nonStandard;
        id.nonStandard = decodeGuid(d);
    }
    return id;
}

void encode(Encoder& e, const EnumeratedParameter& p) {
    e.bit(false); // no extension additions
    e.bit(p.text.has_value());
    encode(e, p.id);
    if (!p.text) return;
    e.choice(1, kContentRoot, true); // text IA5String
    e.characterString(*p.text, per::kIa5, 0, per::kUnbounded);
}

EnumeratedParameter decodeEnumeratedParameter(Decoder& d, int depth);
GenericData decodeGenericDataAt(Decoder& d, int depth);

std::vector<EnumeratedParameter> decodeParameters(Decoder& d, std::uint64_t most, int depth) {
    std::vector<EnumeratedParameter> out;
    if (depth > kMostDepth) {
        d.fail("parameters nested too deep");
        return out;
    }
    const auto n = d.constrainedLength(1, most);
    out.reserve(static_cast<std::size_t>(n));
    for (std::uint64_t i = 0; i < n && d.ok(); ++i) {
        Decoder::Field f(d, "parameters", static_cast<int>(i));
        out.push_back(decodeEnumeratedParameter(d, depth));
    }
    return out;
}

// Content: text kept, the rest read past.
std::optional<std::string> decodeContent(Decoder& d, int depth) {
    Decoder::Field f(d, "content");
    const auto alt = d.choice(kContentRoot, true);
    if (alt.extension) {
        (void)d.openType();
        return std::nullopt;
    }
    switch (alt.index) {
    case 0:
        (void)d.octetString(0, per::kUnbounded);
        break;
    case 1:
        return d.characterString(per::kIa5, 0, per::kUnbounded);
    case 2:
        (void)d.bmpString(0, per::kUnbounded);
        break;
    case 3:
        (void)d.bit();
        break;
    case 4:
        (void)d.integer(0, 255);
        break;
    case 5:
        (void)d.integer(0, 65535);
        break;
    case 6:
        (void)d.integer(0, 4294967295);
        break;
    case 7:
        (void)decodeGenericIdentifier(d);
        break;
    case 8:
        (void)decodeAliasAddress(d);
        break;
    case 9:
        (void)decodeTransportAddress(d);
        break;
    case 10:
        (void)decodeParameters(d, kMostParameters, depth + 1);
        break;
    default: { // nested SEQUENCE (SIZE (1..16)) OF GenericData
        const auto n = d.constrainedLength(1, kMostNested);
        for (std::uint64_t i = 0; i < n && d.ok(); ++i)
            (void)decodeGenericDataAt(d, depth + 1);
        break;
    }
    }
    return std::nullopt;
}

EnumeratedParameter decodeEnumeratedParameter(Decoder& d, int depth) {
    EnumeratedParameter p;
    const bool extended = d.bit();
    const bool hasContent = d.bit();
    p.id = decodeGenericIdentifier(d);
    if (hasContent) p.text = decodeContent(d, depth);
    skipExtensions(d, extended);
    return p;
}

GenericData decodeGenericDataAt(Decoder& d, int depth) {
    GenericData data;
    const bool extended = d.bit();
    const bool hasParameters = d.bit();
    data.id = decodeGenericIdentifier(d);
    if (hasParameters) data.parameters = decodeParameters(d, kMostParameters, depth);
    skipExtensions(d, extended);
    return data;
}

bool isIa5(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

} // namespace

void encode(Encoder& e, const GenericData& data) {
    e.bit(false); // no extension additions
    e.bit(!data.parameters.empty());
    encode(e, data.id);
    if (data.parameters.empty()) return;
    e.constrainedLength(data.parameters.size(), 1, kMostParameters);
    for (const auto& p : data.parameters)
        encode(e, p);
}

GenericData decodeGenericData(Decoder& d) {
    return decodeGenericDataAt(d, 0);
}

void encode(Encoder& e, const std::vector<GenericData>& list) {
    e.items(list.size(), [&](std::uint64_t first, std::uint64_t count) {
        for (std::uint64_t i = first; i < first + count; ++i)
            encode(e, list[i]);
    });
}

std::vector<GenericData> decodeGenericDataList(Decoder& d) {
    std::vector<GenericData> list;
    (void)d.items(per::kUnbounded, 3, [&](std::uint64_t first, std::uint64_t count) {
        list.reserve(static_cast<std::size_t>(first + count)); // items() checked the count
        for (std::uint64_t i = first; i < first + count && d.ok(); ++i) {
            Decoder::Field f(d, "genericData", static_cast<int>(i));
            list.push_back(decodeGenericData(d));
        }
    });
    return list;
}

std::optional<GenericData> tagsData(const Tags& tags) {
    GenericData data;
    data.id.kind = GenericIdentifier::Kind::nonStandard;
    data.id.nonStandard = kTagsIdentifier;
    for (const auto& [name, value] : tags) {
        if (name.empty() || name.find('=') != std::string::npos || !isIa5(name) || !isIa5(value) ||
            data.parameters.size() == kMostParameters)
            continue;
        EnumeratedParameter p;
        p.id.standard = static_cast<std::uint32_t>(data.parameters.size() + 1);
        p.text = name;
        p.text->append(1, '=').append(value);
        data.parameters.push_back(std::move(p));
    }
    if (data.parameters.empty()) return std::nullopt;
    return data;
}

Tags tagsOf(const std::vector<GenericData>& list) {
    Tags tags;
    for (const auto& data : list) {
        if (data.id.kind != GenericIdentifier::Kind::nonStandard ||
            data.id.nonStandard != kTagsIdentifier)
            continue;
        for (const auto& p : data.parameters) {
            if (!p.text) continue;
            const auto equals = p.text->find('=');
            if (equals == 0 || equals == std::string::npos) continue;
            tags.emplace_back(p.text->substr(0, equals), p.text->substr(equals + 1));
        }
    }
    return tags;
}

} // namespace sb::h323::h225
