// Database URLs: SQLite files with or without the scheme, PostgreSQL URIs as libpq reads them,
// and sentences that name what is wrong — without repeating a password.
#include "db/database_url.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sb::db {
namespace {

using testing::HasSubstr;
using testing::Not;

TEST(DatabaseUrl, NamesAnSqliteFileWithOrWithoutTheScheme) {
    auto plain = parseDatabaseUrl("/var/lib/switchboard/state.db");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->backend, Backend::sqlite);
    EXPECT_EQ(plain->location, "/var/lib/switchboard/state.db");

    auto relative = parseDatabaseUrl("state.db");
    ASSERT_TRUE(relative);
    EXPECT_EQ(relative->location, "state.db");

    auto scheme = parseDatabaseUrl("sqlite:/var/lib/switchboard/state.db");
    ASSERT_TRUE(scheme);
    EXPECT_EQ(scheme->backend, Backend::sqlite);
    EXPECT_EQ(scheme->location, "/var/lib/switchboard/state.db");

    auto colon = parseDatabaseUrl("SQLite:odd:name.db"); // schemes ignore case
    ASSERT_TRUE(colon);
    EXPECT_EQ(colon->location, "odd:name.db");
}

TEST(DatabaseUrl, PassesAPostgresqlUriToLibpqAsItIs) {
    for (const char* url : {"postgresql://postgres@127.0.0.1:5432/switchboard",
                            "postgres://sb:secret@db.example.com/sb?sslmode=require",
                            "postgresql:///switchboard?host=/run/postgresql", "postgresql://"}) {
        auto parsed = parseDatabaseUrl(url);
        ASSERT_TRUE(parsed) << url << ": " << parsed.error().message;
        EXPECT_EQ(parsed->backend, Backend::postgres);
        EXPECT_EQ(parsed->location, url);
    }
}

TEST(DatabaseUrl, RefusesWhatNamesNoDatabase) {
    struct Case {
        const char* url;
        const char* says;
    };
    for (const auto& [url, says] : std::initializer_list<Case>{
             {"", "empty"},
             {"   ", "empty"},
             {"sqlite:", "path is empty"},
             {"mysql://root@localhost/sb", "unknown scheme \"mysql\""},
             {"redis://localhost:6379", "unknown scheme"},
             {"postgresql:switchboard", "starts with postgresql://"},
             {"postgresql://host/db?nonsense=1", "nonsense"},
             {"postgresql://host/db?sslmode", "separator"},
             {"postgresql://host/%zz", "percent-encoded"},
         }) {
        auto parsed = parseDatabaseUrl(url);
        ASSERT_FALSE(parsed) << '"' << url << '"';
        EXPECT_EQ(parsed.error().code, Errc::config);
        EXPECT_THAT(parsed.error().message, HasSubstr(says)) << url;
    }
    auto nul = parseDatabaseUrl(std::string_view("state\0.db", 9));
    ASSERT_FALSE(nul);
    EXPECT_THAT(nul.error().message, HasSubstr("NUL"));
}

TEST(DatabaseUrl, KeepsPasswordsOutOfMessages) {
    auto parsed = parseDatabaseUrl("postgresql://sb:hunter2@db.example.com/sb?bogus=1");
    ASSERT_FALSE(parsed);
    EXPECT_THAT(parsed.error().message, Not(HasSubstr("hunter2")));
    EXPECT_THAT(parsed.error().message, HasSubstr("sb:***@db.example.com"));
    auto scheme = parseDatabaseUrl("mysql://root:hunter2@localhost/sb");
    ASSERT_FALSE(scheme);
    EXPECT_THAT(scheme.error().message, Not(HasSubstr("hunter2")));

    EXPECT_EQ(redactedUrl("postgresql://a:b@h/d"), "postgresql://a:***@h/d");
    EXPECT_EQ(redactedUrl("postgresql://a@h/d"), "postgresql://a@h/d");
    EXPECT_EQ(redactedUrl("postgresql://h/d?x=@y"), "postgresql://h/d?x=@y");
    EXPECT_EQ(redactedUrl("/var/state.db"), "/var/state.db");
}

} // namespace
} // namespace sb::db
