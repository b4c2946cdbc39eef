// /v1/witness/… (api_routes.hpp): what an auditor needs to check the log without trusting us —
// a signed tree head, the entries as stored (their bytes are what the leaves hash; an
// operator's token reads them), and RFC 9162 inclusion and consistency proofs (§2.1.3,
// §2.1.4) against a head's size.

#include "api/problem.hpp"
#include "app/api_routes.hpp"
#include "core/clock.hpp"

#include <charconv>
#include <fmt/format.h>

namespace sb::app {
namespace {

using nlohmann::json;

// Entries per GET /v1/witness/entries, at most.
constexpr std::uint64_t kMaxEntries = 1000;

// A required unsigned integer query parameter.
Result<std::uint64_t> number(const api::Request& request, std::string_view name) {
    auto text = request.param(name);
    if (!text) return fail(Errc::invalid_input, fmt::format("{}: required", name));
    std::uint64_t value = 0;
    auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (error != std::errc{} || end != text->data() + text->size() || text->empty())
        return fail(Errc::invalid_input, fmt::format("{}: expected an unsigned integer", name));
    return value;
}

api::Response parameterProblem(const Error& error) {
    const auto colon = error.message.find(':');
    return api::problem(400, {}, error.message, {{"field", error.message.substr(0, colon)}});
}

json hexes(const std::vector<witness::Hash>& hashes) {
    json out = json::array();
    for (const auto& h : hashes)
        out.push_back(toHex(h));
    return out;
}

void head(ApiServices& s, const api::Respond& respond) {
    onControl(s, respond, [&s, respond] {
        const auto& tree = s.witness.tree();
        auto root = tree.root(tree.size());
        auto signedHead = witness::signHead(s.signer, tree.size(), *root, unixTimeMs());
        s.witness.saveHead(signedHead, [respond, signedHead](const Result<void>&) {
            api::Response r;
            r.body = witness::toJson(signedHead);
            respond(std::move(r));
        });
    });
}

void entries(ApiServices& s, const api::Request& request, const api::Respond& respond) {
    // The entries name every agent's escalations, their experts and parties: an operator's
    // (an auditor's) to read. The head, the proofs and the key show only hashes and are any
    // agent's.
    if (auto refused = notOperator(s, request, "read the witness log's entries"))
        return respond(std::move(*refused));
    auto from = number(request, "from");
    if (!from) return respond(parameterProblem(from.error()));
    auto to = number(request, "to");
    if (!to) return respond(parameterProblem(to.error()));
    if (*to < *from || *to - *from > kMaxEntries)
        return respond(api::problem(400, {},
                                    fmt::format("to must be from `from` to from + {}", kMaxEntries),
                                    {{"field", "to"}}));
    onControl(s, respond, [&s, from = *from, to = *to, respond] {
        s.witness.read(from, to, [from, respond](Result<std::vector<std::string>> bodies) {
            if (!bodies) return respond(api::problem(503, {}, bodies.error().message));
            respond(api::jsonResponse(200, {{"from", from}, {"entries", *bodies}}));
        });
    });
}

void inclusion(ApiServices& s, const api::Request& request, const api::Respond& respond) {
    auto index = number(request, "index");
    if (!index) return respond(parameterProblem(index.error()));
    auto size = number(request, "size");
    if (!size) return respond(parameterProblem(size.error()));
    onControl(s, respond, [&s, index = *index, size = *size, respond] {
        const auto& tree = s.witness.tree();
        auto proof = tree.inclusionProof(index, size);
        if (!proof)
            return respond(api::problem(400, {}, proof.error().message, {{"field", "index"}}));
        respond(api::jsonResponse(200, {{"index", index},
                                        {"size", size},
                                        {"root", toHex(*tree.root(size))},
                                        {"proof", hexes(*proof)}}));
    });
}

void consistency(ApiServices& s, const api::Request& request, const api::Respond& respond) {
    auto from = number(request, "from");
    if (!from) return respond(parameterProblem(from.error()));
    auto to = number(request, "to");
    if (!to) return respond(parameterProblem(to.error()));
    onControl(s, respond, [&s, from = *from, to = *to, respond] {
        const auto& tree = s.witness.tree();
        auto proof = tree.consistencyProof(from, to);
        if (!proof) return respond(api::problem(400, {}, proof.error().message, {{"field", "to"}}));
        respond(api::jsonResponse(200, {{"from", from},
                                        {"to", to},
                                        {"from_root", toHex(*tree.root(from))},
                                        {"to_root", toHex(*tree.root(to))},
                                        {"proof", hexes(*proof)}}));
    });
}

} // namespace

void addWitnessRoutes(api::Router& router, ApiServices& s) {
    (void)router.add("GET", "/v1/witness/head",
                     [&s](const api::Request&, const api::PathParams&,
                          const api::Respond& respond) { head(s, respond); });
    (void)router.add("GET", "/v1/witness/entries",
                     [&s](const api::Request& r, const api::PathParams&,
                          const api::Respond& respond) { entries(s, r, respond); });
    (void)router.add("GET", "/v1/witness/proof/inclusion",
                     [&s](const api::Request& r, const api::PathParams&,
                          const api::Respond& respond) { inclusion(s, r, respond); });
    (void)router.add("GET", "/v1/witness/proof/consistency",
                     [&s](const api::Request& r, const api::PathParams&,
                          const api::Respond& respond) { consistency(s, r, respond); });
    (void)router.add(
        "GET", "/v1/witness/public-key",
        [&s](const api::Request&, const api::PathParams&, const api::Respond& respond) {
            respond(api::textResponse(200, s.signer.publicKeyPem(), "application/x-pem-file"));
        });
}

} // namespace sb::app
