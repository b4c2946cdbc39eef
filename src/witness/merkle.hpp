#pragma once
// The witness log's Merkle tree, as RFC 9162 (Certificate Transparency 2.0) §2.1 defines it:
// leaves hash as SHA-256(0x00 ‖ entry), interior nodes as SHA-256(0x01 ‖ left ‖ right), a tree
// of n leaves splits at the largest power of two below n. It gives the root of any prefix of
// the log, inclusion proofs (§2.1.3) and consistency proofs (§2.1.4), and checks both as a
// verifier must, from the proof alone.
//
// The tree keeps every complete subtree's hash (2^h leaves from a multiple of 2^h), so an
// append hashes at most log2(n) nodes and a proof needs O(log n) hashes.

#include "core/hex.hpp" // hashes travel as hex
#include "core/result.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sb::witness {

using Hash = std::array<std::uint8_t, 32>;

Hash leafHash(std::span<const std::byte> entry);
Hash nodeHash(const Hash& left, const Hash& right);
// The root of the empty tree: SHA-256 of nothing (§2.1.1).
Hash emptyRoot();

class MerkleTree {
public:
    void append(const Hash& leaf);
    std::uint64_t size() const noexcept { return levels_.empty() ? 0 : levels_[0].size(); }

    // MTH of the first `size` leaves. Errors (Errc::invalid_input): size beyond the log.
    Result<Hash> root(std::uint64_t size) const;
    // PATH(index, D[size]) (§2.1.3.1). Errors: index ≥ size, or size beyond the log.
    Result<std::vector<Hash>> inclusionProof(std::uint64_t index, std::uint64_t size) const;
    // PROOF(from, D[to]) (§2.1.4.1); empty when from = to. Errors: from = 0, from > to, or to
    // beyond the log.
    Result<std::vector<Hash>> consistencyProof(std::uint64_t from, std::uint64_t to) const;

private:
    // MTH(D[begin:end]) for the ranges the definitions visit (begin aligned to the split).
    Hash subtree(std::uint64_t begin, std::uint64_t end) const;
    void path(std::uint64_t index, std::uint64_t begin, std::uint64_t end,
              std::vector<Hash>& out) const;
    void subproof(std::uint64_t from, std::uint64_t begin, std::uint64_t end, bool whole,
                  std::vector<Hash>& out) const;

    std::vector<std::vector<Hash>> levels_; // [h][i]: the 2^h leaves from i·2^h
};

// §2.1.3.2: whether `proof` shows the leaf `leaf` at `index` in the tree of `size` with `root`.
bool verifyInclusion(std::uint64_t index, std::uint64_t size, const Hash& leaf,
                     std::span<const Hash> proof, const Hash& root);
// §2.1.4.2: whether `proof` shows the tree of `from` leaves with `fromRoot` to be a prefix of
// the tree of `to` leaves with `toRoot`.
bool verifyConsistency(std::uint64_t from, std::uint64_t to, const Hash& fromRoot,
                       const Hash& toRoot, std::span<const Hash> proof);

} // namespace sb::witness
