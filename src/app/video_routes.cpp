// GET /v1/video/sources (api_routes.hpp): what an agent may bring into a call — the test
// pattern and the configured sources by name (not their URLs, which may hold credentials) —
// and the NDI sources found on the LAN, through the Avahi daemon where one runs
// (video/avahi_browse.hpp), else by our own mDNS query (video/discovery.hpp), which an operator
// adds to [[video.sources]] as "ndi:NAME".

#include "api/problem.hpp"
#include "app/api_routes.hpp"
#include "video/discovery.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

namespace sb::app {
namespace {

using nlohmann::json;

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
    onControl(s, respond, [&s, respond, waitMs] {
        json configured = json::array({{{"name", "pattern"}, {"kind", "pattern"}}});
        for (const auto& source : s.video->options().sources)
            configured.push_back(
                {{"name", source.name}, {"kind", video::VideoLegs::kindOf(source)}});
        const auto answer = [respond, configured](Result<std::vector<video::mdns::Instance>> found,
                                                  std::string_view via) {
            json body{{"sources", configured}, {"discovered", json::array()}};
            if (!found) body["discovery_error"] = found.error().message;
            for (const auto& i : found ? *found : std::vector<video::mdns::Instance>{})
                body["discovered"].push_back({{"name", i.name},
                                              {"source", "ndi:" + i.name},
                                              {"host", i.host},
                                              {"port", i.port},
                                              {"address", i.address},
                                              {"via", via}});
            api::Response r;
            r.body = body.dump();
            respond(std::move(r));
        };
        // Our own querier runs on the control loop's sockets and timer; nothing blocks meanwhile.
        const auto ourQuery = [&s, waitMs, answer] {
            video::browseMdns(s.control, video::mdns::kNdiService,
                              std::chrono::milliseconds(waitMs), s.mdnsInterface,
                              [answer](auto found) { answer(std::move(found), "mdns"); });
        };
        if (!s.avahi) return ourQuery();
        // The Avahi daemon's, where one runs (it shares 5353 with the machine's other clients);
        // where none does, ours.
        s.avahi->browse(video::mdns::kNdiService, std::chrono::milliseconds(waitMs),
                        [answer, ourQuery](Result<std::vector<video::mdns::Instance>> found) {
                            if (!found && found.error().code == Errc::not_found) return ourQuery();
                            answer(std::move(found), "avahi");
                        });
    });
}

} // namespace

void addVideoRoutes(api::Router& router, ApiServices& s) {
    (void)router.add("GET", "/v1/video/sources",
                     [&s](const api::Request& r, const api::PathParams&,
                          const api::Respond& respond) { sources(s, r, respond); });
}

} // namespace sb::app
