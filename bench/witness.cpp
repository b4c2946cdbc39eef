// bench/witness (issue 5, first part): the Merkle tree at 1,000,000 entries — the time to make
// an inclusion proof (goal < 100 µs) and a consistency proof, and to check them as a verifier
// does. The durable-append comparison against SQLite comes with the witness's storage.
#include "witness/merkle.hpp"

#include <chrono>
#include <cstdio>
#include <random>
#include <string>

int main() {
    using Clock = std::chrono::steady_clock;
    using sb::witness::Hash;
    constexpr std::uint64_t kEntries = 1'000'000;
    constexpr int kProofs = 10'000;

    sb::witness::MerkleTree tree;
    const auto appendStart = Clock::now();
    for (std::uint64_t i = 0; i < kEntries; ++i) {
        const std::string entry = R"({"type":"call.answered","seq":)" + std::to_string(i) + "}";
        tree.append(sb::witness::leafHash(std::as_bytes(std::span(entry))));
    }
    const double appendS = std::chrono::duration<double>(Clock::now() - appendStart).count();
    const Hash root = *tree.root(kEntries);

    std::mt19937_64 random(1);
    double proveUs = 0, verifyUs = 0, consistencyUs = 0;
    std::size_t hashes = 0;
    int failures = 0;
    for (int i = 0; i < kProofs; ++i) {
        const std::uint64_t index = random() % kEntries;
        auto t0 = Clock::now();
        auto proof = tree.inclusionProof(index, kEntries);
        auto t1 = Clock::now();
        const std::string entry = R"({"type":"call.answered","seq":)" + std::to_string(index) + "}";
        const Hash leaf = sb::witness::leafHash(std::as_bytes(std::span(entry)));
        auto t2 = Clock::now();
        failures += !sb::witness::verifyInclusion(index, kEntries, leaf, *proof, root);
        auto t3 = Clock::now();
        const std::uint64_t from = 1 + random() % (kEntries - 1);
        auto t4 = Clock::now();
        auto consistency = tree.consistencyProof(from, kEntries);
        auto t5 = Clock::now();
        hashes += proof->size();
        proveUs += std::chrono::duration<double, std::micro>(t1 - t0).count();
        verifyUs += std::chrono::duration<double, std::micro>(t3 - t2).count();
        consistencyUs += std::chrono::duration<double, std::micro>(t5 - t4).count();
        (void)consistency;
    }
    std::printf("witness Merkle tree, %llu entries (appended in %.2f s, %.2f µs each)\n",
                static_cast<unsigned long long>(kEntries), appendS, appendS * 1e6 / kEntries);
    std::printf("  inclusion proof: %.2f µs to make (%.1f hashes long), %.2f µs to verify; "
                "goal < 100 µs; %d failed\n",
                proveUs / kProofs, double(hashes) / kProofs, verifyUs / kProofs, failures);
    std::printf("  consistency proof: %.2f µs to make\n", consistencyUs / kProofs);
    return failures == 0 ? 0 : 1;
}
