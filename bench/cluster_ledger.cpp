// bench/cluster_ledger's load (issue 19): admissions per second through the cluster's shared
// limits (cluster::PgLimits, as the instances use them) on a PostgreSQL that
// bench/cluster_ledger.py starts. `instances` ledgers stand for that many instances, each with
// `depth` admissions in flight; every admission is of a random agent among 1,000 under a
// bucket and a cap that always allow, and is released as soon as it is answered, as an
// escalation ends (the ledger sends each turn's admissions and releases together).
//
// Usage: cluster_ledger_load URL INSTANCES DEPTH SECONDS
// Prints: "admissions N seconds S per_second R"
#include "cluster/pg_limits.hpp"

#include <asio/executor_work_guard.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using namespace sb;

std::vector<guard::Limit> limits() {
    guard::Limit bucket;
    bucket.id = "agents";
    bucket.subjects = {"*"};
    bucket.rate = 1000000;
    bucket.perSeconds = 1;
    bucket.burst = 1000000;
    guard::Limit cap;
    cap.id = "agents-cap";
    cap.subjects = {"*"};
    cap.maxConcurrent = 1000000;
    return {bucket, cap};
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: %s URL INSTANCES DEPTH SECONDS\n", argv[0]);
        return 2;
    }
    const std::string url = argv[1];
    const int instances = std::atoi(argv[2]), depth = std::atoi(argv[3]);
    const auto window = std::chrono::duration<double>(std::atof(argv[4]));
    asio::io_context context;
    std::vector<std::unique_ptr<cluster::PgLimits>> ledgers;
    for (int i = 0; i < instances; ++i) {
        auto ledger = cluster::PgLimits::open(context, url, "bench-" + std::to_string(i));
        if (!ledger) {
            std::fprintf(stderr, "%s\n", ledger.error().message.c_str());
            return 1;
        }
        ledgers.push_back(std::move(ledger).value());
    }
    const auto terms = limits();
    std::mt19937 random(7);
    std::uint64_t answered = 0, refused = 0;
    bool running = true;
    const auto start = Clock::now();
    std::function<void(cluster::PgLimits&)> ask = [&](cluster::PgLimits& ledger) {
        std::string agent = "agent-" + std::to_string(random() % 1000);
        ledger.admit(guard::LimitScope::agent, agent, terms,
                     [&, agent](const guard::SharedVerdict& verdict) {
                         if (!verdict.refusedBy.empty() || !verdict.error.empty()) ++refused;
                         ++answered;
                         ledger.release(guard::LimitScope::agent, agent);
                         if (running && Clock::now() - start < window)
                             ask(ledger);
                         else
                             running = false;
                     });
    };
    for (auto& ledger : ledgers)
        for (int d = 0; d < depth; ++d)
            ask(*ledger);
    auto busy = asio::make_work_guard(context);
    while (running)
        context.run_for(std::chrono::milliseconds(50));
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    ledgers.clear(); // the releases still queued run before each ledger goes
    if (refused) {
        std::fprintf(stderr, "%llu admissions were refused or failed\n",
                     static_cast<unsigned long long>(refused));
        return 1;
    }
    std::printf("admissions %llu seconds %.3f per_second %.0f\n",
                static_cast<unsigned long long>(answered), seconds, answered / seconds);
    return 0;
}
