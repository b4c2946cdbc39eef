// PgEscalations' events (cluster/pg_escalations.hpp): a row each in cluster_events, NOTIFYed
// as it commits. A NOTIFY reaches only the sessions listening at that moment, so the rows let
// an instance whose session was down read what it missed, and a row that cannot be written
// (the database is away) waits, with the instance's later events behind it, to keep their
// order on every stream.
#include "cluster/event_table.hpp"
#include "cluster/pg_escalations.hpp"
#include "core/log.hpp"

#include <asio/post.hpp>
#include <fmt/format.h>

namespace sb::cluster {
namespace {

spdlog::logger& logger() {
    return log::get("cluster");
}

// PostgreSQL refuses a NOTIFY payload of 8000 bytes or more: a larger event is NOTIFYed
// without its message, which the instances then read from the row.
const std::string kPublish = fmt::format(
    "WITH e AS (INSERT INTO cluster_events (instance, key, agent, message) VALUES ($1, $2, $3, "
    "$4) RETURNING seq, instance, key, agent, message), n AS (SELECT json_build_object('seq', "
    "seq, 'from', instance, 'key', key, 'agent', agent, 'message', message)::text AS whole, "
    "json_build_object('seq', seq, 'from', instance)::text AS bare FROM e) SELECT "
    "pg_notify('{}', CASE WHEN octet_length(whole) < 8000 THEN whole ELSE bare END) FROM n",
    kEvents);
constexpr const char* kEventColumns = "seq, key, agent, message";

} // namespace

void PgEscalations::publish(std::string message, std::string key, std::string agent) {
    worker_.post(
        [this, e = Event{0, std::move(key), std::move(agent), std::move(message)}]() mutable {
            unsentEvents_.push_back(std::move(e));
            if (unsentEvents_.size() > kMostUnsentEvents) {
                unsentEvents_.pop_front();
                logger().warn("cluster records: the database has been away for {} events; the "
                              "oldest is dropped",
                              kMostUnsentEvents);
            }
            // Behind others that wait, it waits too (the sweep sends them).
            if (unsentEvents_.size() == 1) sendEvents();
        });
}

std::size_t PgEscalations::sendEvents() {
    std::size_t sent = 0;
    for (; !unsentEvents_.empty(); unsentEvents_.pop_front(), ++sent) {
        const auto& e = unsentEvents_.front();
        const db::PgParam params[] = {db::PgParam::text(instance_), db::PgParam::text(e.key),
                                      db::PgParam::text(e.agent), db::PgParam::text(e.message)};
        if (auto done = exec("publishing an event", kPublish, params); !done) {
            if (db_->connected()) { // refused, not away: it would block those behind it
                logger().warn("{} (the event is dropped)", done.error().message);
                continue;
            }
            logger().warn("{} ({} event(s) sent once the database is back)", done.error().message,
                          unsentEvents_.size());
            break;
        }
    }
    return sent;
}

void PgEscalations::arrived(Event e) {
    arrived_.push_back(std::move(e));
    // After the rest of this turn's notifications (exec() delivers as it answers).
    if (arrived_.size() == 1) worker_.post([this] { handArrived(); });
}

void PgEscalations::handArrived() {
    auto events = std::move(arrived_);
    arrived_.clear();
    std::string missing; // the seqs of those NOTIFYed without their message, "{1,2}"
    for (const auto& e : events)
        if (!e.complete) missing += (missing.empty() ? "{" : ",") + std::to_string(e.seq);
    std::map<std::int64_t, Event> read;
    if (!missing.empty()) {
        missing += "}";
        const db::PgParam params[] = {db::PgParam::text(missing)};
        auto rows = exec("reading events",
                         fmt::format("SELECT {} FROM cluster_events WHERE seq = ANY($1::bigint[])",
                                     kEventColumns),
                         params);
        if (!rows) logger().warn("{}", rows.error().message);
        for (int r = 0; rows && r < rows->rows(); ++r)
            read[rows->int64(r, 0)] = {rows->int64(r, 0), std::string(rows->text(r, 1)),
                                       std::string(rows->text(r, 2)),
                                       std::string(rows->text(r, 3))};
    }
    for (auto& e : events) {
        if (e.complete) {
            hand(std::move(e));
        } else if (auto found = read.find(e.seq); found != read.end()) {
            hand(std::move(found->second));
        }
    }
}

void PgEscalations::catchUpEvents() {
    const std::string keep = fmt::format("{} minutes", kKeptEvents.count());
    const db::PgParam params[] = {db::PgParam::text(instance_), db::PgParam::text(startedAt_),
                                  db::PgParam::text(keep)};
    auto rows = exec("reading the events missed",
                     fmt::format("SELECT {} FROM cluster_events WHERE instance <> $1 AND sent >= "
                                 "greatest($2::timestamptz, now() - $3::interval) ORDER BY seq",
                                 kEventColumns),
                     params);
    if (!rows) return logger().warn("{}", rows.error().message);
    const auto before = handed_.size();
    for (int r = 0; r < rows->rows(); ++r)
        hand({rows->int64(r, 0), std::string(rows->text(r, 1)), std::string(rows->text(r, 2)),
              std::string(rows->text(r, 3))});
    if (handed_.size() > before)
        logger().info("cluster records: {} event(s) NOTIFYed while the session was down, read",
                      handed_.size() - before);
}

void PgEscalations::hand(Event e) {
    if (e.seq != 0) { // 0: NOTIFYed by an instance of a version without the table
        if (!handed_.insert(e.seq).second) return;
        handedInOrder_.emplace_back(std::chrono::steady_clock::now(), e.seq);
    }
    asio::post(owner_, [self = alive_, e = std::move(e)]() mutable {
        if (auto alive = self.lock(); alive && (*alive)->handlers_.event)
            (*alive)->handlers_.event(std::move(e.message), std::move(e.key), std::move(e.agent));
    });
}

void PgEscalations::forgetOldEvents() {
    // A minute beyond the rows' time: the two clocks differ, and the sweeps run apart.
    const auto old = std::chrono::steady_clock::now() - kKeptEvents - std::chrono::minutes(1);
    while (!handedInOrder_.empty() && handedInOrder_.front().first < old) {
        handed_.erase(handedInOrder_.front().second);
        handedInOrder_.pop_front();
    }
    const std::string keep = fmt::format("{} minutes", kKeptEvents.count());
    const db::PgParam params[] = {db::PgParam::text(keep)};
    if (auto done = exec("forgetting old events",
                         "DELETE FROM cluster_events WHERE sent < now() - $1::interval", params);
        !done)
        logger().warn("{}", done.error().message);
}

} // namespace sb::cluster
