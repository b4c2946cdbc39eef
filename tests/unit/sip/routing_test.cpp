#include "sip/routing.hpp"

#include <gtest/gtest.h>
#include <string>

namespace sb::sip {
namespace {

Uri uri(std::string_view user, std::string_view host) {
    Uri u;
    u.scheme = UriScheme::sip;
    u.user = user;
    u.host = host;
    return u;
}

TEST(RouteTable, FirstRuleWhosePatternsMatchTheWholeUserAndHost) {
    auto table = RouteTable::make(
        {{"bob", "", "sip:${user}@10.0.0.1", "", {}, "", ""},
         {"^\\+1[0-9]+$", "trunk\\.example", "sip:${user}@10.0.0.2", "", {}, "", ""},
         {"", "", "sip:other@10.0.0.3", "", {}, "", ""}});
    ASSERT_TRUE(table) << table.error().message;
    EXPECT_EQ(table->match(uri("bob", "a.example"))->target, "sip:bob@10.0.0.1");
    // The whole user part must match, as std::regex_match did: "bob" does not match "bobby".
    EXPECT_EQ(table->match(uri("bobby", "a.example"))->target, "sip:other@10.0.0.3");
    EXPECT_EQ(table->match(uri("+15551234", "trunk.example"))->target, "sip:+15551234@10.0.0.2");
    EXPECT_EQ(table->match(uri("+15551234", "trunkXexample"))->target, "sip:other@10.0.0.3");
}

// RFC 3261 §19.1.4: "%65cho" is "echo", and a host's case does not matter.
TEST(RouteTable, AUserPartsEscapesAndAHostsCaseAreComparedAsTheirMeaning) {
    auto table =
        RouteTable::make({{"^echo$", "^GW\\.example$", "sip:${user}@10.0.0.1", "", {}, "", ""}});
    ASSERT_TRUE(table);
    const auto m = table->match(uri("%65ch%6F", "GW.Example"));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->target, "sip:%65ch%6F@10.0.0.1"); // as written: it goes into a URI again
    EXPECT_FALSE(table->match(uri("%65ch", "gw.example")));
    EXPECT_FALSE(table->match(uri("echo%", "gw.example")));
}

TEST(RouteTable, NoRuleMatches) {
    auto table = RouteTable::make({{"^alice$", "", "sip:alice@10.0.0.1", "", {}, "", ""}});
    ASSERT_TRUE(table);
    EXPECT_FALSE(table->match(uri("bob", "a.example")));
}

// A pattern with nested repetition against a long user part that almost matches: a backtracking
// engine takes exponential time here (and std::regex's recursion overflows the stack on input
// this long); RE2 answers in one linear pass.
TEST(RouteTable, AHostileUserPartIsMatchedInLinearTime) {
    auto table = RouteTable::make({{"(a+)+$", "", "sip:a@10.0.0.1", "", {}, "", ""}});
    ASSERT_TRUE(table);
    const std::string user = std::string(100000, 'a') + "!";
    EXPECT_FALSE(table->match(uri(user, "a.example")));
    EXPECT_TRUE(table->match(uri(std::string(100000, 'a'), "a.example")));
}

TEST(RouteTable, BadPatternsAreNamed) {
    auto table = RouteTable::make({{"", "(", "sip:a@10.0.0.1", "", {}, "", ""}});
    ASSERT_FALSE(table);
    EXPECT_EQ(table.error().message.rfind("routes[0].domain: bad pattern '(': missing )", 0), 0u)
        << table.error().message;
    // Back-references need backtracking: RE2 refuses them at start-up.
    EXPECT_TRUE(routePatternError("(a)\\1"));
    EXPECT_FALSE(routePatternError("^echo$"));
}

} // namespace
} // namespace sb::sip
