#pragma once
// The escalations as the whole cluster sees them (docs/operations.md "The cluster"), in the
// PostgreSQL the instances share. A room, and so an escalation, lives on one instance; this
// lets every other instance answer for it:
//   - its record: each instance writes its escalations' JSON (as GET returns it) at every
//     change, with the request that started it, so any instance can read it (one the database
//     could not take is written again at every sweep until it does);
//   - its events: each one is a row of cluster_events, NOTIFYed on "switchboard_events" as
//     it commits, and every other instance hands it to its own event streams, so an agent
//     follows it from any instance. An instance whose session was down reads, once it is
//     back, the rows it missed (kKeptEvents); one whose database was away sends its events
//     once it is back, in order (pg_events.cpp);
//   - commands: a hang-up asked of another instance is a row for its owner in
//     cluster_commands, NOTIFYed on "switchboard_commands"; the owner takes (deletes) its rows
//     when notified and at every sweep, so that one sent while its session was down (a
//     NOTIFY reaches only the sessions listening as it commits) is carried out all the same;
//   - the registry: a change of an expert or a chain, NOTIFYed on "switchboard_registry" as it
//     commits, is read back and handed to every instance's registry; after a reconnection the
//     whole registry is read again, for the changes NOTIFYed while the session was down;
//   - orphans: an escalation in progress whose instance is gone (cluster/membership.hpp) is
//     claimed by one live instance (FOR UPDATE SKIP LOCKED: never two), which reports it
//     failed and may ring it again. An instance claims its own former life's once it is up
//     (startClaiming), and none while it drains or stops.
//
// The connection lives on a thread of its own; answers are posted back to the owner's
// io_context, which must outlive this.

#include "db/pg_connection.hpp"
#include "net/worker.hpp"

#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

namespace sb::cluster {

class PgEscalations {
public:
    static constexpr std::chrono::seconds kSweep{1};
    // How long an instance is seen gone before its escalations are claimed.
    static constexpr std::chrono::seconds kGrace{3};
    // Ended escalations' records are kept this long for GET from other instances.
    static constexpr std::chrono::hours kKeptEnded{24};
    // Events are kept this long for an instance whose session is down as they are NOTIFYed.
    static constexpr std::chrono::minutes kKeptEvents{5};
    // At most this many of an instance's events wait for a database that is away; past it
    // the oldest are dropped (and logged).
    static constexpr std::size_t kMostUnsentEvents = 10000;

    struct Row {
        std::string id, agent, instance, state, traceId;
        nlohmann::json record, request; // request: the escalate message's payload, or null
        // An orphan's: the agent had asked (a hang-up stored for the gone instance) to end it.
        bool hangUpAsked = false;
    };
    using Documents = std::map<std::string, std::map<std::string, std::string>>;
    struct Handlers {
        // Another instance's event for `agent`'s stream, keyed by escalation id.
        std::function<void(std::string message, std::string key, std::string agent)> event;
        // A command addressed to this instance: {"op": "hangup", "id", "agent"}.
        std::function<void(const nlohmann::json& command)> command;
        // Escalations in progress on an instance that is gone (`instance` names it), now this
        // instance's to report: marked failed in the database already.
        std::function<void(std::vector<Row> orphans)> orphans;
        // A registry document that an instance (this one too) changed: its body now, or
        // nullopt when it was removed (registry/pg_document_store.cpp notifies).
        std::function<void(std::string kind, std::string id, std::optional<std::string> body)>
            document;
        // The whole registry as stored (kind → id → body), read again after a reconnection:
        // what is not in it was removed meanwhile.
        std::function<void(Documents stored)> registry;
    };

    // Connects, creates the table if missing and listens. The instance's lock must be held
    // by this process already (PgLimits::open). Errors (Errc::io): the database's.
    static Result<std::unique_ptr<PgEscalations>> open(asio::io_context& owner,
                                                       const std::string& conninfo,
                                                       std::string instance, Handlers handlers);
    ~PgEscalations();
    PgEscalations(const PgEscalations&) = delete;
    PgEscalations& operator=(const PgEscalations&) = delete;

    const std::string& instance() const noexcept { return instance_; }
    // This instance's escalation changed: its record now (`request` on its first write).
    void record(std::string id, std::string agent, std::string state, std::string traceId,
                const nlohmann::json& record, const nlohmann::json& request = nullptr);
    // One of this instance's events, for the other instances' streams.
    void publish(std::string message, std::string key, std::string agent);
    // The record of an escalation, wherever it lives; nullopt when there is none, an error
    // (Errc::io) when the database cannot be read (not the same answer: 503, not 404).
    void fetch(std::string id, std::function<void(Result<std::optional<Row>>)> done);
    // `agent`'s records on every instance (in `state` unless empty), newest first, at most
    // `limit`; an error (Errc::io) when the database cannot be read.
    void list(std::string agent, std::string state, std::size_t limit,
              std::function<void(Result<std::vector<nlohmann::json>>)> done);
    // Gone instances' escalations are claimed (and this instance's own former life's at once)
    // from startClaiming(), once the owner can ring them again: a claim's orphans are marked
    // failed in the database as it is made, so an owner that never came up would lose them.
    void startClaiming();
    // No more claims (this instance drains or stops: it could not ring them again, and
    // another can). Does not wait: a claim statement under way as it is called still
    // completes and reports its orphans.
    void stopClaiming() noexcept { claiming_.store(false, std::memory_order_relaxed); }
    // `command` (with "op") to the instance that holds an escalation; `sent` once it is
    // stored for that instance (it then survives the instance's session going down), or with
    // the database's error.
    void command(std::string instance, nlohmann::json command,
                 std::function<void(Result<void>)> sent);

private:
    PgEscalations(asio::io_context& owner, std::unique_ptr<db::PgConnection> db,
                  std::string instance, Handlers handlers);
    // On the records' thread.
    Result<db::PgResult> exec(std::string_view doing, std::string_view sql,
                              std::span<const db::PgParam> params);
    void listen(); // on the connection's socket now, if not yet
    void waitForNotifications();
    void deliver(); // the notifications received, to the owner
    void readDocument(std::string kind, std::string id);
    void readRegistry();
    // The latest record of an escalation, written (and false, kept in unstored_, when the
    // database cannot take it).
    struct PendingRecord {
        std::string agent, state, traceId, record, request; // request: empty when not known
    };
    bool store(const std::string& id, PendingRecord r);
    void storeUnstored();
    void takeCommands(); // this instance's, from cluster_commands, to the owner in order

    // Events (pg_events.cpp): one of this instance's to send, or another's as NOTIFYed (its
    // message left out, `complete` false, when too large for a NOTIFY) or as read.
    struct Event {
        std::int64_t seq = 0;
        std::string key, agent, message;
        bool complete = true;
    };
    // unsentEvents_, oldest first, until the database refuses one; how many were sent.
    std::size_t sendEvents();
    void arrived(Event e); // from deliver(): handed on by handArrived(), posted once
    void handArrived();
    void catchUpEvents(); // those NOTIFYed while the session was down
    void hand(Event e);   // to the owner, unless handed already
    void forgetOldEvents();
    void claim(bool ownFormerLife);
    void sweepLater();

    asio::io_context& owner_;
    std::unique_ptr<db::PgConnection> db_; // the records' thread's, once started
    std::string instance_;
    Handlers handlers_;
    net::Worker worker_{"cluster-records"};
    std::optional<asio::posix::stream_descriptor> socket_; // a dup of the connection's
    int socketOf_ = -1;                                    // the connection's, when dup'd
    std::optional<asio::steady_timer> sweep_;
    std::atomic<bool> claiming_{false}; // set by the owner, read by the records' thread
    // Instances seen gone at the last sweep, and since when.
    std::map<std::string, std::chrono::steady_clock::time_point> suspects_;
    // Records the database could not take (it was away), by escalation, written again at
    // every sweep: otherwise an escalation that ended meanwhile would read as in progress
    // until it changed again, which it never does.
    std::map<std::string, PendingRecord> unstored_;
    // This instance's events the database could not take yet, oldest first.
    std::deque<Event> unsentEvents_;
    // Other instances' events: NOTIFYed, not handed on yet; and those handed on (by seq, for
    // kKeptEvents and a minute), so that catching up after a reconnection hands none twice.
    std::vector<Event> arrived_;
    std::unordered_set<std::int64_t> handed_;
    std::deque<std::pair<std::chrono::steady_clock::time_point, std::int64_t>> handedInOrder_;
    std::string startedAt_; // the database's clock as this opened: older events are not ours
    // What the worker's answers to the owner hold: the owner's destructor resets self_ while
    // the worker may be making an answer, so the worker copies alive_, made once here, and
    // never touches self_ (one shared_ptr object, read and reset on two threads, is a race).
    std::shared_ptr<PgEscalations*> self_ = std::make_shared<PgEscalations*>(this);
    const std::weak_ptr<PgEscalations*> alive_ = self_;
};

} // namespace sb::cluster
