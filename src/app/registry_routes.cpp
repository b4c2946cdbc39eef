// /v1/experts and /v1/chains (api_routes.hpp): the registry's two kinds of document, each kept
// in the document store as the JSON the reader accepts, and mirrored in the in-memory
// registry the escalations plan from. A change is stored first and applied second, so that
// what a restart loads is what was acknowledged; each is a witness entry, and a change whose
// entry cannot be stored is undone and answered 503: no change goes unwitnessed.

#include "api/problem.hpp"
#include "app/api_routes.hpp"
#include "core/clock.hpp"
#include "core/json_text.hpp"
#include "core/log.hpp"
#include "core/trace.hpp"

#include <fmt/format.h>

namespace sb::app {
namespace {

using nlohmann::json;

// What differs between experts and chains.
struct Kind {
    std::string_view name;       // "expert": the store's kind and the witness entries'
    std::string_view collection; // "/v1/experts"
    std::function<Result<json>(std::string_view body, const std::string& pathId)> read;
    std::function<Result<void>(registry::Registry&, const json&)> upsert;
    std::function<Result<void>(registry::Registry&, std::string_view)> remove;
    std::function<std::optional<json>(const registry::Registry&, std::string_view)> get;
    std::function<json(const registry::Registry&)> list;
};

// Reads `body` with `parse`, whose document's id must be `pathId` when one is given.
template <class Parse>
Result<json> readDocument(std::string_view body, const std::string& pathId, Parse parse) {
    registry::FieldError where;
    auto parsed = parse(body, &where);
    if (!parsed) return fail(where.error());
    if (!pathId.empty() && parsed->id != pathId)
        return fail(Errc::invalid_input, "/id: must be the id in the path, \"" + pathId + "\"");
    return toJson(*parsed);
}

Kind experts() {
    return {"expert",
            "/v1/experts",
            [](std::string_view body, const std::string& id) {
                return readDocument(body, id, [](auto text, auto* where) {
                    return registry::parseExpert(text, where);
                });
            },
            [](registry::Registry& r, const json& doc) {
                return r.upsertExpert(*registry::expertFromJson(doc));
            },
            [](registry::Registry& r, std::string_view id) { return r.removeExpert(id); },
            [](const registry::Registry& r, std::string_view id) -> std::optional<json> {
                const auto* e = r.expert(id);
                return e ? std::optional(toJson(*e)) : std::nullopt;
            },
            [](const registry::Registry& r) {
                json out = json::array();
                for (const auto* e : r.experts())
                    out.push_back(toJson(*e));
                return out;
            }};
}

Kind chains() {
    return {"chain",
            "/v1/chains",
            [](std::string_view body, const std::string& id) {
                return readDocument(body, id, [](auto text, auto* where) {
                    return registry::parseChain(text, where);
                });
            },
            [](registry::Registry& r, const json& doc) {
                return r.upsertChain(*registry::chainFromJson(doc));
            },
            [](registry::Registry& r, std::string_view id) { return r.removeChain(id); },
            [](const registry::Registry& r, std::string_view id) -> std::optional<json> {
                const auto* c = r.chain(id);
                return c ? std::optional(toJson(*c)) : std::nullopt;
            },
            [](const registry::Registry& r) {
                json out = json::array();
                for (const auto* c : r.chains())
                    out.push_back(toJson(*c));
                return out;
            }};
}

api::Response unwitnessed(const Error& error) {
    return api::problem(
        503, {}, "not changed: the witness log could not store the change (" + error.message + ")");
}

// Puts a document back as it was before a change whose witness entry failed: `previous`, or
// absent when it is nullopt; `then` runs once the store has it back. The store and the registry
// took the change without complaint, so taking it back can fail only if the store has failed
// since; that is logged.
void restore(ApiServices& s, const Kind& kind, const std::string& id,
             const std::optional<json>& previous, std::function<void()> then) {
    const bool applied = previous ? kind.upsert(s.registry, *previous).has_value()
                                  : kind.remove(s.registry, id).has_value();
    auto stored = [name = std::string(kind.name), id, applied,
                   then = std::move(then)](bool restored) {
        if (!restored || !applied)
            log::get("app").error("registry: {} \"{}\" could not be put back after its witness "
                                  "entry failed (store {}, registry {})",
                                  name, id, restored ? "restored" : "failed",
                                  applied ? "restored" : "failed");
        then();
    };
    if (previous)
        s.documents.put(std::string(kind.name), id, previous->dump(),
                        [stored](const Result<void>& r) { stored(r.has_value()); });
    else
        s.documents.remove(std::string(kind.name), id,
                           [stored](const Result<bool>& r) { stored(r.has_value()); });
}

// The last two steps of a change that is stored: witness it, then answer with `success`; if
// the entry cannot be stored, the change is taken back and the answer is 503.
void witnessChange(ApiServices& s, const Kind& kind, const std::string& id,
                   const std::optional<json>& previous, const witness::Entry& entry,
                   api::Response success, const api::Respond& respond,
                   const OneAtATime::Next& next) {
    s.witness.append(entry, [&s, kind, id, previous, success = std::move(success), respond,
                             next](const Result<std::uint64_t>& at) {
        if (at) {
            respond(success);
            return next();
        }
        restore(s, kind, id, previous, [respond, next, error = at.error()] {
            respond(unwitnessed(error));
            next();
        });
    });
}

api::Response notFound(const Kind& kind, std::string_view id) {
    return api::problem(404, {}, fmt::format("no {} \"{}\"", kind.name, id), {{"field", "id"}});
}

api::Response storeFailed(const Error& error) {
    return api::problem(503, {}, "the registry store failed: " + error.message);
}

// Creates (POST: 201, 409 when the id is taken) or replaces (PUT: 200, 404 when unknown). The
// answer comes once the change is durable in the store and witnessed; the control loop does
// not wait for either meanwhile.
void write(ApiServices& s, const Kind& kind, const api::Request& request, const std::string& pathId,
           const api::Respond& respond) {
    if (auto refused = notOperator(s, request, "change the registry"))
        return respond(std::move(*refused));
    auto document = kind.read(request.body, pathId);
    if (!document) return respond(badRequest(document.error()));
    onControl(
        s, respond,
        [&s, kind, creating = pathId.empty(), doc = std::move(document).value(),
         agent = request.agent, respond] {
            s.registryWrites.run([&s, kind, creating, doc, agent,
                                  respond](const OneAtATime::Next& next) {
                const std::string id = doc["id"];
                auto previous = kind.get(s.registry, id);
                const bool exists = previous.has_value();
                if (creating && exists) {
                    respond(api::problem(
                        409, {}, fmt::format("{} \"{}\" exists; PUT replaces it", kind.name, id),
                        {{"field", "/id"}}));
                    return next();
                }
                if (!creating && !exists) {
                    respond(notFound(kind, id));
                    return next();
                }
                // The registry checks what the reader cannot (a chain's experts exist);
                // a copy takes the change first so that a refusal leaves both the store
                // and the registry as they were.
                auto trial = std::make_shared<registry::Registry>(s.registry);
                if (auto ok = kind.upsert(*trial, doc); !ok) {
                    respond(badRequest(ok.error()));
                    return next();
                }
                s.documents.put(std::string(kind.name), id, jsonText(doc),
                                [&s, kind, id, previous, trial, creating, doc, agent, respond,
                                 next](const Result<void>& stored) {
                                    if (!stored) {
                                        respond(storeFailed(stored.error()));
                                        return next();
                                    }
                                    s.registry = std::move(*trial);
                                    witnessChange(s, kind, id, previous,
                                                  {newTraceId(),
                                                   unixTimeMs(),
                                                   fmt::format("registry.{}.{}", kind.name,
                                                               creating ? "created" : "updated"),
                                                   "agent:" + agent,
                                                   {{"id", id}, {"document", doc}}},
                                                  api::jsonResponse(creating ? 201 : 200, doc),
                                                  respond, next);
                                });
            });
        });
}

void erase(ApiServices& s, const Kind& kind, const api::Request& request, std::string id,
           const api::Respond& respond) {
    if (auto refused = notOperator(s, request, "change the registry"))
        return respond(std::move(*refused));
    onControl(s, respond, [&s, kind, id = std::move(id), agent = request.agent, respond] {
        s.registryWrites.run([&s, kind, id, agent, respond](const OneAtATime::Next& next) {
            auto previous = kind.get(s.registry, id);
            auto trial = std::make_shared<registry::Registry>(s.registry);
            if (auto ok = kind.remove(*trial, id); !ok) {
                respond(ok.error().code == Errc::not_found
                            ? notFound(kind, id)
                            : api::problem(409, {}, ok.error().message, {{"field", "id"}}));
                return next();
            }
            s.documents.remove(
                std::string(kind.name), id,
                [&s, kind, id, previous, trial, agent, respond, next](const Result<bool>& removed) {
                    if (!removed) {
                        respond(storeFailed(removed.error()));
                        return next();
                    }
                    s.registry = std::move(*trial);
                    api::Response gone;
                    gone.status = 204;
                    gone.contentType.clear();
                    witnessChange(s, kind, id, previous,
                                  {newTraceId(),
                                   unixTimeMs(),
                                   fmt::format("registry.{}.deleted", kind.name),
                                   "agent:" + agent,
                                   {{"id", id}}},
                                  std::move(gone), respond, next);
                });
        });
    });
}

void addKind(api::Router& router, ApiServices& s, const Kind& kind) {
    const std::string one = std::string(kind.collection) + "/{id}";
    (void)router.add(
        "GET", kind.collection,
        [&s, kind](const api::Request&, const api::PathParams&, const api::Respond& respond) {
            onControl(s, respond, [&s, kind, respond] {
                respond(api::jsonResponse(200, kind.list(s.registry)));
            });
        });
    (void)router.add("POST", kind.collection,
                     [&s, kind](const api::Request& r, const api::PathParams&,
                                const api::Respond& respond) { write(s, kind, r, {}, respond); });
    (void)router.add(
        "GET", one,
        [&s, kind](const api::Request&, const api::PathParams& p, const api::Respond& respond) {
            onControl(s, respond, [&s, kind, id = p.at("id"), respond] {
                auto doc = kind.get(s.registry, id);
                respond(doc ? api::jsonResponse(200, *doc) : notFound(kind, id));
            });
        });
    (void)router.add(
        "PUT", one,
        [&s, kind](const api::Request& r, const api::PathParams& p, const api::Respond& respond) {
            write(s, kind, r, p.at("id"), respond);
        });
    (void)router.add(
        "DELETE", one,
        [&s, kind](const api::Request& r, const api::PathParams& p, const api::Respond& respond) {
            erase(s, kind, r, p.at("id"), respond);
        });
}

} // namespace

void addRegistryRoutes(api::Router& router, ApiServices& s) {
    addKind(router, s, experts());
    addKind(router, s, chains());
}

} // namespace sb::app
