#include "cluster/pg_limits.hpp"

#include "cluster/membership.hpp"
#include "core/json_text.hpp"
#include "core/log.hpp"

#include <asio/post.hpp>
#include <charconv>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace sb::cluster {
namespace {

spdlog::logger& logger() {
    return log::get("cluster");
}

// The tables and functions, created by the first instance (under a lock, since two instances
// replacing one function at once collide). A bucket's row is named by the limit's bucket key
// and the subject; chr(29) separates them, as neither holds control characters.
constexpr const char* kSchemaLock =
    "SELECT pg_advisory_lock(hashtextextended('switchboard cluster schema', 0))";
constexpr const char* kSchemaUnlock =
    "SELECT pg_advisory_unlock(hashtextextended('switchboard cluster schema', 0))";
constexpr const char* kBuckets =
    "CREATE TABLE IF NOT EXISTS cluster_buckets (id TEXT PRIMARY KEY, tokens DOUBLE PRECISION "
    "NOT NULL, last TIMESTAMPTZ NOT NULL)";
constexpr const char* kActive =
    "CREATE TABLE IF NOT EXISTS cluster_active (scope TEXT NOT NULL, subject TEXT NOT NULL, "
    "instance TEXT NOT NULL, count INT NOT NULL, PRIMARY KEY (scope, subject, instance))";
// Guard::admit for the cluster: every limit checked (its cap against the count over all
// instances, its bucket's level), then every bucket takes a token and the count goes up; or
// nothing changes and the refusing limit is named.
constexpr const char* kAdmit = R"SQL(
CREATE OR REPLACE FUNCTION switchboard_admit(p_scope TEXT, p_subject TEXT, p_instance TEXT,
                                             p_limits JSONB)
RETURNS TABLE (refused_by TEXT, active INT, tokens TEXT) LANGUAGE plpgsql AS $$
DECLARE
  n INT;
  l RECORD;
  lvl DOUBLE PRECISION;
  t TIMESTAMPTZ := clock_timestamp();
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(p_scope || chr(29) || p_subject, 1));
  SELECT coalesce(sum(a.count), 0) INTO n FROM cluster_active a
   WHERE a.scope = p_scope AND a.subject = p_subject;
  FOR l IN SELECT * FROM jsonb_to_recordset(p_limits) AS x(id TEXT, key TEXT,
           rate DOUBLE PRECISION, per DOUBLE PRECISION, burst DOUBLE PRECISION, cap INT) LOOP
    IF l.cap IS NOT NULL AND n >= l.cap THEN
      RETURN QUERY SELECT l.id, n, NULL::TEXT;
      RETURN;
    END IF;
    CONTINUE WHEN l.rate = 0;
    SELECT least(l.burst, b.tokens + greatest(0, extract(epoch FROM t - b.last)::float8)
                 * l.rate / l.per)
      INTO lvl FROM cluster_buckets b WHERE b.id = l.key || chr(29) || p_subject;
    IF NOT FOUND THEN lvl := l.burst; END IF;
    IF lvl < 1 THEN
      RETURN QUERY SELECT l.id, n, lvl::TEXT;
      RETURN;
    END IF;
  END LOOP;
  FOR l IN SELECT * FROM jsonb_to_recordset(p_limits) AS x(key TEXT, rate DOUBLE PRECISION,
           per DOUBLE PRECISION, burst DOUBLE PRECISION) WHERE x.rate > 0 LOOP
    INSERT INTO cluster_buckets AS b VALUES (l.key || chr(29) || p_subject, l.burst - 1, t)
      ON CONFLICT (id) DO UPDATE SET
        tokens = least(l.burst, b.tokens + greatest(0, extract(epoch FROM t - b.last)::float8)
                       * l.rate / l.per) - 1,
        last = greatest(b.last, t);
  END LOOP;
  INSERT INTO cluster_active AS a VALUES (p_scope, p_subject, p_instance, 1)
    ON CONFLICT (scope, subject, instance) DO UPDATE SET count = a.count + 1;
  RETURN QUERY SELECT NULL::TEXT, n + 1, NULL::TEXT;
END $$)SQL";
constexpr const char* kRelease = R"SQL(
CREATE OR REPLACE FUNCTION switchboard_release(p_scope TEXT, p_subject TEXT, p_instance TEXT)
RETURNS VOID LANGUAGE sql AS $$
  UPDATE cluster_active SET count = count - 1
   WHERE scope = p_scope AND subject = p_subject AND instance = p_instance;
  DELETE FROM cluster_active
   WHERE scope = p_scope AND subject = p_subject AND instance = p_instance AND count <= 0;
$$)SQL";
// A turn's admissions and releases in one transaction (one commit, one round trip). They run
// in the order of their subjects, and as asked within a subject, so that two instances'
// batches take their subjects' locks in one order and never wait on each other in a circle.
constexpr const char* kBatch = R"SQL(
CREATE OR REPLACE FUNCTION switchboard_ledger(p_instance TEXT, p_ops JSONB)
RETURNS TABLE (i INT, refused_by TEXT, active INT, tokens TEXT) LANGUAGE plpgsql AS $$
DECLARE
  o RECORD;
  v RECORD;
BEGIN
  FOR o IN SELECT (e.value->>'i')::INT AS n, e.value->>'op' AS op, e.value->>'scope' AS scope,
                  e.value->>'subject' AS subject, e.value->'limits' AS limits
             FROM jsonb_array_elements(p_ops) WITH ORDINALITY AS e(value, k)
            ORDER BY e.value->>'scope' COLLATE "C", e.value->>'subject' COLLATE "C", e.k LOOP
    IF o.op = 'admit' THEN
      SELECT * INTO v FROM switchboard_admit(o.scope, o.subject, p_instance, o.limits);
      i := o.n;
      refused_by := v.refused_by;
      active := v.active;
      tokens := v.tokens;
      RETURN NEXT;
    ELSE
      PERFORM switchboard_release(o.scope, o.subject, p_instance);
    END IF;
  END LOOP;
END $$)SQL";

// The counts of the instances that are gone (cluster/membership.hpp).
const std::string kSweepDead =
    "DELETE FROM cluster_active a WHERE a.instance <> $1 AND NOT " + instanceAlive("a.instance");

const char* scopeName(guard::LimitScope scope) {
    return scope == guard::LimitScope::agent ? "agent" : "expert";
}

} // namespace

Result<std::unique_ptr<PgLimits>>
PgLimits::open(asio::io_context& owner, const std::string& conninfo, std::string instance) {
    if (!goodInstanceName(instance))
        return fail(Errc::config,
                    fmt::format("cluster: \"{}\" is not an instance's name", instance));
    const std::string lock = takeInstanceLock(instance); // the name was checked above
    auto db = db::PgConnection::connect(conninfo, "cluster ledger",
                                        // Counts need no fsync: after a crash each instance
                                        // writes its tally again (docs/operations.md).
                                        {"SET synchronous_commit = off",
                                         "SET client_min_messages = warning", kSchemaLock, kBuckets,
                                         kActive, kAdmit, kRelease, kBatch, kSchemaUnlock,
                                         "SET lock_timeout = '5s'", lock, "RESET lock_timeout"});
    if (!db) {
        if (db.error().message.find("55P03") != std::string::npos)
            return fail(Errc::io,
                        fmt::format("cluster ledger: another live instance is named {}", instance));
        return fail(db.error());
    }
    std::unique_ptr<PgLimits> limits(
        new PgLimits(owner, std::move(db).value(), std::move(instance)));
    // A restarted instance has nothing in progress: what its last life counted goes.
    if (auto fresh = limits->restoreTally(); !fresh) return fail(fresh.error());
    limits->worker_.start();
    limits->worker_.post([self = limits.get()] { self->sweepLater(); });
    return limits;
}

PgLimits::PgLimits(asio::io_context& owner, std::unique_ptr<db::PgConnection> db,
                   std::string instance)
    : owner_(owner), db_(std::move(db)), instance_(std::move(instance)) {}

PgLimits::~PgLimits() {
    self_.reset();
    worker_.post([this] {
        sweep_.reset();
        worker_.stop();
    });
    worker_.join();
}

Result<void> PgLimits::restoreTally() {
    if (auto gone =
            db_->exec("forgetting the old counts", "DELETE FROM cluster_active WHERE instance = $1",
                      {db::PgParam::text(instance_)});
        !gone)
        return fail(gone.error());
    for (const auto& [key, count] : tally_) {
        const auto n = std::to_string(count);
        auto ok =
            db_->exec("restoring the counts", "INSERT INTO cluster_active VALUES ($1, $2, $3, $4)",
                      {db::PgParam::text(scopeName(key.first)), db::PgParam::text(key.second),
                       db::PgParam::text(instance_), db::PgParam::text(n)});
        if (!ok) return fail(ok.error());
    }
    return {};
}

Result<void> PgLimits::connected() {
    auto again = db_->reconnectIfLost();
    if (!again) return fail(again.error());
    if (*again) {
        logger().info("cluster ledger: reconnected; restoring this instance's {} count(s)",
                      tally_.size());
        return restoreTally();
    }
    return {};
}

Result<db::PgResult> PgLimits::execOnce(std::string_view doing, std::string_view sql,
                                        std::span<const db::PgParam> params) {
    if (auto up = connected(); !up) return fail(up.error());
    auto done = db_->exec(doing, sql, params);
    // libpq learns that the server ended the session (a restart) only as a statement fails;
    // the statement is one transaction that did not commit, so it runs again once reconnected.
    if (done || db_->connected()) return done;
    if (auto up = connected(); !up) return fail(up.error());
    return db_->exec(doing, sql, params);
}

nlohmann::json PgLimits::termsOf(const std::vector<guard::Limit>& limits) {
    auto terms = nlohmann::json::array();
    for (const auto& limit : limits)
        terms.push_back({{"id", limit.id},
                         {"key", limit.bucketKey()},
                         {"rate", limit.rate},
                         {"per", limit.perSeconds},
                         {"burst", limit.burst},
                         {"cap", limit.maxConcurrent ? nlohmann::json(*limit.maxConcurrent)
                                                     : nlohmann::json()}});
    return terms;
}

void PgLimits::admit(guard::LimitScope scope, std::string subject, std::vector<guard::Limit> limits,
                     Done done) {
    queued_.push_back({scope, std::move(subject), termsOf(limits), std::move(done)});
    flushSoon();
}

void PgLimits::release(guard::LimitScope scope, std::string subject) {
    queued_.push_back({scope, std::move(subject), nullptr, {}});
    flushSoon();
}

void PgLimits::flushSoon() {
    if (flushing_) return;
    flushing_ = true;
    // After the rest of this turn (and the answers already posted): what it asks goes together.
    asio::post(owner_, [this, self = alive_] {
        if (!self.lock()) return;
        flushing_ = false;
        worker_.post([this, ops = std::exchange(queued_, {})]() mutable { runBatch(ops); });
    });
}

void PgLimits::runBatch(std::vector<Op>& ops) {
    auto list = nlohmann::json::array();
    for (std::size_t i = 0; i < ops.size(); ++i) {
        const Op& op = ops[i];
        list.push_back({{"i", i},
                        {"op", op.done ? "admit" : "release"},
                        {"scope", scopeName(op.scope)},
                        {"subject", op.subject},
                        {"limits", op.terms}});
        if (op.done) continue;
        // A release lost with the connection is made good by the restore after reconnecting.
        if (const auto found = tally_.find({op.scope, op.subject}); found != tally_.end())
            if (--found->second <= 0) tally_.erase(found);
    }
    const std::string text = jsonText(list);
    const db::PgParam params[] = {db::PgParam::text(instance_), db::PgParam::text(text)};
    auto rows =
        execOnce("admitting",
                 "SELECT i, refused_by, active, tokens FROM switchboard_ledger($1, $2)", params);
    std::vector<guard::SharedVerdict> verdicts(ops.size());
    if (!rows) {
        logger().warn("{}", rows.error().message);
        for (auto& v : verdicts)
            v.error = rows.error().message;
    }
    for (int r = 0; rows && r < rows->rows(); ++r) {
        const auto i = static_cast<std::size_t>(rows->int64(r, 0));
        if (i >= ops.size()) continue;
        guard::SharedVerdict& v = verdicts[i];
        v.active = static_cast<int>(rows->int64(r, 2));
        if (rows->isNull(r, 1)) {
            ++tally_[{ops[i].scope, ops[i].subject}];
            continue;
        }
        v.refusedBy = rows->text(r, 1);
        if (!rows->isNull(r, 3)) {
            const auto level = rows->text(r, 3);
            double tokens = 0;
            std::from_chars(level.data(), level.data() + level.size(), tokens);
            v.tokens = tokens;
        }
    }
    asio::post(owner_,
               [self = alive_, ops = std::move(ops), verdicts = std::move(verdicts)]() mutable {
                   if (!self.lock()) return;
                   for (std::size_t i = 0; i < ops.size(); ++i)
                       if (ops[i].done) ops[i].done(std::move(verdicts[i]));
               });
}

void PgLimits::sweepLater() {
    if (!sweep_) sweep_.emplace(worker_.context());
    sweep_->expires_after(kSweep);
    sweep_->async_wait([this](const std::error_code& ec) {
        if (ec) return;
        const db::PgParam me[] = {db::PgParam::text(instance_)};
        auto swept = execOnce("forgetting dead instances' counts", kSweepDead, me);
        if (!swept)
            logger().warn("{}", swept.error().message);
        else if (swept->affected() > 0)
            logger().info("cluster ledger: forgot {} count(s) of instances that are gone",
                          swept->affected());
        sweepLater();
    });
}

} // namespace sb::cluster
