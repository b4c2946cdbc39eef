#pragma once
// The witness store named by a database URL (db/database_url.hpp): an SQLite file or a
// PostgreSQL database.

#include "witness/store.hpp"

#include <memory>
#include <string_view>

namespace sb::witness {

// Errors: Errc::config for a URL that names no database; the store's own (Errc::io) when it
// cannot be opened, is not a witness store or has a gap in its entries. `log`: on PostgreSQL,
// the name of this instance's log among those the database keeps (pg_store.hpp); empty: the
// one. An SQLite file holds one log.
Result<std::unique_ptr<Store>> openStore(std::string_view url, const std::string& log = {});

} // namespace sb::witness
