#include "witness/merkle.hpp"

#include <fmt/format.h>
#include <memory>
#include <openssl/evp.h>

namespace sb::witness {
namespace {

// One SHA-256 context per thread, reused: hashing is the whole cost of a proof.
struct Sha256 {
    Sha256() : md(EVP_MD_fetch(nullptr, "SHA256", nullptr)), context(EVP_MD_CTX_new()) {}
    ~Sha256() {
        EVP_MD_CTX_free(context);
        EVP_MD_free(md);
    }
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    Hash operator()(std::uint8_t prefix, std::span<const std::uint8_t> a,
                    std::span<const std::uint8_t> b = {}) {
        Hash out{};
        EVP_DigestInit_ex(context, md, nullptr);
        EVP_DigestUpdate(context, &prefix, 1);
        EVP_DigestUpdate(context, a.data(), a.size());
        if (!b.empty()) EVP_DigestUpdate(context, b.data(), b.size());
        EVP_DigestFinal_ex(context, out.data(), nullptr);
        return out;
    }

    EVP_MD* md;
    EVP_MD_CTX* context;
};

Sha256& sha256() {
    thread_local Sha256 instance;
    return instance;
}

// The largest power of two below n (n ≥ 2): where §2.1.1 splits a tree of n leaves.
std::uint64_t split(std::uint64_t n) {
    std::uint64_t k = 1;
    while (k << 1 < n)
        k <<= 1;
    return k;
}

} // namespace

Hash leafHash(std::span<const std::byte> entry) {
    return sha256()(0x00, {reinterpret_cast<const std::uint8_t*>(entry.data()), entry.size()});
}

Hash nodeHash(const Hash& left, const Hash& right) {
    return sha256()(0x01, left, right);
}

Hash emptyRoot() {
    Hash out{};
    EVP_Digest(nullptr, 0, out.data(), nullptr, EVP_sha256(), nullptr);
    return out;
}

void MerkleTree::append(const Hash& leaf) {
    if (levels_.empty()) levels_.emplace_back();
    levels_[0].push_back(leaf);
    // Each pair completed on one level completes a node on the next.
    for (std::size_t h = 0; levels_[h].size() % 2 == 0; ++h) {
        if (h + 1 == levels_.size()) levels_.emplace_back();
        const auto& level = levels_[h];
        levels_[h + 1].push_back(nodeHash(level[level.size() - 2], level.back()));
    }
}

Hash MerkleTree::subtree(std::uint64_t begin, std::uint64_t end) const {
    const std::uint64_t n = end - begin;
    if ((n & (n - 1)) == 0) {
        // A complete subtree: kept. (The definitions only visit aligned ones.)
        const int h = __builtin_ctzll(n);
        return levels_[h][begin >> h];
    }
    const std::uint64_t k = split(n);
    return nodeHash(subtree(begin, begin + k), subtree(begin + k, end));
}

Result<Hash> MerkleTree::root(std::uint64_t n) const {
    if (n > size())
        return fail(Errc::invalid_input, fmt::format("tree size {}: the log has {}", n, size()));
    if (n == 0) return emptyRoot();
    return subtree(0, n);
}

void MerkleTree::path(std::uint64_t index, std::uint64_t begin, std::uint64_t end,
                      std::vector<Hash>& out) const {
    const std::uint64_t n = end - begin;
    if (n == 1) return;
    const std::uint64_t k = split(n);
    if (index < k) {
        path(index, begin, begin + k, out);
        out.push_back(subtree(begin + k, end));
    } else {
        path(index - k, begin + k, end, out);
        out.push_back(subtree(begin, begin + k));
    }
}

Result<std::vector<Hash>> MerkleTree::inclusionProof(std::uint64_t index, std::uint64_t n) const {
    if (n > size())
        return fail(Errc::invalid_input, fmt::format("tree size {}: the log has {}", n, size()));
    if (index >= n)
        return fail(Errc::invalid_input,
                    fmt::format("leaf index {}: a tree of {} has leaves 0 to {}", index, n, n - 1));
    std::vector<Hash> out;
    path(index, 0, n, out);
    return out;
}

void MerkleTree::subproof(std::uint64_t from, std::uint64_t begin, std::uint64_t end, bool whole,
                          std::vector<Hash>& out) const {
    const std::uint64_t n = end - begin;
    if (from == n) {
        if (!whole) out.push_back(subtree(begin, end));
        return;
    }
    const std::uint64_t k = split(n);
    if (from <= k) {
        subproof(from, begin, begin + k, whole, out);
        out.push_back(subtree(begin + k, end));
    } else {
        subproof(from - k, begin + k, end, false, out);
        out.push_back(subtree(begin, begin + k));
    }
}

Result<std::vector<Hash>> MerkleTree::consistencyProof(std::uint64_t from, std::uint64_t to) const {
    if (to > size())
        return fail(Errc::invalid_input, fmt::format("tree size {}: the log has {}", to, size()));
    if (from == 0 || from > to)
        return fail(Errc::invalid_input,
                    fmt::format("consistency from {} to {}: expected 0 < from ≤ to", from, to));
    std::vector<Hash> out;
    subproof(from, 0, to, true, out);
    return out;
}

bool verifyInclusion(std::uint64_t index, std::uint64_t size, const Hash& leaf,
                     std::span<const Hash> proof, const Hash& root) {
    if (index >= size) return false;
    std::uint64_t fn = index, sn = size - 1;
    Hash r = leaf;
    for (const Hash& p : proof) {
        if (sn == 0) return false;
        if ((fn & 1) || fn == sn) {
            r = nodeHash(p, r);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            r = nodeHash(r, p);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && r == root;
}

bool verifyConsistency(std::uint64_t from, std::uint64_t to, const Hash& fromRoot,
                       const Hash& toRoot, std::span<const Hash> proof) {
    if (from == 0 || from > to) return false;
    if (from == to) return proof.empty() && fromRoot == toRoot;
    if (proof.empty()) return false;
    // Step 2: when the old tree is a complete subtree, its root starts the path.
    std::vector<Hash> path;
    if ((from & (from - 1)) == 0) path.push_back(fromRoot);
    path.insert(path.end(), proof.begin(), proof.end());
    std::uint64_t fn = from - 1, sn = to - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    Hash fr = path[0], sr = path[0];
    for (std::size_t i = 1; i < path.size(); ++i) {
        const Hash& c = path[i];
        if (sn == 0) return false;
        if ((fn & 1) || fn == sn) {
            fr = nodeHash(c, fr);
            sr = nodeHash(c, sr);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            sr = nodeHash(sr, c);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return fr == fromRoot && sr == toRoot && sn == 0;
}

} // namespace sb::witness
