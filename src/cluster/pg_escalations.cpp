#include "cluster/pg_escalations.hpp"

#include "cluster/event_table.hpp"
#include "cluster/membership.hpp"
#include "core/json_text.hpp"
#include "core/log.hpp"

#include <asio/post.hpp>
#include <fmt/format.h>
#include <map>
#include <set>
#include <unistd.h>

namespace sb::cluster {
namespace {

using nlohmann::json;

spdlog::logger& logger() {
    return log::get("cluster");
}

constexpr const char* kCommands = "switchboard_commands";
constexpr const char* kRegistry = "switchboard_registry";

constexpr const char* kTable =
    "CREATE TABLE IF NOT EXISTS cluster_escalations (id TEXT PRIMARY KEY, agent TEXT NOT NULL, "
    "instance TEXT NOT NULL, state TEXT NOT NULL, trace_id TEXT NOT NULL, record JSONB NOT "
    "NULL, request JSONB, updated TIMESTAMPTZ NOT NULL DEFAULT now())";
constexpr const char* kLiveIndex =
    "CREATE INDEX IF NOT EXISTS cluster_escalations_live ON cluster_escalations (instance) "
    "WHERE state IN ('ringing', 'answered')";
constexpr const char* kUpsert =
    "INSERT INTO cluster_escalations AS e (id, agent, instance, state, trace_id, record, "
    "request) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET instance = "
    "excluded.instance, state = excluded.state, record = excluded.record, request = "
    "coalesce(e.request, excluded.request), updated = now()";
// Commands for an instance, until it takes them (a NOTIFY alone is lost on a session that is
// down as it commits), or until they are as old as an ended escalation's record (one for an
// instance that never came back). One left from an instance's former life is carried out by
// the new one, and finds no such escalation.
constexpr const char* kCommandsTable =
    "CREATE TABLE IF NOT EXISTS cluster_commands (seq BIGSERIAL PRIMARY KEY, instance TEXT NOT "
    "NULL, body JSONB NOT NULL, sent TIMESTAMPTZ NOT NULL DEFAULT now())";
constexpr const char* kAgentIndex =
    "CREATE INDEX IF NOT EXISTS cluster_escalations_agent ON cluster_escalations (agent)";
constexpr const char* kColumns =
    "id, agent, instance, state, trace_id, record::text, coalesce(request::text, 'null')";
// The instances that hold escalations in progress and are not alive.
const std::string kDead = "SELECT DISTINCT instance FROM cluster_escalations WHERE state IN "
                          "('ringing', 'answered') AND instance <> $1 AND NOT " +
                          instanceAlive("instance");
// Claims the escalations in progress of the instance $2 for $1, marking them failed, and
// takes the hang-ups stored for $2 on them: the agent was answered 202, and such an
// escalation must not be rung again (the last column says which).
const std::string kClaim = fmt::format(
    "WITH gone AS (SELECT id FROM cluster_escalations WHERE state IN ('ringing', 'answered') "
    "AND instance = $2 FOR UPDATE SKIP LOCKED), hangups AS (DELETE FROM cluster_commands c "
    "USING gone WHERE c.instance = $2 AND c.body->>'op' = 'hangup' AND c.body->>'id' = gone.id "
    "RETURNING gone.id), claimed AS (UPDATE cluster_escalations e SET instance = $1, state = "
    "'failed', updated = now(), record = e.record || jsonb_build_object('state', 'failed', "
    "'reason', 'instance ' || $2 || ' stopped with the escalation in progress') FROM gone WHERE "
    "e.id = gone.id RETURNING e.*) SELECT {}, (SELECT count(*) FROM hangups h WHERE h.id = "
    "claimed.id) FROM claimed",
    "id, agent, $2, state, trace_id, record::text, coalesce(request::text, 'null')");

// A value as JSONB takes it: PostgreSQL's jsonb holds no U+0000 (SQLSTATE 22P05, "unsupported
// Unicode escape sequence"), which JSON allows and an agent may send; a record holding one
// would never be stored, nor any later write of its escalation. U+FFFD stands in for it in
// strings (members' names are the server's own: an agent's unknown members are refused).
void withoutNul(json& value) {
    if (value.is_string()) {
        auto& text = value.get_ref<std::string&>();
        for (auto at = text.find('\0'); at != std::string::npos; at = text.find('\0', at + 3))
            text.replace(at, 1, "\xef\xbf\xbd");
    } else if (value.is_structured()) {
        for (auto& member : value)
            withoutNul(member);
    }
}

std::string jsonbText(json value) {
    withoutNul(value);
    return jsonText(value);
}

std::string text(const json& object, const char* key) {
    const auto found = object.find(key);
    return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

PgEscalations::Row rowOf(const db::PgResult& rows, int r) {
    PgEscalations::Row row{std::string(rows.text(r, 0)),
                           std::string(rows.text(r, 1)),
                           std::string(rows.text(r, 2)),
                           std::string(rows.text(r, 3)),
                           std::string(rows.text(r, 4)),
                           {},
                           {}};
    row.record = json::parse(rows.text(r, 5), nullptr, false);
    row.request = json::parse(rows.text(r, 6), nullptr, false);
    return row;
}

} // namespace

Result<std::unique_ptr<PgEscalations>> PgEscalations::open(asio::io_context& owner,
                                                           const std::string& conninfo,
                                                           std::string instance,
                                                           Handlers handlers) {
    if (!goodInstanceName(instance))
        return fail(Errc::config,
                    fmt::format("cluster: \"{}\" is not an instance's name", instance));
    auto db = db::PgConnection::connect(
        conninfo, "cluster records",
        {"SET synchronous_commit = on", "SET client_min_messages = warning", kTable, kLiveIndex,
         kAgentIndex, kCommandsTable, kEventsTable, kEventsIndex, fmt::format("LISTEN {}", kEvents),
         fmt::format("LISTEN {}", kCommands), fmt::format("LISTEN {}", kRegistry)});
    if (!db) return fail(db.error());
    auto now = (*db)->exec("reading the database's clock", "SELECT now()::text", {});
    if (!now) return fail(now.error());
    std::unique_ptr<PgEscalations> records(
        new PgEscalations(owner, std::move(db).value(), std::move(instance), std::move(handlers)));
    records->startedAt_ = now->text(0, 0);
    records->worker_.start();
    records->worker_.post([self = records.get()] {
        self->listen();
        self->sweepLater();
    });
    return records;
}

void PgEscalations::startClaiming() {
    claiming_.store(true, std::memory_order_relaxed);
    worker_.post([this] { claim(true); });
}

PgEscalations::PgEscalations(asio::io_context& owner, std::unique_ptr<db::PgConnection> db,
                             std::string instance, Handlers handlers)
    : owner_(owner), db_(std::move(db)), instance_(std::move(instance)),
      handlers_(std::move(handlers)) {}

PgEscalations::~PgEscalations() {
    self_.reset();
    worker_.post([this] {
        // A last try at what the database could not take (an escalation that ended during an
        // outage would otherwise read as in progress, and be claimed and rung again).
        if (!unstored_.empty()) storeUnstored();
        if (!unsentEvents_.empty()) (void)sendEvents();
        sweep_.reset();
        socket_.reset();
        worker_.stop();
    });
    worker_.join();
}

Result<db::PgResult> PgEscalations::exec(std::string_view doing, std::string_view sql,
                                         std::span<const db::PgParam> params) {
    // A new connection (whose session statements LISTEN again) has a new socket to wait on,
    // and what was NOTIFYed while there was none is read instead.
    auto reconnect = [this]() -> Result<void> {
        auto again = db_->reconnectIfLost();
        if (!again) return fail(again.error());
        if (*again) {
            socketOf_ = -1;
            listen();
            worker_.post([this] {
                readRegistry();
                takeCommands();
                catchUpEvents();
            });
        }
        return {};
    };
    if (auto up = reconnect(); !up) return fail(up.error());
    auto done = db_->exec(doing, sql, params);
    if (done || db_->connected()) {
        deliver(); // what arrived with the answer
        return done;
    }
    // A server that ended the session (a restart) shows as the statement fails: it did not
    // commit, so it runs again once reconnected.
    if (auto up = reconnect(); !up) return fail(up.error());
    auto again = db_->exec(doing, sql, params);
    deliver();
    return again;
}

void PgEscalations::listen() {
    const int fd = db_->connected() ? db_->socket() : -1;
    if (fd < 0 || fd == socketOf_) return; // none: the next sweep reconnects, and listens again
    socket_.reset();                       // its wait ends as cancelled
    socket_.emplace(worker_.context(), ::dup(fd));
    socketOf_ = fd;
    waitForNotifications();
}

void PgEscalations::waitForNotifications() {
    socket_->async_wait(asio::posix::descriptor_base::wait_read, [this](const std::error_code& ec) {
        if (ec) return; // cancelled: the socket was replaced or closed
        deliver();
        // A connection that ended is waited on again once made anew.
        if (db_->connected()) waitForNotifications();
    });
}

void PgEscalations::deliver() {
    for (auto& n : db_->notifications()) {
        auto payload = json::parse(n.payload, nullptr, false);
        if (!payload.is_object()) continue;
        if (n.channel == kEvents && text(payload, "from") != instance_) {
            const auto message = payload.find("message");
            arrived({payload.value("seq", std::int64_t{0}), text(payload, "key"),
                     text(payload, "agent"), text(payload, "message"), message != payload.end()});
        } else if (n.channel == kRegistry) {
            // Read after the notifications of this turn are handed on: exec() delivers too.
            worker_.post([this, kind = text(payload, "kind"), id = text(payload, "id")]() mutable {
                readDocument(std::move(kind), std::move(id));
            });
        } else if (n.channel == kCommands && text(payload, "to") == instance_) {
            worker_.post([this] { takeCommands(); });
        }
    }
}

void PgEscalations::readDocument(std::string kind, std::string id) {
    const db::PgParam params[] = {db::PgParam::text(kind), db::PgParam::text(id)};
    auto rows = exec("reading a registry document",
                     "SELECT body FROM registry_documents WHERE kind = $1 AND id = $2", params);
    if (!rows) return logger().warn("{}", rows.error().message);
    std::optional<std::string> body;
    if (rows->rows() == 1) body = std::string(rows->text(0, 0));
    asio::post(owner_, [self = alive_, kind = std::move(kind), id = std::move(id),
                        body = std::move(body)]() mutable {
        if (auto alive = self.lock(); alive && (*alive)->handlers_.document)
            (*alive)->handlers_.document(std::move(kind), std::move(id), std::move(body));
    });
}

void PgEscalations::readRegistry() {
    auto rows = exec("reading the registry", "SELECT kind, id, body FROM registry_documents", {});
    if (!rows) return logger().warn("{}", rows.error().message);
    Documents stored;
    for (int r = 0; r < rows->rows(); ++r)
        stored[std::string(rows->text(r, 0))][std::string(rows->text(r, 1))] = rows->text(r, 2);
    asio::post(owner_, [self = alive_, stored = std::move(stored)]() mutable {
        if (auto alive = self.lock(); alive && (*alive)->handlers_.registry)
            (*alive)->handlers_.registry(std::move(stored));
    });
}

void PgEscalations::takeCommands() {
    const db::PgParam me[] = {db::PgParam::text(instance_)};
    auto rows =
        exec("taking this instance's commands",
             "DELETE FROM cluster_commands WHERE instance = $1 RETURNING seq, body::text", me);
    if (!rows) return logger().warn("{}", rows.error().message);
    std::map<std::int64_t, json> commands; // in the order sent
    for (int r = 0; r < rows->rows(); ++r)
        commands.emplace(rows->int64(r, 0), json::parse(rows->text(r, 1), nullptr, false));
    for (auto& [seq, command] : commands)
        asio::post(owner_, [self = alive_, command = std::move(command)] {
            if (auto alive = self.lock(); alive && (*alive)->handlers_.command)
                (*alive)->handlers_.command(command);
        });
}

void PgEscalations::record(std::string id, std::string agent, std::string state,
                           std::string traceId, const json& record, const json& request) {
    worker_.post([this, id = std::move(id),
                  r = PendingRecord{
                      std::move(agent), std::move(state), std::move(traceId), jsonbText(record),
                      request.is_null() ? std::string() : jsonbText(request)}]() mutable {
        store(id, std::move(r));
    });
}

bool PgEscalations::store(const std::string& id, PendingRecord r) {
    // A request that an earlier write could not store goes with this one (GET shows none, and
    // a takeover needs it to ring the escalation again).
    if (const auto earlier = unstored_.find(id); earlier != unstored_.end() && r.request.empty())
        r.request = std::move(earlier->second.request);
    const db::PgParam params[] = {db::PgParam::text(id),
                                  db::PgParam::text(r.agent),
                                  db::PgParam::text(instance_),
                                  db::PgParam::text(r.state),
                                  db::PgParam::text(r.traceId),
                                  db::PgParam::text(r.record),
                                  r.request.empty() ? db::PgParam::null()
                                                    : db::PgParam::text(r.request)};
    if (auto done = exec("recording an escalation", kUpsert, params); !done) {
        logger().warn("{} (written again once the database is back)", done.error().message);
        unstored_[id] = std::move(r);
        return false;
    }
    unstored_.erase(id);
    return true;
}

void PgEscalations::storeUnstored() {
    auto waiting = std::move(unstored_);
    unstored_.clear();
    std::size_t stored = 0;
    for (auto& [id, r] : waiting) {
        // Once the database is found away, the rest wait too (each try would wait to connect).
        if (!unstored_.empty() && !db_->connected()) {
            unstored_[id] = std::move(r);
            continue;
        }
        stored += store(id, std::move(r)) ? 1 : 0;
    }
    if (stored > 0)
        logger().info("cluster records: {} record(s) the database could not take are stored now",
                      stored);
}

void PgEscalations::command(std::string instance, json command,
                            std::function<void(Result<void>)> sent) {
    command["from"] = instance_;
    worker_.post([this, instance = std::move(instance), body = jsonbText(command),
                  sent = std::move(sent)]() mutable {
        const db::PgParam params[] = {db::PgParam::text(instance), db::PgParam::text(body)};
        auto stored = exec("sending a command",
                           fmt::format("WITH c AS (INSERT INTO cluster_commands (instance, body) "
                                       "VALUES ($1, $2::jsonb) RETURNING instance) SELECT "
                                       "pg_notify('{}', json_build_object('to', instance)::text) "
                                       "FROM c",
                                       kCommands),
                           params);
        Result<void> outcome;
        if (!stored) {
            logger().warn("{}", stored.error().message);
            outcome = fail(stored.error());
        }
        asio::post(owner_,
                   [self = alive_, sent = std::move(sent), outcome = std::move(outcome)]() mutable {
                       if (self.lock()) sent(std::move(outcome));
                   });
    });
}

void PgEscalations::fetch(std::string id, std::function<void(Result<std::optional<Row>>)> done) {
    worker_.post([this, id = std::move(id), done = std::move(done)]() mutable {
        const db::PgParam params[] = {db::PgParam::text(id)};
        auto rows =
            exec("reading an escalation",
                 fmt::format("SELECT {} FROM cluster_escalations WHERE id = $1", kColumns), params);
        Result<std::optional<Row>> row{std::nullopt};
        if (!rows) {
            logger().warn("{}", rows.error().message);
            row = fail(rows.error());
        } else if (rows->rows() == 1) {
            row = std::optional(rowOf(*rows, 0));
        }
        asio::post(owner_, [self = alive_, done = std::move(done), row = std::move(row)]() mutable {
            if (self.lock()) done(std::move(row));
        });
    });
}

void PgEscalations::list(std::string agent, std::string state, std::size_t limit,
                         std::function<void(Result<std::vector<json>>)> done) {
    worker_.post([this, agent = std::move(agent), state = std::move(state), limit,
                  done = std::move(done)]() mutable {
        const std::string most = std::to_string(limit);
        const db::PgParam params[] = {db::PgParam::text(agent), db::PgParam::text(state),
                                      db::PgParam::text(most)};
        auto rows = exec("listing escalations",
                         "SELECT record::text FROM cluster_escalations WHERE agent = $1 AND ($2 "
                         "= '' OR state = $2) ORDER BY (record->>'created_ms')::bigint DESC "
                         "LIMIT $3",
                         params);
        Result<std::vector<json>> records{std::vector<json>{}};
        if (!rows) {
            logger().warn("{}", rows.error().message);
            records = fail(rows.error());
        }
        for (int r = 0; rows && r < rows->rows(); ++r)
            records->push_back(json::parse(rows->text(r, 0), nullptr, false));
        asio::post(owner_,
                   [self = alive_, done = std::move(done), records = std::move(records)]() mutable {
                       if (self.lock()) done(std::move(records));
                   });
    });
}

void PgEscalations::claim(bool ownFormerLife) {
    if (!claiming_.load(std::memory_order_relaxed)) return;
    std::set<std::string> dead;
    if (ownFormerLife) {
        dead.insert(instance_);
    } else {
        const db::PgParam me[] = {db::PgParam::text(instance_)};
        auto rows = exec("finding instances that are gone", kDead, me);
        if (!rows) return logger().warn("{}", rows.error().message);
        // Gone for kGrace at every sweep since: an instance cut off by a database restart
        // takes its lock again (PgLimits::kSweep) before its escalations are taken from it.
        const auto now = std::chrono::steady_clock::now();
        std::map<std::string, std::chrono::steady_clock::time_point> seen;
        for (int r = 0; r < rows->rows(); ++r) {
            std::string name(rows->text(r, 0));
            const auto before = suspects_.find(name);
            const auto since = before == suspects_.end() ? now : before->second;
            if (now - since >= kGrace) dead.insert(name);
            seen.emplace(std::move(name), since);
        }
        suspects_ = std::move(seen);
    }
    std::vector<Row> orphans;
    for (const auto& name : dead) {
        if (!claiming_.load(std::memory_order_relaxed)) break; // asked to stop meanwhile
        const db::PgParam params[] = {db::PgParam::text(instance_), db::PgParam::text(name)};
        auto rows = exec("claiming a gone instance's escalations", kClaim, params);
        if (!rows) {
            logger().warn("{}", rows.error().message);
            continue;
        }
        for (int r = 0; r < rows->rows(); ++r) {
            orphans.push_back(rowOf(*rows, r));
            orphans.back().hangUpAsked = rows->int64(r, 7) > 0;
        }
    }
    if (orphans.empty()) return;
    logger().warn("cluster records: {} escalation(s) in progress on instance(s) that are gone, "
                  "now this instance's to report",
                  orphans.size());
    asio::post(owner_, [self = alive_, orphans = std::move(orphans)]() mutable {
        if (auto alive = self.lock(); alive && (*alive)->handlers_.orphans)
            (*alive)->handlers_.orphans(std::move(orphans));
    });
}

void PgEscalations::sweepLater() {
    if (!sweep_) sweep_.emplace(worker_.context());
    sweep_->expires_after(kSweep);
    sweep_->async_wait([this](const std::error_code& ec) {
        if (ec) return;
        claim(false);
        takeCommands(); // those whose NOTIFY this session missed
        if (!unstored_.empty()) storeUnstored();
        if (const auto waited = unsentEvents_.size(); waited > 0)
            if (const auto sent = sendEvents(); sent > 0)
                logger().info("cluster records: {} of {} event(s) waiting sent now", sent, waited);
        forgetOldEvents();
        const std::string keep = fmt::format("{} hours", kKeptEnded.count());
        const db::PgParam params[] = {db::PgParam::text(keep)};
        if (auto old = exec("forgetting old records",
                            "DELETE FROM cluster_escalations WHERE state IN ('ended', 'failed') "
                            "AND updated < now() - $1::interval",
                            params);
            !old)
            logger().warn("{}", old.error().message);
        if (auto old =
                exec("forgetting old commands",
                     "DELETE FROM cluster_commands WHERE sent < now() - $1::interval", params);
            !old)
            logger().warn("{}", old.error().message);
        sweepLater();
    });
}

} // namespace sb::cluster
