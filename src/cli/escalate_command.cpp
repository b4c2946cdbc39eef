// `switchboard escalate`: an agent's request for an expert, as the IFMessage the API takes
// (ARCHITECTURE.md), with an optional W3C traceparent so that the call carries the agent's trace.

#include "cli/client.hpp"
#include "core/trace.hpp"

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

namespace sb::cli {
namespace {

struct EscalateOptions {
    ClientOptions client;
    std::string topic, reason, urgency = "normal", expert, traceId, council;
    std::vector<std::string> skills, languages, bridges, evidence;
};

nlohmann::json messageOf(const EscalateOptions& o) {
    nlohmann::json payload{{"topic", o.topic}, {"reason", o.reason}, {"urgency", o.urgency}};
    if (!o.skills.empty()) payload["skills"] = o.skills;
    if (!o.languages.empty()) payload["languages"] = o.languages;
    if (!o.bridges.empty()) payload["bridges"] = o.bridges;
    if (!o.expert.empty()) payload["expert"] = o.expert;
    if (!o.council.empty()) payload["council"] = o.council;
    if (!o.evidence.empty()) {
        auto& refs = payload["evidence"] = nlohmann::json::array();
        for (const auto& uri : o.evidence)
            refs.push_back({{"uri", uri}});
    }
    return {{"id", "cli-" + randomHex(8)},
            {"performative", "escalate"},
            {"sender", o.client.agent},
            {"payload", payload}};
}

int run(const EscalateOptions& o) {
    HeaderList headers;
    // W3C Trace Context §3.2: version 00, the trace, a parent span of our own, sampled.
    if (!o.traceId.empty())
        headers.emplace_back("traceparent", "00-" + o.traceId + "-" + randomHex(8) + "-01");
    return call(o.client, "POST", "/v1/escalations", messageOf(o).dump(), headers, printBody);
}

} // namespace

std::vector<Command> addEscalateCommands(CLI::App& app) {
    auto o = std::make_shared<EscalateOptions>();
    auto* cmd = app.add_subcommand(
        "escalate", "Ask for a human expert; prints the API's answer (agree) or, on stderr, why "
                    "not (exit 3)");
    addClientOptions(*cmd, o->client);
    cmd->add_option("--topic", o->topic, "What the escalation is about")->required();
    cmd->add_option("--reason", o->reason, "Why a human is needed, in a sentence")->required();
    cmd->add_option("--skill", o->skills, "A skill the expert needs (repeatable)");
    cmd->add_option("--language", o->languages, "A language the expert speaks (repeatable)");
    cmd->add_option("--urgency", o->urgency, "How urgent")
        ->check(CLI::IsMember({"low", "normal", "high", "critical"}))
        ->capture_default_str();
    cmd->add_option("--expert", o->expert, "Ask for this expert by id");
    cmd->add_option("--council", o->council,
                    "Ring the expert into this council (a conference room) instead of a room "
                    "of its own");
    cmd->add_option("--bridge", o->bridges, "A bridge wanted (repeatable; default sip)")
        ->check(CLI::IsMember({"sip", "h323", "webrtc", "video"}));
    cmd->add_option("--evidence", o->evidence, "A URI of evidence for the expert (repeatable)")
        ->type_name("URI");
    cmd->add_option("--trace-id", o->traceId, "Continue this W3C trace (32 lower-case hex)")
        ->check([](const std::string& id) {
            return isTraceId(id) ? std::string{} : "expected 32 lower-case hex digits, not all 0";
        });
    return {{cmd, [o] { return run(*o); }}};
}

} // namespace sb::cli
