#include "api/ifmessage.hpp"
#include "core/trace.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sb::api {
namespace {

using ::testing::StartsWith;

nlohmann::json envelope(nlohmann::json payload) {
    return {
        {"id", "m1"}, {"performative", "escalate"}, {"sender", "agent-a"}, {"payload", payload}};
}

std::string refusal(const nlohmann::json& payload) {
    auto request = readEscalateRequest(payload);
    return request ? "accepted" : request.error().message;
}

TEST(IfMessage, ReadsAnEscalationWithItsDefaults) {
    auto message = readIfMessage(envelope({{"topic", "billing"}, {"reason", "a dispute"}}));
    ASSERT_TRUE(message) << message.error().message;
    EXPECT_EQ(message->performative, "escalate");
    EXPECT_EQ(message->traceId, "");
    auto request = readEscalateRequest(message->payload);
    ASSERT_TRUE(request) << request.error().message;
    EXPECT_EQ(request->topic, "billing");
    EXPECT_EQ(request->urgency, "normal");
    EXPECT_EQ(request->bridges, std::vector<std::string>{"sip"});
}

TEST(IfMessage, ReadsEveryMember) {
    auto body = parseJson(R"({"id":"m1","performative":"escalate","sender":"a","receiver":"sb",
        "trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","timestamp":"2026-12-01T08:16:29.5+01:00",
        "payload":{"topic":"t","skills":["x","y"],"languages":["de"],"urgency":"critical",
        "reason":"r","expert":"alice","bridges":["sip","video"],"council":"guardians",
        "evidence":[{"uri":"u","sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                     "media_type":"image/png","description":"d"}]}})");
    ASSERT_TRUE(body) << body.error().message;
    auto message = readIfMessage(*body);
    ASSERT_TRUE(message) << message.error().message;
    EXPECT_EQ(message->traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
    auto request = readEscalateRequest(message->payload);
    ASSERT_TRUE(request) << request.error().message;
    EXPECT_EQ(request->skills, (std::vector<std::string>{"x", "y"}));
    EXPECT_EQ(request->expert, "alice");
    EXPECT_EQ(request->council, "guardians");
    ASSERT_EQ(request->evidence.size(), 1u);
    EXPECT_EQ(request->evidence[0].mediaType, "image/png");
}

TEST(IfMessage, RefusalsNameTheMember) {
    EXPECT_EQ(refusal({{"reason", "r"}}), "/payload/topic: required");
    EXPECT_EQ(refusal({{"topic", "t"}, {"reason", "r"}, {"colour", "red"}}),
              "/payload/colour: unknown member");
    EXPECT_THAT(refusal({{"topic", "t"}, {"reason", "r"}, {"urgency", "soon"}}),
                StartsWith("/payload/urgency: expected one of low, normal, high, critical"));
    EXPECT_THAT(refusal({{"topic", "t"}, {"reason", "r"}, {"skills", {"a", 1}}}),
                StartsWith("/payload/skills/1: expected a string"));
    EXPECT_THAT(refusal({{"topic", "t"}, {"reason", "r"}, {"bridges", {"sip", "sip"}}}),
                StartsWith("/payload/bridges/1: expected no repeated entries"));
    EXPECT_EQ(refusal({{"topic", "t"}, {"reason", "r"}, {"council", "*echo"}}),
              "/payload/council: expected a room name (letters, digits, '-', '_', '.'), got "
              "\"*echo\"");
    EXPECT_THAT(
        refusal({{"topic", "t"}, {"reason", "r"}, {"evidence", {{{"uri", "u"}, {"x", 1}}}}}),
        StartsWith("/payload/evidence/0/x: unknown member"));
    EXPECT_THAT(refusal({{"topic", "t"},
                         {"reason", "r"},
                         {"evidence", {{{"uri", "u"}, {"sha256", std::string(64, 'G')}}}}}),
                StartsWith("/payload/evidence/0/sha256: expected 64 lowercase hex digits"));
    EXPECT_THAT(refusal({{"topic", std::string(300, 'x')}, {"reason", "r"}}),
                StartsWith("/payload/topic: expected a string of 1 to 256 bytes"));

    auto bad = envelope({});
    bad["trace_id"] = std::string(32, '0');
    EXPECT_THAT(readIfMessage(bad).error().message,
                StartsWith("/trace_id: expected 32 lowercase hex"));
    bad = envelope({});
    bad["timestamp"] = "yesterday";
    EXPECT_THAT(readIfMessage(bad).error().message, StartsWith("/timestamp: expected an RFC 3339"));
    bad = envelope({});
    bad["payload"] = "text";
    EXPECT_EQ(readIfMessage(bad).error().message, "/payload: expected an object, got string");
    EXPECT_EQ(fieldOf(readIfMessage(nlohmann::json::array()).error()), "/");
}

TEST(IfMessage, BadJsonAndDeepNestingAreRefusedBeforeParsing) {
    EXPECT_EQ(parseJson("{\"id\": ").error().message, "/: not a JSON document (RFC 8259)");
    EXPECT_THAT(parseJson(std::string(10000, '[') + std::string(10000, ']')).error().message,
                StartsWith("/: JSON nested deeper than"));
    // Brackets inside strings do not count.
    EXPECT_TRUE(parseJson("{\"a\":\"" + std::string(100, '[') + "\"}"));
}

TEST(IfMessage, RepliesCarryTheTraceAndATimestamp) {
    auto reply = makeIfMessage("agree", "agent-a", "4bf92f3577b34da6a3ce929d0e0e4736", {{"k", 1}});
    auto read = readIfMessage(reply);
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(read->sender, "switchboard");
    EXPECT_EQ(read->receiver, "agent-a");
    EXPECT_EQ(read->traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
}

TEST(TraceContext, ReadsTraceparentAndRefusesWhatW3CRefuses) {
    auto context = parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    ASSERT_TRUE(context) << context.error().message;
    EXPECT_EQ(context->traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
    EXPECT_EQ(context->parentId, "00f067aa0ba902b7");
    // A later version may append fields (§3.2.4); version 00 may not.
    EXPECT_TRUE(parseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xyz"));
    for (const char* bad : {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xyz",
                            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-short"})
        EXPECT_FALSE(parseTraceparent(bad)) << bad;
    EXPECT_TRUE(isTraceId(newTraceId()));
    EXPECT_NE(newTraceId(), newTraceId());
}

} // namespace
} // namespace sb::api
