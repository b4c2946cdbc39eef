#pragma once
// Where the escalation service keeps its state, as one string in the configuration: an SQLite
// file (the embedded default) or a PostgreSQL database.
//
//   sqlite:/var/lib/switchboard/state.db   an SQLite file (created if missing)
//   /var/lib/switchboard/state.db          the same, without the scheme
//   postgresql://user@host:5432/dbname     PostgreSQL; libpq takes the URI as it is, with its
//   postgres://…                           query parameters (sslmode=, options=, …)

#include "core/result.hpp"

#include <string>
#include <string_view>

namespace sb::db {

enum class Backend { sqlite, postgres };

struct DatabaseUrl {
    Backend backend = Backend::sqlite;
    std::string location; // the SQLite file's path, or the libpq connection URI
};

// Errors (Errc::config): an empty string, an empty SQLite path, a scheme other than sqlite,
// postgresql and postgres, or a PostgreSQL URI libpq does not accept. The messages never
// repeat a password.
Result<DatabaseUrl> parseDatabaseUrl(std::string_view url);

// The URL with any password replaced by "***", for logs and error messages.
std::string redactedUrl(std::string_view url);

} // namespace sb::db
