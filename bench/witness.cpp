// bench/witness (issue 5): durable appends per second — the witness log (group commit, 64
// appends in flight, as 64 API clients would keep it) against a plain SQLite insert loop, one
// transaction per insert, both in WAL mode with synchronous=FULL in the same folder (goal ≥ 5×)
// — and the Merkle tree at 1,000,000 entries: the time to make an inclusion proof (goal
// < 100 µs) and a consistency proof, and to check them as a verifier does.
//
// Usage: witness [folder] (default: the current one; the disk is what is measured)
#include "witness/log.hpp"
#include "witness/merkle.hpp"
#include "witness/sqlite_store.hpp"

#include <asio/executor_work_guard.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <sqlite3.h>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

sb::witness::Entry event(std::uint64_t n) {
    return {"4bf92f3577b34da6a3ce929d0e0e4736",
            1764547200000 + static_cast<std::int64_t>(n),
            "call.answered",
            "switchboard",
            {{"call", n}, {"leg", "callee"}}};
}

// The anchor: each insert its own transaction, durable before the next.
double sqliteInsertsPerSecond(const fs::path& file, int count) {
    sqlite3* db = nullptr;
    sqlite3_open(file.c_str(), &db);
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE entries "
                 "(idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL, body TEXT NOT NULL)",
                 nullptr, nullptr, nullptr);
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO entries (idx, leaf, body) VALUES (?, ?, ?)", -1, &insert,
                       nullptr);
    const auto start = Clock::now();
    for (int i = 0; i < count; ++i) {
        const auto body = sb::witness::canonicalJson(event(static_cast<std::uint64_t>(i)));
        const auto leaf = sb::witness::leafHash(std::as_bytes(std::span(body)));
        sqlite3_bind_int64(insert, 1, i);
        sqlite3_bind_blob(insert, 2, leaf.data(), static_cast<int>(leaf.size()), SQLITE_STATIC);
        sqlite3_bind_text(insert, 3, body.data(), static_cast<int>(body.size()), SQLITE_STATIC);
        sqlite3_step(insert);
        sqlite3_reset(insert);
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    sqlite3_finalize(insert);
    sqlite3_close(db);
    return count / seconds;
}

// Ours: `inFlight` appends outstanding at any time until `count` are acknowledged.
double logAppendsPerSecond(const fs::path& file, int count, int inFlight, std::uint64_t& commits) {
    asio::io_context io;
    auto log = std::move(sb::witness::WitnessLog::open(
                             io, std::move(sb::witness::SqliteStore::open(file)).value()))
                   .value();
    auto work = asio::make_work_guard(io);
    int sent = 0, acked = 0;
    std::function<void()> next = [&] {
        const auto n = static_cast<std::uint64_t>(sent++);
        log->append(event(n), [&](const sb::Result<std::uint64_t>&) {
            if (++acked == count) work.reset();
            if (sent < count) next();
        });
    };
    const auto start = Clock::now();
    for (int i = 0; i < inFlight; ++i)
        next();
    io.run();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    commits = log->stats().commits;
    return count / seconds;
}

} // namespace

int main(int argc, char** argv) {
    using sb::witness::Hash;
    const fs::path folder = fs::path(argc > 1 ? argv[1] : ".") / "witness-bench.tmp";
    fs::remove_all(folder);
    fs::create_directories(folder);
    constexpr int kDurable = 2000;
    const double anchor = sqliteInsertsPerSecond(folder / "anchor.db", kDurable);
    std::uint64_t commits = 0;
    const double ours = logAppendsPerSecond(folder / "witness.db", kDurable, 64, commits);
    fs::remove_all(folder);
    std::printf("durable appends per second (%d entries, WAL, synchronous=FULL):\n", kDurable);
    std::printf("  witness log, 64 in flight: %.0f (%llu commits)\n", ours,
                static_cast<unsigned long long>(commits));
    std::printf("  SQLite, one insert a transaction: %.0f\n", anchor);
    std::printf("  ratio %.1f (goal ≥ 5)\n", ours / anchor);
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
