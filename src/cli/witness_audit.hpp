#pragma once
// Checking the witness log without trusting the gateway that keeps it: each entry is a
// canonical JSON event, the leaves rebuild the signed root (RFC 9162 §2.1.1), the head's
// Ed25519 signature is the log's key, an earlier head is a prefix of this one (the log only
// grew), and an inclusion proof ties one entry to a signed head (§2.1.3.2). All of it is pure:
// the commands fetch, these decide.

#include "core/result.hpp"
#include "witness/merkle.hpp"
#include "witness/signer.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace sb::cli {

// An entry as the log must hold it: a JSON object with exactly trace_id, time, type, actor and
// data, in canonical form (keys sorted, no whitespace), so that its bytes are what its leaf
// hashes. Errors (Errc::invalid_input) say which rule the entry breaks.
Result<nlohmann::json> checkEntry(std::string_view entry);

// Whether the tree's first head.size leaves have head.root and the head is signed by
// `publicKeyPem`. Errors (Errc::invalid_input) say which.
Result<void> checkHead(const witness::MerkleTree& tree, const witness::TreeHead& head,
                       std::string_view publicKeyPem);

// Whether an earlier signed head is a prefix of the rebuilt tree: same root at its size, and
// signed by the same key. Errors say how the log was rewritten.
Result<void> checkEarlierHead(const witness::MerkleTree& tree, const witness::TreeHead& earlier,
                              std::string_view publicKeyPem);

// One entry, its inclusion proof and the signed head it leads to: everything an auditor needs
// to check the entry offline with the public key alone.
struct ProofBundle {
    std::uint64_t index = 0;
    std::string entry;
    std::vector<witness::Hash> path;
    witness::TreeHead head;
};

std::string toJson(const ProofBundle& bundle);
// Errors (Errc::invalid_input) name the member that is missing or malformed.
Result<ProofBundle> parseProofBundle(std::string_view json);
// Whether the bundle's entry is at its index in the tree its signed head describes.
Result<void> checkProof(const ProofBundle& bundle, std::string_view publicKeyPem);

} // namespace sb::cli
