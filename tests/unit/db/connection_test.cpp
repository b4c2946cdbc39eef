// The database wrappers against the real thing: SQLite in a temporary file and a PostgreSQL
// server the test starts. Values travel as parameters and come back byte for byte; errors
// carry the database's own message.
#include "db/pg_connection.hpp"
#include "db/sqlite_connection.hpp"
#include "support/postgres.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sb::db {
namespace {

namespace fs = std::filesystem;
using testing::HasSubstr;

const std::array<std::byte, 4> someBytes{std::byte{0}, std::byte{0xff}, std::byte{'\\'},
                                         std::byte{'x'}};

TEST(SqliteConnection, BindsAndReadsBackTextBlobsAndIntegers) {
    const auto file = fs::temp_directory_path() / ("sb-db-" + std::to_string(getpid()) + ".db");
    fs::remove(file);
    auto db = SqliteConnection::open(file, "test db");
    ASSERT_TRUE(db) << db.error().message;
    ASSERT_TRUE((*db)->exec("CREATE TABLE t (n INTEGER, s TEXT, b BLOB)"));
    auto insert = (*db)->prepare("INSERT INTO t VALUES (?, ?, ?)");
    ASSERT_TRUE(insert);
    insert->bind(1, std::int64_t{-5}).bind(2, "héllo").bind(3, std::span(someBytes));
    ASSERT_TRUE(insert->step());
    EXPECT_EQ((*db)->changes(), 1);
    auto select = (*db)->prepare("SELECT n, s, b FROM t");
    ASSERT_TRUE(select);
    ASSERT_TRUE(*select->step());
    EXPECT_EQ(select->int64(0), -5);
    EXPECT_EQ(select->text(1), "héllo");
    EXPECT_TRUE(std::ranges::equal(select->blob(2), someBytes));

    auto bad = (*db)->exec("SELECT * FROM missing");
    ASSERT_FALSE(bad);
    EXPECT_THAT(bad.error().message, HasSubstr("test db"));
    EXPECT_THAT(bad.error().message, HasSubstr("no such table"));
    fs::remove(file);
    fs::remove(file.string() + "-wal");
    fs::remove(file.string() + "-shm");
}

TEST(PgConnection, SendsParametersAndReadsBinaryResults) {
    auto db = PgConnection::connect(test::Postgres::instance().freshDatabase(), "test db",
                                    {"SET synchronous_commit = on"});
    ASSERT_TRUE(db) << db.error().message;
    ASSERT_TRUE((*db)->exec("creating", "CREATE TABLE t (n BIGINT, i INT, s TEXT, b BYTEA)"));
    auto inserted =
        (*db)->exec("inserting", "INSERT INTO t VALUES ($1, $2, $3, $4), ($5, NULL, '', '')",
                    {PgParam::text("-9000000000"), PgParam::text("7"), PgParam::text("héllo"),
                     PgParam::bytes(someBytes), PgParam::text("1")});
    ASSERT_TRUE(inserted) << inserted.error().message;
    EXPECT_EQ(inserted->affected(), 2u);
    auto rows = (*db)->exec("reading", "SELECT n, i, s, b FROM t ORDER BY n");
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->rows(), 2);
    EXPECT_EQ(rows->int64(0, 0), -9000000000);
    EXPECT_EQ(rows->int64(0, 1), 7);
    EXPECT_EQ(rows->text(0, 2), "héllo");
    EXPECT_TRUE(std::ranges::equal(rows->bytes(0, 3), someBytes));
    EXPECT_TRUE(rows->isNull(1, 1));
    EXPECT_EQ(rows->text(1, 2), "");
}

TEST(PgConnection, ReportsTheServersMessage) {
    auto db = PgConnection::connect(test::Postgres::instance().url(), "test db");
    ASSERT_TRUE(db) << db.error().message;
    auto missing = (*db)->exec("reading", "SELECT * FROM missing");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Errc::io);
    EXPECT_THAT(missing.error().message, HasSubstr("test db: reading: ERROR:"));
    EXPECT_THAT(missing.error().message, HasSubstr("\"missing\" does not exist"));
    EXPECT_THAT(missing.error().message, HasSubstr("42P01"));

    auto nul =
        (*db)->exec("reading", "SELECT $1::text", {PgParam::text(std::string_view("a\0b", 3))});
    ASSERT_FALSE(nul);
    EXPECT_EQ(nul.error().code, Errc::invalid_input);

    // A unix socket directory that does not exist: no server, and no port to guess.
    auto nowhere = PgConnection::connect("postgresql:///postgres?host=/nonexistent", "test db");
    ASSERT_FALSE(nowhere);
    EXPECT_EQ(nowhere.error().code, Errc::io);
    EXPECT_THAT(nowhere.error().message, HasSubstr("test db: connecting:"));
}

TEST(PgConnection, ReconnectsAfterTheServerEndedTheSession) {
    auto db = PgConnection::connect(test::Postgres::instance().url(), "test db",
                                    {"SET application_name = 'sb-reconnect'"});
    ASSERT_TRUE(db) << db.error().message;
    auto again = (*db)->reconnectIfLost();
    ASSERT_TRUE(again);
    EXPECT_FALSE(*again); // nothing lost yet
    test::Postgres::instance().execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                       "WHERE application_name = 'sb-reconnect'");
    EXPECT_FALSE((*db)->exec("reading", "SELECT 1"));
    EXPECT_FALSE((*db)->connected());
    again = (*db)->reconnectIfLost();
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_TRUE(*again);
    auto name = (*db)->exec("reading", "SELECT current_setting('application_name')");
    ASSERT_TRUE(name) << name.error().message;
    EXPECT_EQ(name->text(0, 0), "sb-reconnect"); // the session statements ran again
}

} // namespace
} // namespace sb::db
