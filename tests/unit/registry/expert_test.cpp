#include "registry/expert.hpp"

#include <date/date.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace sb::registry {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::chrono::system_clock::time_point utc(date::year_month_day day, std::chrono::minutes time) {
    return date::sys_days(day) + time;
}

const json kAlice = json::parse(R"({
  "id": "alice", "name": "Alice Martin", "sipUri": "sips:alice@example.org;transport=tls",
  "h323Alias": "alice", "webrtcIdentity": "alice@example.org",
  "skills": ["billing", "sepa"], "languages": ["de", "en-GB"],
  "timeZone": "Europe/Berlin",
  "onCall": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "08:00", "to": "18:00"},
             {"days": ["sat"], "from": "22:00", "to": "06:00"}],
  "maxConcurrent": 2, "priority": 5
})");

TEST(ExpertJson, ReadsEveryFieldAndRoundTrips) {
    auto expert = expertFromJson(kAlice);
    ASSERT_TRUE(expert) << expert.error().message;
    EXPECT_EQ(expert->id, "alice");
    EXPECT_EQ(expert->name, "Alice Martin");
    EXPECT_EQ(expert->sipUri, "sips:alice@example.org;transport=tls");
    EXPECT_EQ(expert->skills, (std::vector<std::string>{"billing", "sepa"}));
    EXPECT_EQ(expert->languages, (std::vector<std::string>{"de", "en-GB"}));
    ASSERT_EQ(expert->onCall.size(), 2u);
    EXPECT_EQ(expert->onCall[0].days, 0b0111110);
    EXPECT_EQ(expert->onCall[1].from, 22 * 60);
    EXPECT_EQ(expert->onCall[1].to, 6 * 60);
    EXPECT_EQ(expert->maxConcurrent, 2);
    EXPECT_EQ(expert->priority, 5);

    EXPECT_EQ(toJson(*expert), kAlice); // the canonical form is what was read
    auto again = expertFromJson(toJson(*expert));
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *expert);
}

TEST(ExpertJson, DefaultsAndText) {
    auto expert = parseExpert(R"({"id": "bob", "sipUri": "sip:bob@192.0.2.1:5070"})");
    ASSERT_TRUE(expert) << expert.error().message;
    EXPECT_EQ(expert->timeZone, "UTC");
    EXPECT_EQ(expert->maxConcurrent, 1);
    EXPECT_EQ(expert->priority, 0);
    EXPECT_TRUE(expert->onCall.empty());
    auto back = expertFromJson(toJson(*expert));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, *expert);
    // A window without days is every day, written out in full.
    auto every = parseExpert(
        R"({"id": "c", "sipUri": "sip:c@h", "onCall": [{"from": "00:00", "to": "24:00"}]})");
    ASSERT_TRUE(every) << every.error().message;
    EXPECT_EQ(every->onCall[0].days, kEveryDay);
    EXPECT_EQ(toJson(*every)["onCall"][0]["days"].size(), 7u);
}

struct Bad {
    std::string patch; // a JSON merge patch (RFC 7386) over kAlice
    std::string field;
    std::string detail;
};

class ExpertErrors : public ::testing::TestWithParam<Bad> {};

TEST_P(ExpertErrors, NameTheFieldByPointer) {
    json doc = kAlice;
    doc.merge_patch(json::parse(GetParam().patch));
    FieldError where;
    auto expert = expertFromJson(doc, &where);
    ASSERT_FALSE(expert);
    EXPECT_EQ(expert.error().code, Errc::invalid_input);
    EXPECT_EQ(where.field, GetParam().field);
    EXPECT_EQ(where.detail, GetParam().detail);
    EXPECT_EQ(expert.error().message, GetParam().field + ": " + GetParam().detail);
}

INSTANTIATE_TEST_SUITE_P(
    Strict, ExpertErrors,
    ::testing::Values(
        Bad{R"({"colour": "red"})", "/colour",
            "unknown field (expected one of: id, name, sipUri, h323Alias, webrtcIdentity, "
            "skills, languages, timeZone, onCall, maxConcurrent, priority)"},
        Bad{R"({"a/b~c": 1})", "/a~1b~0c",
            "unknown field (expected one of: id, name, sipUri, h323Alias, webrtcIdentity, "
            "skills, languages, timeZone, onCall, maxConcurrent, priority)"},
        Bad{R"({"id": null})", "/id",
            "missing; expected an id of 1 to 64 letters, digits, '.', '_' or '-'"},
        Bad{R"({"id": "al ice"})", "/id",
            "expected an id of 1 to 64 letters, digits, '.', '_' or '-', got \"al ice\""},
        Bad{R"({"id": 7})", "/id",
            "expected an id of 1 to 64 letters, digits, '.', '_' or '-', got 7"},
        Bad{R"({"sipUri": "tel:+4930123"})", "/sipUri",
            "expected a sip: or sips: URI such as \"sips:alice@example.org\", got "
            "\"tel:+4930123\""},
        Bad{R"({"sipUri": "sip:alice@exa mple.org"})", "/sipUri",
            "expected a sip: or sips: URI such as \"sips:alice@example.org\", got "
            "\"sip:alice@exa mple.org\""},
        Bad{R"({"sipUri": "sip:alice@example.org:99999"})", "/sipUri",
            "expected a sip: or sips: URI such as \"sips:alice@example.org\", got "
            "\"sip:alice@example.org:99999\""},
        Bad{R"({"name": ["Alice"]})", "/name",
            "expected a name of at most 200 bytes, no control characters, got an array"},
        Bad{R"({"skills": ["billing", "BILLING"]})", "/skills/1",
            "expected a skill of 1 to 64 bytes, no control characters listed once, got "
            "\"BILLING\""},
        Bad{R"({"skills": "billing"})", "/skills",
            "expected an array of a skill of 1 to 64 bytes, no control characters, got "
            "\"billing\""},
        Bad{R"({"languages": ["de", "english!"]})", "/languages/1",
            "expected a BCP 47 language tag such as \"de\" or \"en-GB\", got \"english!\""},
        Bad{R"({"timeZone": "Mars/Olympus"})", "/timeZone",
            "expected an IANA time zone name such as \"Europe/Berlin\" (not in this system's "
            "time zone database), got \"Mars/Olympus\""},
        Bad{R"({"timeZone": "../../etc/passwd"})", "/timeZone",
            "expected an IANA time zone name such as \"Europe/Berlin\" (not in this system's "
            "time zone database), got \"../../etc/passwd\""},
        Bad{R"({"onCall": [{"from": "08:00", "to": "18:00"}, {"from": "25:00", "to": "06:00"}]})",
            "/onCall/1/from", "expected \"HH:MM\", got \"25:00\""},
        Bad{R"({"onCall": [{"from": "08:00", "to": "8:30"}]})", "/onCall/0/to",
            "expected \"HH:MM\" from \"00:01\" to \"24:00\", got \"8:30\""},
        Bad{R"({"onCall": [{"from": "08:00"}]})", "/onCall/0/to",
            "missing; expected \"HH:MM\" (or \"24:00\")"},
        Bad{R"({"onCall": [{"from": "08:00", "to": "08:00"}]})", "/onCall/0/to",
            "expected a time other than \"from\" (a whole day is \"00:00\" to \"24:00\"), got "
            "\"08:00\""},
        Bad{R"({"onCall": [{"days": ["mon", "funday"], "from": "08:00", "to": "09:00"}]})",
            "/onCall/0/days/1", "expected a day: \"mon\" … \"sun\", got \"funday\""},
        Bad{R"({"onCall": [{"days": ["mon", "mon"], "from": "08:00", "to": "09:00"}]})",
            "/onCall/0/days/1", "expected each day listed once, got \"mon\""},
        Bad{R"({"onCall": [{"days": [], "from": "08:00", "to": "09:00"}]})", "/onCall/0/days",
            "expected a non-empty array of \"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", "
            "\"sun\", got an array"},
        Bad{R"({"onCall": [{"from": "08:00", "to": "09:00", "tz": "UTC"}]})", "/onCall/0/tz",
            "unknown field (expected one of: days, from, to)"},
        Bad{R"({"maxConcurrent": 0})", "/maxConcurrent",
            "expected an integer from 1 to 1000, got 0"},
        Bad{R"({"maxConcurrent": 1.5})", "/maxConcurrent",
            "expected an integer from 1 to 1000, got 1.5"},
        Bad{R"({"priority": -1})", "/priority", "expected an integer from 0 to 1000, got -1"},
        Bad{R"({"priority": 18446744073709551615})", "/priority",
            "expected an integer from 0 to 1000, got 18446744073709551615"}));

TEST(ExpertJson, DocumentLevelErrors) {
    FieldError where;
    auto notObject = parseExpert("[1, 2]", &where);
    ASSERT_FALSE(notObject);
    EXPECT_EQ(where.field, "");
    EXPECT_EQ(notObject.error().message, "/: expected an object, got an array");

    auto broken = parseExpert(R"({"id": "a",)", &where);
    ASSERT_FALSE(broken);
    EXPECT_EQ(where.field, "");
    EXPECT_THAT(where.detail, ::testing::StartsWith("expected a JSON object, got invalid JSON"));

    auto huge = parseExpert(R"({"id": 1e999})", &where);
    ASSERT_FALSE(huge);
    EXPECT_EQ(where.field, "");

    auto noUri = parseExpert(R"({"id": "a"})", &where);
    ASSERT_FALSE(noUri);
    EXPECT_EQ(where.field, "/sipUri");
}

TEST(ExpertValidators, SipUris) {
    for (auto uri : {"sip:alice@example.org", "SIPS:alice@example.org:5061", "sip:example.org",
                     "sip:alice@[2001:db8::1]:5060", "sip:alice@192.0.2.1;transport=tcp",
                     "sip:%61lice:secret@host.example?subject=hi"})
        EXPECT_TRUE(isSipUri(uri)) << uri;
    for (auto uri : {"sip:", "sip:@host", "http://example.org", "sip:alice@", "sip:a@host:0",
                     "sip:a@-host", "sip:a@host..org", "sip:a@host;", "sip:a@[::1"})
        EXPECT_FALSE(isSipUri(uri)) << uri;
}

TEST(ExpertValidators, LanguageTags) {
    for (auto tag : {"de", "en-GB", "zh-Hant-TW", "gsw", "sl-rozaj-biske"})
        EXPECT_TRUE(isLanguageTag(tag)) << tag;
    for (auto tag : {"", "e", "en_GB", "en-", "-en", "1a", "en-toolongsubtag"})
        EXPECT_FALSE(isLanguageTag(tag)) << tag;
}

TEST(ExpertMatching, SkillsAndLanguages) {
    auto alice = expertFromJson(kAlice);
    ASSERT_TRUE(alice);
    EXPECT_TRUE(hasSkills(*alice, {}));
    EXPECT_TRUE(hasSkills(*alice, {"Billing"}));
    EXPECT_FALSE(hasSkills(*alice, {"billing", "tax"}));
    EXPECT_TRUE(speaksAny(*alice, {}));
    EXPECT_TRUE(speaksAny(*alice, {"de-CH"})); // "de" covers it
    EXPECT_TRUE(speaksAny(*alice, {"en"}));    // covers "en-GB"
    EXPECT_TRUE(speaksAny(*alice, {"fr", "EN-gb"}));
    EXPECT_FALSE(speaksAny(*alice, {"fr"}));
    EXPECT_FALSE(speaksAny(*alice, {"den"}));
}

Expert withWindows(std::string zone, std::vector<WeeklyWindow> windows) {
    Expert e;
    e.id = "e";
    e.sipUri = "sip:e@example.org";
    e.timeZone = std::move(zone);
    e.onCall = std::move(windows);
    return e;
}

TEST(OnCall, NoWindowsIsAlways) {
    EXPECT_TRUE(onCall(withWindows("UTC", {}), utc(date::year{2024} / 1 / 1, 3h)));
    EXPECT_FALSE(onCall(withWindows("Nowhere/Zone", {{kEveryDay, 0, 1440}}),
                        utc(date::year{2024} / 1 / 1, 3h)));
}

TEST(OnCall, WindowCrossingMidnight) {
    // Friday 22:00 to Saturday 06:00 (UTC); 2024-04-05 is a Friday.
    const auto e = withWindows("UTC", {{1 << 5, 22 * 60, 6 * 60}});
    EXPECT_FALSE(onCall(e, utc(date::year{2024} / 4 / 5, 21h + 59min)));
    EXPECT_TRUE(onCall(e, utc(date::year{2024} / 4 / 5, 22h)));
    EXPECT_TRUE(onCall(e, utc(date::year{2024} / 4 / 6, 5h + 59min)));
    EXPECT_FALSE(onCall(e, utc(date::year{2024} / 4 / 6, 6h)));
    EXPECT_FALSE(onCall(e, utc(date::year{2024} / 4 / 6, 23h))); // Saturday night
    EXPECT_FALSE(onCall(e, utc(date::year{2024} / 4 / 5, 1h)));  // Friday early morning
    // Sunday night into Monday wraps the week.
    const auto sunday = withWindows("UTC", {{1 << 0, 23 * 60, 1 * 60}});
    EXPECT_TRUE(onCall(sunday, utc(date::year{2024} / 4 / 8, 0h + 30min)));  // Monday 00:30
    EXPECT_FALSE(onCall(sunday, utc(date::year{2024} / 4 / 9, 0h + 30min))); // Tuesday
}

TEST(OnCall, EuropeBerlinAcrossTheSpringChange) {
    // Every day 08:00–18:00 Berlin time. On 2024-03-31 at 01:00Z clocks went from 02:00 CET
    // (UTC+1) to 03:00 CEST (UTC+2).
    const auto e = withWindows("Europe/Berlin", {{kEveryDay, 8 * 60, 18 * 60}});
    // Saturday, CET: 07:00Z = 08:00, 16:59Z = 17:59, 17:00Z = 18:00.
    EXPECT_FALSE(onCall(e, utc(date::year{2024} / 3 / 30, 6h + 59min)));
    EXPECT_TRUE(onCall(e, utc(date::year{2024} / 3 / 30, 7h)));
    EXPECT_TRUE(onCall(e, utc(date::year{2024} / 3 / 30, 16h + 59min)));
    EXPECT_FALSE(onCall(e, utc(date::year{2024} / 3 / 30, 17h)));
    // Sunday, CEST: 06:00Z = 08:00, 15:59Z = 17:59, 16:00Z = 18:00 (a fixed +1 would be wrong).
    EXPECT_FALSE(onCall(e, utc(date::year{2024} / 3 / 31, 5h + 59min)));
    EXPECT_TRUE(onCall(e, utc(date::year{2024} / 3 / 31, 6h)));
    EXPECT_TRUE(onCall(e, utc(date::year{2024} / 3 / 31, 15h + 59min)));
    EXPECT_FALSE(onCall(e, utc(date::year{2024} / 3 / 31, 16h)));
}

TEST(OnCall, EuropeBerlinNightWindowOverTheAutumnChange) {
    // 22:00–06:00 Berlin time opening Saturday 2024-10-26; at 01:00Z on Sunday clocks went
    // back from 03:00 CEST to 02:00 CET, so the night lasts nine hours: 20:00Z to 05:00Z.
    const auto e = withWindows("Europe/Berlin", {{1 << 6, 22 * 60, 6 * 60}});
    EXPECT_FALSE(onCall(e, utc(date::year{2024} / 10 / 26, 19h + 59min)));
    EXPECT_TRUE(onCall(e, utc(date::year{2024} / 10 / 26, 20h)));
    EXPECT_TRUE(onCall(e, utc(date::year{2024} / 10 / 27, 1h + 30min))); // 02:30 CET (again)
    EXPECT_TRUE(onCall(e, utc(date::year{2024} / 10 / 27, 4h + 59min)));
    EXPECT_FALSE(onCall(e, utc(date::year{2024} / 10 / 27, 5h)));
}

} // namespace
} // namespace sb::registry
