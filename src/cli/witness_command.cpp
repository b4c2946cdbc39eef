// `switchboard witness head|key|verify|proof`: auditing the witness log. `verify` fetches every
// entry and rebuilds the signed root itself; with `--proof` it checks a bundle from `proof`
// offline, against the public key alone. The key should be pinned with `--key` (a copy kept
// since first start): one fetched from the same gateway proves consistency, not authenticity.

#include "cli/client.hpp"
#include "cli/witness_audit.hpp"

#include <ctime>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <memory>

namespace sb::cli {
namespace {

using nlohmann::json;

// The API gives at most this many entries per request (GET /v1/witness/entries).
constexpr std::uint64_t kPage = 1000;

struct WitnessOptions {
    ClientOptions client;
    std::string keyFile, sinceFile, proofFile, outFile, traceId;
    std::uint64_t index = 0;
    bool quiet = false;
};

// A GET whose 2xx body is returned; otherwise the exit status, the cause printed.
struct Fetched {
    int status = kOk;
    std::string body;
};
Fetched get(const ClientOptions& client, const std::string& target) {
    Fetched out;
    out.status = call(client, "GET", target, {}, {}, [&](const HttpReply& reply) {
        out.body = reply.body;
        return int{kOk};
    });
    return out;
}

int invalid(std::string_view what) {
    std::cerr << "switchboard: NOT VERIFIED: " << what << '\n';
    return kInvalid;
}

int unreadable(std::string_view what) {
    std::cerr << "switchboard: " << what << '\n';
    return kUnreachable;
}

// A file that cannot be read or an option missing: the command line's fault.
int usage(std::string_view what) {
    std::cerr << "switchboard: " << what << '\n';
    return kUsage;
}

std::string utc(std::int64_t ms) {
    const std::time_t seconds = ms / 1000;
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
    return fmt::format("{}.{:03}Z", text, ms % 1000);
}

// The pinned key (--key) or, failing that, the one the gateway serves.
std::optional<std::string> publicKey(const WitnessOptions& o, int& status) {
    if (!o.keyFile.empty()) {
        auto pem = readInput(o.keyFile, "public key");
        if (!pem) {
            status = usage(pem.error().message);
            return std::nullopt;
        }
        return std::move(pem).value();
    }
    std::cerr << "switchboard: no --key: using the key the gateway serves (pin it to detect a "
                 "substituted key)\n";
    auto fetched = get(o.client, "/v1/witness/public-key");
    status = fetched.status;
    if (fetched.status != kOk) return std::nullopt;
    return fetched.body;
}

int verifyProofFile(const WitnessOptions& o) {
    if (o.keyFile.empty()) return usage("--proof needs --key: an offline check trusts no server");
    auto text = readInput(o.proofFile, "proof bundle");
    if (!text) return usage(text.error().message);
    auto key = readInput(o.keyFile, "public key");
    if (!key) return usage(key.error().message);
    auto bundle = parseProofBundle(*text);
    if (!bundle) return invalid(o.proofFile + ": " + bundle.error().message);
    if (auto ok = checkProof(*bundle, *key); !ok) return invalid(ok.error().message);
    std::cout << fmt::format("verified: entry {} is in the log of {} entries with root {}, "
                             "signed {}\n",
                             bundle->index, bundle->head.size, toHex(bundle->head.root),
                             utc(bundle->head.timestampMs));
    return kOk;
}

int verifyLog(const WitnessOptions& o) {
    int status = kOk;
    const auto key = publicKey(o, status);
    if (!key) return status;
    std::optional<witness::TreeHead> earlier;
    if (!o.sinceFile.empty()) {
        auto text = readInput(o.sinceFile, "earlier tree head");
        if (!text) return usage(text.error().message);
        auto parsed = witness::parseTreeHead(*text);
        if (!parsed) return usage(o.sinceFile + ": " + parsed.error().message);
        earlier = *parsed;
    }
    auto fetched = get(o.client, "/v1/witness/head");
    if (fetched.status != kOk) return fetched.status;
    auto head = witness::parseTreeHead(fetched.body);
    if (!head) return unreadable("the API's tree head: " + head.error().message);

    witness::MerkleTree tree;
    std::uint64_t listed = 0;
    while (tree.size() < head->size) {
        const auto from = tree.size(), to = std::min(head->size, from + kPage);
        auto page = get(o.client, fmt::format("/v1/witness/entries?from={}&to={}", from, to));
        if (page.status != kOk) return page.status;
        const auto reply = readJson(page.body);
        if (!reply.is_object() || !reply.contains("entries") || !reply["entries"].is_array() ||
            reply["entries"].size() != to - from)
            return unreadable(fmt::format("the API's entries {} to {}: not the {} asked for", from,
                                          to, to - from));
        for (const auto& item : reply["entries"]) {
            const auto index = tree.size();
            if (!item.is_string()) return invalid(fmt::format("entry {}: not a string", index));
            const auto& body = item.get_ref<const std::string&>();
            auto entry = checkEntry(body);
            if (!entry) return invalid(fmt::format("entry {}: {}", index, entry.error().message));
            tree.append(witness::leafHash(std::as_bytes(std::span(body))));
            const auto& trace = (*entry)["trace_id"].get_ref<const std::string&>();
            if (o.quiet || (!o.traceId.empty() && trace != o.traceId)) continue;
            ++listed;
            std::cout << fmt::format(
                "{:>8}  {}  {:<24} {:<16} {}\n", index, utc((*entry)["time"].get<std::int64_t>()),
                (*entry)["type"].get<std::string>(), (*entry)["actor"].get<std::string>(), trace);
        }
    }
    if (auto ok = checkHead(tree, *head, *key); !ok) return invalid(ok.error().message);
    if (earlier)
        if (auto ok = checkEarlierHead(tree, *earlier, *key); !ok)
            return invalid(ok.error().message);
    std::cout << fmt::format(
        "verified {} entries{}: root {}, signed {}{}\n", head->size,
        o.traceId.empty() ? "" : fmt::format(" ({} of trace {})", listed, o.traceId),
        toHex(head->root), utc(head->timestampMs),
        earlier ? fmt::format("; extends the head of {} entries in {}", earlier->size, o.sinceFile)
                : "");
    return kOk;
}

int writeProof(const WitnessOptions& o) {
    auto fetched = get(o.client, "/v1/witness/head");
    if (fetched.status != kOk) return fetched.status;
    auto head = witness::parseTreeHead(fetched.body);
    if (!head) return unreadable("the API's tree head: " + head.error().message);
    if (o.index >= head->size)
        return usage(fmt::format("--index {}: the log has {} entries", o.index, head->size));
    auto entries =
        get(o.client, fmt::format("/v1/witness/entries?from={}&to={}", o.index, o.index + 1));
    if (entries.status != kOk) return entries.status;
    auto proof = get(
        o.client, fmt::format("/v1/witness/proof/inclusion?index={}&size={}", o.index, head->size));
    if (proof.status != kOk) return proof.status;

    const auto entryReply = readJson(entries.body);
    const auto proofReply = readJson(proof.body);
    if (!entryReply.is_object() || !entryReply.contains("entries") ||
        !entryReply["entries"].is_array() || entryReply["entries"].size() != 1 ||
        !entryReply["entries"][0].is_string() || !proofReply.is_object() ||
        !proofReply.contains("proof"))
        return unreadable("the API's entry or proof is not what was asked for");
    // The bundle is assembled from the three replies and read back, so that what is written is
    // checked exactly as an auditor will check it.
    const json bundle{{"index", o.index},
                      {"entry", entryReply["entries"][0]},
                      {"proof", proofReply["proof"]},
                      {"head", json::parse(witness::toJson(*head))}};
    auto parsed = parseProofBundle(bundle.dump());
    if (!parsed) return unreadable("the API's proof: " + parsed.error().message);
    const std::string text = toJson(*parsed) + "\n";
    if (o.outFile.empty()) {
        std::cout << text;
    } else {
        std::ofstream out(o.outFile, std::ios::binary | std::ios::trunc);
        if (!(out << text)) return usage("cannot write " + o.outFile);
    }
    return kOk;
}

} // namespace

std::vector<Command> addWitnessCommands(CLI::App& app) {
    auto o = std::make_shared<WitnessOptions>();
    auto* witness = app.add_subcommand("witness", "Audit the tamper-evident witness log");
    witness->require_subcommand(1);

    auto* head = witness->add_subcommand("head", "Print a freshly signed tree head (JSON)");
    addClientOptions(*head, o->client);
    auto* key = witness->add_subcommand("key", "Print the log's Ed25519 public key (PEM)");
    addClientOptions(*key, o->client);

    auto* verify = witness->add_subcommand(
        "verify", "Check the whole log against a signed head (exit 4 when it does not hold), or "
                  "with --proof a proof bundle offline");
    addClientOptions(*verify, o->client);
    verify->add_option("--key", o->keyFile, "The log's public key (PEM), pinned")
        ->type_name("FILE");
    verify
        ->add_option("--since", o->sinceFile,
                     "An earlier signed head (JSON): check the log only grew since")
        ->type_name("FILE");
    verify->add_option("--trace", o->traceId, "List only the entries of this trace id");
    verify->add_flag("--quiet", o->quiet, "List no entries, only the verdict");
    verify->add_option("--proof", o->proofFile, "Check this bundle from `witness proof` offline")
        ->type_name("FILE");

    auto* proof = witness->add_subcommand(
        "proof", "Write an entry, its inclusion proof and the signed head as one JSON bundle");
    addClientOptions(*proof, o->client);
    proof->add_option("--index", o->index, "The entry's index (from 0)")->required();
    proof->add_option("--out", o->outFile, "Write the bundle here, not to stdout")
        ->type_name("FILE");

    return {
        {head, [o] { return call(o->client, "GET", "/v1/witness/head", {}, {}, printBody); }},
        {key, [o] { return call(o->client, "GET", "/v1/witness/public-key", {}, {}, printBody); }},
        {verify, [o] { return o->proofFile.empty() ? verifyLog(*o) : verifyProofFile(*o); }},
        {proof, [o] { return writeProof(*o); }},
    };
}

} // namespace sb::cli
