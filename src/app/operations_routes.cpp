// /metrics, /healthz, /readyz and /v1/openapi.json (api_routes.hpp): open to anyone, as
// Prometheus and Kubernetes probes carry no tokens.

#include "api/metrics_text.hpp"
#include "api/problem.hpp"
#include "app/api_routes.hpp"
#include "app/openapi_document.hpp" // generated from docs/api/openapi.json (CMakeLists.txt)

namespace sb::app {

void addOperationsRoutes(api::Router& router, ApiServices& s) {
    using api::Access;
    (void)router.add(
        "GET", "/metrics",
        [&s](const api::Request&, const api::PathParams&, const api::Respond& respond) {
            onControl(s, respond, [&s, respond] { respond(api::metricsResponse(s.metrics())); });
        },
        Access::open);
    // Alive: the API thread answers. Ready: the control loop answers too, and can escalate.
    (void)router.add(
        "GET", "/healthz",
        [](const api::Request&, const api::PathParams&, const api::Respond& respond) {
            respond(api::healthResponse(true));
        },
        Access::open);
    (void)router.add(
        "GET", "/readyz",
        [&s](const api::Request&, const api::PathParams&, const api::Respond& respond) {
            onControl(s, respond, [&s, respond] {
                const auto why = s.notReady();
                respond(api::healthResponse(why.empty(), why));
            });
        },
        Access::open);
    (void)router.add(
        "GET", "/v1/openapi.json",
        [](const api::Request&, const api::PathParams&, const api::Respond& respond) {
            api::Response r;
            r.body = generated::kOpenApiJson;
            respond(std::move(r));
        },
        Access::open);
}

} // namespace sb::app
