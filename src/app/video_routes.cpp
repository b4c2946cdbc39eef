// GET /v1/video/sources (api_routes.hpp): what an agent may bring into a call — the test
// pattern and the configured sources by name (not their URLs, which may hold credentials) —
// and the NDI sources found on the LAN, which an operator adds to [[video.sources]] as
// "ndi:NAME": through the Avahi daemon where one runs (video/avahi_browse.hpp), else by our own
// mDNS query (video/discovery.hpp); and by the NDI runtime's finder where a runtime is
// installed, which also asks [video]'s extra IPs and Discovery Servers.

#include "api/problem.hpp"
#include "app/api_routes.hpp"
#include "core/json_text.hpp"
#include "video/avahi_browse.hpp"
#include "video/discovery.hpp"
#include "video/ndi_runtime.hpp"

#include <algorithm>
#include <charconv>
#include <fmt/ranges.h>
#include <memory>
#include <nlohmann/json.hpp>

namespace sb::app {
namespace {

using nlohmann::json;

// What the two ways of finding sources found, as each comes back on the control loop: the LAN's
// (the Avahi daemon's, or our own query's) and the NDI runtime's finder's, when a runtime is
// installed (its mDNS, and the extra IPs and Discovery Servers of [video]).
struct Discovered {
    json lan = json::array(), ndi = json::array();
    std::optional<std::string> error;
    int waiting = 2;
};

json entry(const video::mdns::Instance& i, std::string_view via) {
    return {{"name", i.name}, {"source", "ndi:" + i.name}, {"host", i.host},
            {"port", i.port}, {"address", i.address},      {"via", via}};
}

void discover(ApiServices& s, const api::Respond& respond, int waitMs) {
    json configured = json::array({{{"name", "pattern"}, {"kind", "pattern"}}});
    for (const auto& source : s.video->options().sources)
        configured.push_back({{"name", source.name}, {"kind", video::VideoLegs::kindOf(source)}});
    const auto wait = std::chrono::milliseconds(waitMs);
    auto found = std::make_shared<Discovered>();
    const auto finish = [found, respond, configured] {
        if (--found->waiting > 0) return;
        json body{{"sources", configured}, {"discovered", found->lan}};
        if (found->error) body["discovery_error"] = *found->error;
        for (const auto& n : found->ndi) // a source both found is listed once, as the LAN has it
            if (std::none_of(found->lan.begin(), found->lan.end(),
                             [&](const json& l) { return l["name"] == n["name"]; }))
                body["discovered"].push_back(n);
        api::Response r;
        r.body = jsonText(body);
        respond(std::move(r));
    };
    const auto onLan = [found, finish](video::Instances instances, std::string_view via) {
        if (!instances) found->error = instances.error().message;
        for (const auto& i : instances ? *instances : std::vector<video::mdns::Instance>{})
            found->lan.push_back(entry(i, via));
        finish();
    };
    // Our own querier runs on the control loop's sockets and timer; nothing blocks meanwhile.
    const auto ourQuery = [&s, wait, onLan] {
        video::browseMdns(s.control, video::mdns::kNdiService, wait, s.mdnsInterface,
                          [onLan](video::Instances i) { onLan(std::move(i), "mdns"); });
    };
    // The Avahi daemon's, where one runs (it shares 5353 with the machine's other clients);
    // where none does, ours.
    s.browses->run([wait] { return video::browseAvahi(video::mdns::kNdiService, wait); },
                   [onLan, ourQuery](video::Instances i) {
                       if (!i && i.error().code == Errc::not_found) return ourQuery();
                       onLan(std::move(i), "avahi");
                   });
    s.browses->run(
        [wait, extraIps = fmt::format("{}", fmt::join(s.ndiExtraIps, ","))]() -> video::Instances {
            auto runtime = video::NdiRuntime::load();
            if (!runtime) return std::vector<video::mdns::Instance>{}; // none installed: none
            std::vector<video::mdns::Instance> out;
            for (const auto& source :
                 (*runtime)->sources(static_cast<std::uint32_t>(wait.count()), extraIps))
                out.push_back({source.name, "", 0, source.url});
            return out;
        },
        [found, finish](video::Instances i) {
            for (const auto& instance : i ? *i : std::vector<video::mdns::Instance>{})
                found->ndi.push_back(entry(instance, "ndi"));
            finish();
        });
}

void sources(ApiServices& s, const api::Request& request, const api::Respond& respond) {
    if (!s.video)
        return respond(
            api::problem(501, "Not Implemented", "the video bridge is off ([video])", {}));
    int waitMs = 1000;
    if (auto text = request.param("wait_ms")) {
        auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), waitMs);
        if (error != std::errc{} || end != text->data() + text->size() || waitMs < 0 ||
            waitMs > 5000)
            return respond(api::problem(400, "Bad Request",
                                        "wait_ms: expected milliseconds from 0 to 5000",
                                        {{"field", "wait_ms"}}));
    }
    onControl(s, respond, [&s, respond, waitMs] { discover(s, respond, waitMs); });
}

} // namespace

void addVideoRoutes(api::Router& router, ApiServices& s) {
    (void)router.add("GET", "/v1/video/sources",
                     [&s](const api::Request& r, const api::PathParams&,
                          const api::Respond& respond) { sources(s, r, respond); });
}

} // namespace sb::app
