#pragma once
// The cluster's shared limits (guard/shared_limits.hpp) in the PostgreSQL that the instances
// share: each admission is one call of a PL/pgSQL function that takes the tokens and counts
// the escalation, all or nothing, serialised per subject by a transaction-level advisory lock;
// buckets refill on the database's clock, so instances whose clocks differ agree. What one
// turn of the owner's loop asks goes to the database as one transaction (as the witness
// groups its appends): one round trip and one commit for the lot.
//
// The ledger's session holds the instance's lock (cluster/membership.hpp): when a process dies,
// the next sweep (every kSweep, by any instance) forgets its escalations in progress. Each instance
// keeps its own tally too, and writes it again after a reconnection, so that a database restart (or
// a sweep that ran while this instance was cut off) loses no count.
//
// The connection lives on a thread of its own (ARCHITECTURE.md "Threads"); answers are
// posted back to the owner's io_context, which must outlive this.

#include "db/pg_connection.hpp"
#include "guard/shared_limits.hpp"
#include "net/worker.hpp"

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <utility>

namespace sb::cluster {

class PgLimits final : public guard::SharedLimits {
public:
    // Also how soon the instance's lock is taken again after the database's return.
    static constexpr std::chrono::seconds kSweep{1};

    // Connects, creates the tables and functions if missing, and takes the instance's lock.
    // Errors (Errc::io): the database's, or another live instance of the same name.
    static Result<std::unique_ptr<PgLimits>>
    open(asio::io_context& owner, const std::string& conninfo, std::string instance);
    ~PgLimits() override;

    void admit(guard::LimitScope scope, std::string subject, std::vector<guard::Limit> limits,
               Done done) override;
    void release(guard::LimitScope scope, std::string subject) override;

private:
    PgLimits(asio::io_context& owner, std::unique_ptr<db::PgConnection> db, std::string instance);
    // An admission (with `done`) or a release (without), asked on the owner's thread.
    struct Op {
        guard::LimitScope scope;
        std::string subject;
        nlohmann::json terms; // the limits, as switchboard_admit reads them
        Done done;
    };
    static nlohmann::json termsOf(const std::vector<guard::Limit>& limits);
    void flushSoon(); // the turn's operations to the ledger's thread, at the turn's end
    // On the ledger's thread: one transaction for the lot; the answers posted back together.
    void runBatch(std::vector<Op>& ops);
    Result<void> connected(); // reconnects if the session was lost, and restores the tally
    // A statement, run again once if it failed because the session had been lost.
    Result<db::PgResult> execOnce(std::string_view doing, std::string_view sql,
                                  std::span<const db::PgParam> params);
    Result<void> restoreTally();
    void sweepLater();

    asio::io_context& owner_;
    std::unique_ptr<db::PgConnection> db_; // the ledger's thread's, once started
    std::string instance_;
    // What this instance admitted and has not released, by scope and subject.
    std::map<std::pair<guard::LimitScope, std::string>, int> tally_;
    std::vector<Op> queued_; // the owner's, until flushed
    bool flushing_ = false;  // a flush is posted
    net::Worker worker_{"cluster-ledger"};
    std::optional<asio::steady_timer> sweep_;
    // What the worker's answers to the owner hold: the owner's destructor resets self_ while
    // the worker may be making an answer, so the worker copies alive_, made once here, and
    // never touches self_ (one shared_ptr object, read and reset on two threads, is a race).
    std::shared_ptr<PgLimits*> self_ = std::make_shared<PgLimits*>(this);
    const std::weak_ptr<PgLimits*> alive_ = self_;
};

} // namespace sb::cluster
