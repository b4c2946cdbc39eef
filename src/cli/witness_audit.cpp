#include "cli/witness_audit.hpp"

#include "api/ifmessage.hpp"

#include <fmt/format.h>

namespace sb::cli {
namespace {

using nlohmann::json;

// A proof bundle holds one entry of at most a few kilobytes and ~64 hashes.
constexpr std::size_t kMaxBundle = 1 << 20;

} // namespace

Result<json> checkEntry(std::string_view entry) {
    auto parsed = api::parseJson(entry);
    if (!parsed || !parsed->is_object()) return fail(Errc::invalid_input, "not a JSON object");
    auto& j = *parsed;
    if (j.size() != 5)
        return fail(Errc::invalid_input, "expected exactly actor, data, time, trace_id and type");
    for (const char* key : {"actor", "trace_id", "type"}) {
        auto it = j.find(key);
        if (it == j.end() || !it->is_string())
            return fail(Errc::invalid_input, fmt::format("{}: expected a string", key));
    }
    if (auto time = j.find("time"); time == j.end() || !time->is_number_integer())
        return fail(Errc::invalid_input, "time: expected an integer (Unix ms)");
    if (auto data = j.find("data"); data == j.end() || !data->is_object())
        return fail(Errc::invalid_input, "data: expected an object");
    // nlohmann::json keeps object keys sorted and dumps without whitespace: the canonical form
    // the gateway writes (witness/entry.hpp). Other bytes for the same event hash differently.
    if (j.dump() != entry) return fail(Errc::invalid_input, "not in canonical form");
    return j;
}

Result<void> checkHead(const witness::MerkleTree& tree, const witness::TreeHead& head,
                       std::string_view publicKeyPem) {
    auto root = tree.root(head.size);
    if (!root)
        return fail(Errc::invalid_input, fmt::format("the head is of {} entries, the log has {}",
                                                     head.size, tree.size()));
    if (*root != head.root)
        return fail(Errc::invalid_input,
                    fmt::format("the entries hash to root {}, the signed head says {}",
                                toHex(*root), toHex(head.root)));
    if (!witness::verifyHead(head, publicKeyPem))
        return fail(Errc::invalid_input, "the tree head's signature is not the log's key");
    return {};
}

Result<void> checkEarlierHead(const witness::MerkleTree& tree, const witness::TreeHead& earlier,
                              std::string_view publicKeyPem) {
    if (!witness::verifyHead(earlier, publicKeyPem))
        return fail(Errc::invalid_input, "the earlier head's signature is not the log's key");
    auto root = tree.root(earlier.size);
    if (!root)
        return fail(Errc::invalid_input,
                    fmt::format("the earlier head is of {} entries, the log now has only {}",
                                earlier.size, tree.size()));
    if (*root != earlier.root)
        return fail(Errc::invalid_input,
                    fmt::format("the first {} entries no longer hash to the earlier head's root: "
                                "the log was rewritten",
                                earlier.size));
    return {};
}

std::string toJson(const ProofBundle& bundle) {
    json path = json::array();
    for (const auto& hash : bundle.path)
        path.push_back(toHex(hash));
    return json{{"index", bundle.index},
                {"entry", bundle.entry},
                {"proof", path},
                {"head", json::parse(witness::toJson(bundle.head))}}
        .dump(2);
}

Result<ProofBundle> parseProofBundle(std::string_view text) {
    if (text.size() > kMaxBundle) return fail(Errc::invalid_input, "longer than 1 MiB");
    auto parsed = api::parseJson(text);
    if (!parsed || !parsed->is_object()) return fail(Errc::invalid_input, "not a JSON object");
    auto& j = *parsed;
    ProofBundle bundle;
    auto index = j.find("index");
    if (index == j.end() || !index->is_number_unsigned())
        return fail(Errc::invalid_input, "index: expected a non-negative integer");
    bundle.index = index->get<std::uint64_t>();
    auto entry = j.find("entry");
    if (entry == j.end() || !entry->is_string())
        return fail(Errc::invalid_input, "entry: expected a string");
    bundle.entry = entry->get<std::string>();
    auto proof = j.find("proof");
    // 64 hashes cover any tree of up to 2^64 leaves.
    if (proof == j.end() || !proof->is_array() || proof->size() > 64)
        return fail(Errc::invalid_input, "proof: expected an array of at most 64 hashes");
    for (const auto& item : *proof) {
        witness::Hash hash;
        if (!item.is_string() || !fromHex(item.get_ref<const std::string&>(), hash))
            return fail(Errc::invalid_input, "proof: expected 64 lower-case hex digits per hash");
        bundle.path.push_back(hash);
    }
    auto head = j.find("head");
    if (head == j.end() || !head->is_object())
        return fail(Errc::invalid_input, "head: expected a signed tree head");
    auto signedHead = witness::parseTreeHead(head->dump());
    if (!signedHead) return fail(Errc::invalid_input, signedHead.error().message);
    bundle.head = std::move(*signedHead);
    return bundle;
}

Result<void> checkProof(const ProofBundle& bundle, std::string_view publicKeyPem) {
    if (auto entry = checkEntry(bundle.entry); !entry)
        return fail(Errc::invalid_input, "entry: " + entry.error().message);
    if (!witness::verifyHead(bundle.head, publicKeyPem))
        return fail(Errc::invalid_input, "the tree head's signature is not the log's key");
    if (!witness::verifyInclusion(bundle.index, bundle.head.size,
                                  witness::leafHash(std::as_bytes(std::span(bundle.entry))),
                                  bundle.path, bundle.head.root))
        return fail(Errc::invalid_input,
                    fmt::format("the proof does not place the entry at index {} of the signed "
                                "tree of {} entries",
                                bundle.index, bundle.head.size));
    return {};
}

} // namespace sb::cli
