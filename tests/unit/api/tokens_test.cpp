#include "api/tokens.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace sb::api {
namespace {

TEST(Tokens, HashIsLowerHexSha256) {
    // SHA-256("abc"), FIPS 180-2 appendix B.1.
    EXPECT_EQ(hashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Tokens, ParsesBearerPerRfc6750) {
    EXPECT_EQ(*parseBearer("Bearer mF_9.B5f-4.1JqM"), "mF_9.B5f-4.1JqM");
    EXPECT_EQ(*parseBearer("bearer  abc=="), "abc==");
    EXPECT_EQ(parseBearer("Basic dXNlcjpwYXNz").error().code, Errc::not_found);
    EXPECT_EQ(parseBearer("").error().code, Errc::not_found);
    EXPECT_EQ(parseBearer("Bearerabc").error().code, Errc::not_found);
    EXPECT_EQ(parseBearer("Bearer").error().code, Errc::invalid_input);
    EXPECT_EQ(parseBearer("Bearer a b").error().code, Errc::invalid_input);
    EXPECT_EQ(parseBearer("Bearer a=b").error().code, Errc::invalid_input);
    EXPECT_EQ(parseBearer("Bearer ===").error().code, Errc::invalid_input);
}

TEST(Tokens, AuthenticatesAgainstHashedEntries) {
    auto table =
        TokenTable::create({{"alice", hashToken("alice-token")}, {"bob", hashToken("bob-token")}});
    ASSERT_TRUE(table) << table.error().message;
    EXPECT_EQ(*table->authenticate("Bearer alice-token"), "alice");
    EXPECT_EQ(*table->authenticate("Bearer bob-token"), "bob");
    EXPECT_EQ(*table->authenticateToken("bob-token"), "bob");
    EXPECT_EQ(table->authenticate(std::nullopt).error().code, Errc::not_found);
    EXPECT_EQ(table->authenticate("Bearer carol-token").error().code, Errc::invalid_input);
    EXPECT_EQ(table->authenticateToken("").error().code, Errc::not_found);
}

TEST(Tokens, UpperCaseDigestsAreAccepted) {
    std::string upper = hashToken("t");
    for (char& c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto table = TokenTable::create({{"a", upper}});
    ASSERT_TRUE(table);
    EXPECT_EQ(*table->authenticate("Bearer t"), "a");
}

TEST(Tokens, RejectsBadEntries) {
    EXPECT_EQ(TokenTable::create({{"", hashToken("x")}}).error().code, Errc::config);
    EXPECT_EQ(TokenTable::create({{"a", "abcd"}}).error().code, Errc::config);
    EXPECT_EQ(TokenTable::create({{"a", std::string(64, 'g')}}).error().code, Errc::config);
    auto dup = TokenTable::create({{"a", hashToken("x")}, {"b", hashToken("x")}});
    ASSERT_FALSE(dup);
    EXPECT_NE(dup.error().message.find("\"b\""), std::string::npos);
}

TEST(Tokens, ProblemsCarryTheRfc6750Challenge) {
    auto missing = authenticationProblem(Error{Errc::not_found, ""});
    EXPECT_EQ(missing.status, 401);
    ASSERT_EQ(missing.headers.size(), 1u);
    EXPECT_EQ(missing.headers[0].first, "WWW-Authenticate");
    EXPECT_EQ(missing.headers[0].second, "Bearer realm=\"switchboard\"");
    auto bad = authenticationProblem(Error{Errc::invalid_input, ""});
    EXPECT_EQ(bad.headers[0].second, "Bearer realm=\"switchboard\", error=\"invalid_token\"");
    EXPECT_EQ(nlohmann::json::parse(bad.body)["status"], 401);
}

} // namespace
} // namespace sb::api
