#pragma once
// Who belongs to the cluster: an instance is alive while a PostgreSQL session holds the advisory
// lock named after it ("switchboard instance NAME"; PgLimits's session takes it). When the
// process dies PostgreSQL ends its session and the lock goes with it, so the others learn of
// the death from the database itself, at once for a killed process (its socket closes), within
// TCP keepalive for a machine that vanished.

#include <string>
#include <string_view>

namespace sb::cluster {

// Letters, digits, '_' and '-', 1 to 48 of them (an instance's name stands in SQL literals).
bool goodInstanceName(std::string_view name);
// The statement that takes the instance's lock (its name checked by goodInstanceName).
std::string takeInstanceLock(std::string_view name);
// An SQL condition: the instance named by the SQL expression `name` is alive. pg_locks shows a
// bigint advisory key as its high and low halves.
std::string instanceAlive(std::string_view name);

} // namespace sb::cluster
