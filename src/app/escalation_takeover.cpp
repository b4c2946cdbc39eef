// Escalations (escalations.hpp): an escalation in progress on an instance of the cluster that
// is gone (cluster/pg_escalations.hpp claims it for this one). Its room died with its instance
// (a room lives on one instance); what is left to do is to say so, and to ring again.

#include "app/escalation_records.hpp"
#include "core/log.hpp"

#include <fmt/format.h>

namespace sb::app {

void Escalations::takeOver(const Orphan& o) {
    using nlohmann::json;
    ++stats_.failed;
    ++stats_.takenOver;
    const std::string reason =
        fmt::format("instance {} stopped with the escalation in progress", o.instance);
    log::get("app").warn("trace={} escalation {} failed: {}", o.traceId, o.id, reason);
    witness(o.traceId, "escalation.failed", "switchboard",
            {{"escalation", o.id}, {"reason", reason}, {"instance", o.instance}},
            [seal = seal_](const Result<void>& stored) {
                if (seal && stored) seal();
            });
    // The record and the agent's failure say whether it was rung again, and as what.
    auto report = [this, alive = lifetime_.watch(), o, reason](const json& rering) {
        if (!alive) return;
        json record = o.record;
        record["state"] = "failed";
        record["reason"] = reason;
        record.update(rering);
        if (options_.recorded) options_.recorded(record, nullptr);
        json payload{{"escalation", o.id}, {"state", "failed"}, {"reason", reason}};
        payload.update(rering);
        publish_(api::makeIfMessage("failure", o.agent, o.traceId, payload), o.id, o.agent);
    };
    if (o.hangUpAsked) return report({{"rerun_refused", "the agent had asked to hang it up"}});
    auto request = o.request.is_object()
                       ? api::readEscalateRequest(o.request)
                       : Result<api::EscalateRequest>(fail(Errc::not_found, "no request kept"));
    if (!request) return report({{"rerun_refused", request.error().message}});
    api::IfMessage message;
    message.id = "rering-" + o.id;
    message.performative = "escalate";
    message.sender = o.agent;
    message.traceId = o.traceId;
    message.payload = o.request;
    // Rung even while this instance drains: the claim marked it failed in the database, and no
    // other instance would ring it now.
    ++stats_.requested;
    consider(o.agent, message, *request, o.traceId, [report](const EscalationAnswer& answer) {
        if (answer.status == 201)
            return report({{"rerung_as", answer.body["payload"]["escalation"]}});
        report({{"rerun_refused", answer.body.value("detail", "refused")}});
    });
}

} // namespace sb::app
