// The escalation routes of the agent API (api_routes.hpp).

#include "api/problem.hpp"
#include "app/api_routes.hpp"
#include "core/json_text.hpp"
#include "core/log.hpp"
#include "core/trace.hpp"
#include "sip/uri.hpp"

#include <algorithm>
#include <asio/post.hpp>
#include <charconv>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <set>

namespace sb::app {
namespace {

using nlohmann::json;

// The trace of a request: W3C Trace Context's traceparent when valid (an invalid one starts a
// new trace, §3.2.2.1), else the message's trace_id, else a new one.
std::string traceOf(const api::Request& request, const api::IfMessage& message) {
    if (auto header = request.header("traceparent"))
        if (auto context = parseTraceparent(*header)) return context->traceId;
    return message.traceId.empty() ? newTraceId() : message.traceId;
}

// The request's JSON body (`what` says what it must be: "an IFMessage"); nullopt when the
// content type is not JSON (415) or the body does not parse (400 naming where), the problem
// answered already.
std::optional<nlohmann::json> jsonBody(const api::Request& request, const api::Respond& respond,
                                       std::string_view what) {
    if (auto type = request.header("Content-Type");
        !type || !api::isMediaType(*type, "application/json")) {
        respond(api::problem(415, "Unsupported Media Type",
                             fmt::format("the body must be {} as application/json", what),
                             {{"field", "Content-Type"}}));
        return std::nullopt;
    }
    auto body = api::parseJson(request.body);
    if (!body) {
        respond(badRequest(body.error()));
        return std::nullopt;
    }
    return std::move(body).value();
}

void escalate(ApiServices& s, const api::Request& request, const api::Respond& respond) {
    auto body = jsonBody(request, respond, "an IFMessage");
    if (!body) return;
    auto message = api::readIfMessage(*body);
    if (!message) return respond(badRequest(message.error()));
    if (message->performative != "escalate")
        return respond(api::problem(400, "Bad Request",
                                    "POST /v1/escalations takes the performative \"escalate\"",
                                    {{"field", "/performative"}}));
    if (message->sender != request.agent)
        return respond(api::problem(403, "Forbidden",
                                    "the sender is not the agent the token belongs to",
                                    {{"field", "/sender"}}));
    auto escalate = api::readEscalateRequest(message->payload);
    if (!escalate) return respond(badRequest(escalate.error()));
    const std::string traceId = traceOf(request, *message);
    onControl(s, respond,
              [&s, agent = request.agent, message = std::move(message).value(),
               escalate = std::move(escalate).value(), traceId, respond] {
                  s.escalations.escalate(
                      agent, message, escalate, traceId,
                      [respond, traceId](EscalationAnswer answer) {
                          auto response = answerOf(answer, traceId);
                          if (answer.status == 201)
                              response.headers.emplace_back(
                                  "Location",
                                  "/v1/escalations/" +
                                      answer.body["payload"]["escalation"].get<std::string>());
                          respond(std::move(response));
                      });
              });
}

// 503 for what the cluster's database could not answer: the agent asks again (a 404 would
// tell it, wrongly, that there is no such escalation).
api::Response databaseUnavailable(const Error& error) {
    // The database's own words (its host, its address) are for the log, not the agent.
    log::get("app").warn("{}", error.message);
    auto response =
        api::problem(503, "Service Unavailable", "the cluster's database could not be read");
    response.headers.emplace_back("Retry-After", "1");
    return response;
}

// An escalation that another instance of the cluster holds: `found` with its record when it
// is the agent's, else 404 (as for one of this instance's).
void elsewhere(ApiServices& s, const std::string& id, const std::string& agent,
               const api::Respond& respond,
               std::function<void(const cluster::PgEscalations::Row&)> found) {
    auto notFound = [respond] {
        respond(api::problem(404, {}, "no such escalation of yours", {{"field", "id"}}));
    };
    if (!s.cluster) return notFound();
    s.cluster->fetch(id, [agent, respond, notFound, found = std::move(found)](
                             const Result<std::optional<cluster::PgEscalations::Row>>& row) {
        if (!row) return respond(databaseUnavailable(row.error()));
        if (!*row || (*row)->agent != agent) return notFound();
        found(**row);
    });
}

// An operation on an escalation another instance holds, asked of that instance (the room is
// there): 202 with the record as it is now once the request is stored for it (it is carried
// out when that instance is next on the database, if not at once); what follows comes on the
// event stream, a refusal too ({"event": "refused"}). 503 when it could not be stored.
void askElsewhere(ApiServices& s, const cluster::PgEscalations::Row& row, json command,
                  std::string_view asked, const api::Respond& respond) {
    if (row.state == "ended" || row.state == "failed")
        return respond(
            api::problem(409, "Conflict", fmt::format("the escalation has {}", row.state)));
    auto body = row.record;
    body["detail"] = fmt::format("instance {} holds the escalation and was asked to {}; what "
                                 "follows comes on the event stream",
                                 row.instance, asked);
    command["id"] = row.id;
    command["agent"] = row.agent;
    s.cluster->command(row.instance, std::move(command),
                       [respond, body = std::move(body)](const Result<void>& sent) {
                           if (!sent)
                               return respond(api::problem(
                                   503, "Service Unavailable",
                                   "the request could not be passed to the instance that holds "
                                   "the escalation: " +
                                       sent.error().message));
                           respond(api::jsonResponse(202, body));
                       });
}

// On the control loop: `here` when this instance holds the escalation (or is alone), else
// `command` asked of the instance that does.
void hereOrElsewhere(ApiServices& s, const std::string& id, const std::string& agent, json command,
                     std::string_view asked, const api::Respond& respond,
                     const std::function<void()>& here) {
    if (s.escalations.find(id, agent) || !s.cluster) return here();
    elsewhere(s, id, agent, respond,
              [&s, command = std::move(command), asked = std::string(asked),
               respond](const cluster::PgEscalations::Row& row) {
                  askElsewhere(s, row, command, asked, respond);
              });
}

// POST /v1/escalations/{id}/parties: {"uri": "sip:…"}, a party to call into the room.
void addParty(ApiServices& s, const api::Request& request, const std::string& id,
              const api::Respond& respond) {
    auto body = jsonBody(request, respond, "a JSON object");
    if (!body) return;
    const auto* uri = body->is_object() && body->contains("uri") && (*body)["uri"].is_string()
                          ? &(*body)["uri"].get_ref<const std::string&>()
                          : nullptr;
    const bool sipUri = uri && uri->size() <= 2048 && [&] {
        auto parsed = sip::parseUri(*uri);
        return parsed && parsed->isSip();
    }();
    if (!sipUri)
        return respond(api::problem(400, "Bad Request",
                                    "uri: expected a sip: or sips: URI of at most 2048 characters",
                                    {{"field", "/uri"}}));
    onControl(s, respond, [&s, agent = request.agent, id, uri = *uri, respond] {
        hereOrElsewhere(
            s, id, agent, {{"op", "add_party"}, {"uri", uri}}, "call " + uri, respond, [&] {
                s.escalations.addParty(id, agent, uri, [respond](const EscalationAnswer& answer) {
                    respond(answerOf(answer, {}));
                });
            });
    });
}

// POST /v1/escalations/{id}/video: {"source": "cam1"}, a video source into the expert's call.
void addVideo(ApiServices& s, const api::Request& request, const std::string& id,
              const api::Respond& respond) {
    auto body = jsonBody(request, respond, "a JSON object");
    if (!body) return;
    const auto* source =
        body->is_object() && body->contains("source") && (*body)["source"].is_string()
            ? &(*body)["source"].get_ref<const std::string&>()
            : nullptr;
    if (!source || source->empty() || source->size() > 128)
        return respond(api::problem(400, "Bad Request",
                                    "source: expected the name of a video source (\"pattern\", "
                                    "or one of [[video.sources]]), at most 128 characters",
                                    {{"field", "/source"}}));
    onControl(s, respond, [&s, agent = request.agent, id, source = *source, respond] {
        hereOrElsewhere(s, id, agent, {{"op", "add_video"}, {"source", source}},
                        "add the video source " + source, respond, [&] {
                            s.escalations.addVideo(id, agent, source,
                                                   [respond](const EscalationAnswer& answer) {
                                                       respond(answerOf(answer, {}));
                                                   });
                        });
    });
}

// PATCH /v1/escalations/{id}/video: {"preset": "1080p"}, the live source's pictures at another
// size and bitrate.
void setVideoPreset(ApiServices& s, const api::Request& request, const std::string& id,
                    const api::Respond& respond) {
    auto body = jsonBody(request, respond, "a JSON object");
    if (!body) return;
    const auto* preset =
        body->is_object() && body->contains("preset") && (*body)["preset"].is_string()
            ? &(*body)["preset"].get_ref<const std::string&>()
            : nullptr;
    if (!preset || preset->empty() || preset->size() > 16)
        return respond(api::problem(400, "Bad Request",
                                    "preset: expected \"1080p\", \"720p\" or \"480p\"",
                                    {{"field", "/preset"}}));
    onControl(s, respond, [&s, agent = request.agent, id, preset = *preset, respond] {
        hereOrElsewhere(s, id, agent, {{"op", "video_preset"}, {"preset", preset}},
                        "send its video at " + preset, respond, [&] {
                            s.escalations.setVideoPreset(
                                id, agent, preset,
                                [respond](const EscalationAnswer& a) { respond(answerOf(a, {})); });
                        });
    });
}

// POST /v1/escalations/{id}/context: an IFMessage `context_update` whose payload has a
// `summary` (1 to 500 characters, at most 1,300 bytes: what the expert's phone shows) and,
// optionally, the
// `context` itself (any JSON), which the witness keeps as its digest and size.
void contextUpdate(ApiServices& s, const api::Request& request, const std::string& id,
                   const api::Respond& respond) {
    auto body = jsonBody(request, respond, "an IFMessage");
    if (!body) return;
    auto message = api::readIfMessage(*body);
    if (!message) return respond(badRequest(message.error()));
    if (message->performative != "context_update")
        return respond(api::problem(400, "Bad Request",
                                    "this route takes the performative \"context_update\"",
                                    {{"field", "/performative"}}));
    if (message->sender != request.agent)
        return respond(api::problem(403, "Forbidden",
                                    "the sender is not the agent the token belongs to",
                                    {{"field", "/sender"}}));
    const json& payload = message->payload;
    const auto summary =
        payload.is_object() && payload.contains("summary") && payload["summary"].is_string()
            ? payload["summary"].get<std::string>()
            : std::string();
    // Characters, not bytes: UTF-8's continuation bytes do not count.
    const auto characters = std::count_if(summary.begin(), summary.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    });
    // RFC 3428 §5: the MESSAGE that carries it stays within 1,300 bytes.
    if (characters < 1 || characters > 500 || summary.size() > 1300)
        return respond(api::problem(400, "Bad Request",
                                    "summary: expected a string of 1 to 500 characters (at most "
                                    "1,300 bytes of UTF-8)",
                                    {{"field", "/payload/summary"}}));
    const std::string context = payload.contains("context") ? jsonText(payload["context"]) : "";
    onControl(
        s, respond,
        [&s, agent = request.agent, id, summary, context, digest = sha256Hex(context), respond] {
            hereOrElsewhere(
                s, id, agent,
                {{"op", "context"}, {"summary", summary}, {"context", context}, {"sha256", digest}},
                "pass the context on", respond, [&] {
                    s.escalations.contextUpdate(id, agent, summary, context, digest,
                                                [respond](const EscalationAnswer& answer) {
                                                    respond(answerOf(answer, {}));
                                                });
                });
        });
}

void list(ApiServices& s, const api::Request& request, const api::Respond& respond) {
    std::optional<EscalationState> state;
    if (auto name = request.param("state")) {
        state = stateByName(*name);
        if (!state)
            return respond(api::problem(400, "Bad Request",
                                        "state must be one of ringing, answered, ended, failed",
                                        {{"field", "state"}}));
    }
    std::size_t limit = 100;
    if (auto text = request.param("limit")) {
        auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), limit);
        if (error != std::errc{} || end != text->data() + text->size() || limit < 1 || limit > 1000)
            return respond(api::problem(400, "Bad Request", "limit must be from 1 to 1000",
                                        {{"field", "limit"}}));
    }
    onControl(s, respond, [&s, agent = request.agent, state, limit, respond] {
        auto mine = s.escalations.list(agent, state, limit);
        if (!s.cluster) return respond(api::jsonResponse(200, {{"escalations", mine}}));
        // With the other instances' (this one's own newest may not be stored yet).
        s.cluster->list(agent, state ? std::string(stateName(*state)) : "", limit,
                        [mine, limit, respond](Result<std::vector<nlohmann::json>> read) mutable {
                            if (!read) return respond(databaseUnavailable(read.error()));
                            auto& shared = *read;
                            std::set<std::string> seen;
                            for (const auto& e : mine)
                                seen.insert(e.value("id", ""));
                            for (auto& e : shared)
                                if (e.is_object() && !seen.contains(e.value("id", "")))
                                    mine.push_back(std::move(e));
                            std::stable_sort(
                                mine.begin(), mine.end(), [](const auto& a, const auto& b) {
                                    return a.value("created_ms", 0LL) > b.value("created_ms", 0LL);
                                });
                            if (mine.size() > limit) mine.erase(mine.begin() + limit, mine.end());
                            respond(api::jsonResponse(200, {{"escalations", mine}}));
                        });
    });
}

} // namespace

void onControl(asio::io_context& control, api::Respond respond, std::function<void()> work) {
    asio::post(control, [respond = std::move(respond), work = std::move(work)] {
        try {
            work();
        } catch (...) {
            respond(api::problem(500, {}, "the request failed on the control loop"));
            throw;
        }
    });
}

api::Response answerOf(const EscalationAnswer& answer, const std::string& traceId) {
    api::Response response;
    if (answer.status >= 400) {
        response = api::problem(answer.status, answer.body.value("title", ""),
                                answer.body.value("detail", ""), answer.body);
        if (answer.retryAfter) api::setRetryAfter(response, *answer.retryAfter);
    } else {
        response = api::jsonResponse(answer.status, answer.body);
    }
    if (!traceId.empty()) response.headers.emplace_back("X-IF-Trace-ID", traceId);
    return response;
}

std::string sha256Hex(std::string_view text) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
    std::string hex;
    for (unsigned int i = 0; i < size; ++i)
        hex += fmt::format("{:02x}", digest[i]);
    return hex;
}

api::Response badRequest(const Error& error) {
    const int status = error.code == Errc::not_found   ? 404
                       : error.code == Errc::too_large ? 413
                                                       : 400;
    return api::problem(status, {}, error.message, {{"field", api::fieldOf(error)}});
}

void addEscalationRoutes(api::Router& router, ApiServices& s) {
    (void)router.add("POST", "/v1/escalations",
                     [&s](const api::Request& r, const api::PathParams&,
                          const api::Respond& respond) { escalate(s, r, respond); });
    (void)router.add("GET", "/v1/escalations",
                     [&s](const api::Request& r, const api::PathParams&,
                          const api::Respond& respond) { list(s, r, respond); });
    (void)router.add(
        "GET", "/v1/escalations/{id}",
        [&s](const api::Request& r, const api::PathParams& p, const api::Respond& respond) {
            onControl(s, respond, [&s, agent = r.agent, id = p.at("id"), respond] {
                if (auto found = s.escalations.find(id, agent))
                    return respond(api::jsonResponse(200, *found));
                elsewhere(s, id, agent, respond, [respond](const cluster::PgEscalations::Row& row) {
                    respond(api::jsonResponse(200, row.record));
                });
            });
        });
    (void)router.add(
        "DELETE", "/v1/escalations/{id}",
        [&s](const api::Request& r, const api::PathParams& p, const api::Respond& respond) {
            onControl(s, respond, [&s, agent = r.agent, id = p.at("id"), respond] {
                hereOrElsewhere(s, id, agent, {{"op", "hangup"}}, "hang it up", respond, [&] {
                    s.escalations.hangUp(id, agent, [respond](const EscalationAnswer& a) {
                        respond(answerOf(a, {}));
                    });
                });
            });
        });
    (void)router.add("POST", "/v1/escalations/{id}/video",
                     [&s](const api::Request& r, const api::PathParams& p,
                          const api::Respond& respond) { addVideo(s, r, p.at("id"), respond); });
    (void)router.add(
        "PATCH", "/v1/escalations/{id}/video",
        [&s](const api::Request& r, const api::PathParams& p, const api::Respond& respond) {
            setVideoPreset(s, r, p.at("id"), respond);
        });
    (void)router.add("POST", "/v1/escalations/{id}/parties",
                     [&s](const api::Request& r, const api::PathParams& p,
                          const api::Respond& respond) { addParty(s, r, p.at("id"), respond); });
    (void)router.add(
        "POST", "/v1/escalations/{id}/context",
        [&s](const api::Request& r, const api::PathParams& p, const api::Respond& respond) {
            contextUpdate(s, r, p.at("id"), respond);
        });
    (void)router.addEvents("/v1/events");
}

} // namespace sb::app
