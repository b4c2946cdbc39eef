// Grants (api/grants.hpp): a token good for one escalation until it expires, refused when it is
// for another escalation, expired, altered, or made with another key.
#include "api/grants.hpp"
#include "api/tokens.hpp"

#include <gtest/gtest.h>

namespace sb::api {
namespace {

using namespace std::chrono_literals;

TEST(Grants, AGrantAllowsItsEscalationUntilItExpires) {
    Grants grants;
    const auto now = Grants::Clock::now();
    const auto token = grants.issue("esc-1", now + 60s);
    EXPECT_TRUE(grants.allows(token, "esc-1", now));
    EXPECT_FALSE(grants.allows(token, "esc-2", now));
    EXPECT_FALSE(grants.allows(token, "esc-1", now + 61s));
}

TEST(Grants, AnAlteredOrForeignGrantIsRefused) {
    Grants grants, other;
    const auto now = Grants::Clock::now();
    const auto token = grants.issue("esc-1", now + 60s);
    EXPECT_FALSE(other.allows(token, "esc-1", now)); // another key (another process)
    // A later expiry with the same MAC, a changed MAC, a changed id.
    auto later = token;
    later.replace(later.find('.', 5) + 1, 1, "9");
    EXPECT_FALSE(grants.allows(later, "esc-1", now));
    auto flipped = token;
    flipped.back() = flipped.back() == '0' ? '1' : '0';
    EXPECT_FALSE(grants.allows(flipped, "esc-1", now));
    const auto forOther = grants.issue("esc-1.x", now + 60s);
    EXPECT_FALSE(grants.allows(forOther, "esc-1", now));
    for (std::string_view bad : {"", "sbg1.", "sbg1.esc-1", "sbg1.esc-1.x.y", "Bearer x"})
        EXPECT_FALSE(grants.allows(bad, "esc-1", now)) << bad;
}

TEST(Grants, TheTokenTableTakesThemOnlyWhenToldTo) {
    auto table = TokenTable::create({}).value();
    Grants grants;
    const auto token = grants.issue("esc-1", Grants::Clock::now() + 60s);
    EXPECT_FALSE(table.grants("Bearer " + token, "esc-1"));
    table.acceptGrants(std::make_shared<const Grants>(grants));
    EXPECT_TRUE(table.grants("Bearer " + token, "esc-1"));
    EXPECT_FALSE(table.grants(token, "esc-1")); // the scheme is required
    EXPECT_FALSE(table.grants(std::nullopt, "esc-1"));
}

} // namespace
} // namespace sb::api
