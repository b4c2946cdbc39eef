#include "video/avahi_browse.hpp"

#include <algorithm>
#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-common/error.h>
#include <avahi-common/simple-watch.h>
#include <fmt/format.h>

namespace sb::video {
namespace {

struct PollFree {
    void operator()(AvahiSimplePoll* poll) const noexcept { avahi_simple_poll_free(poll); }
};
struct ClientFree {
    void operator()(AvahiClient* client) const noexcept { avahi_client_free(client); }
};

// What a browse has found so far; the library's callbacks add to it, on the browse's thread.
struct Found {
    AvahiClient* client = nullptr;
    std::vector<mdns::Instance> instances;
};

void resolved(AvahiServiceResolver* resolver, AvahiIfIndex, AvahiProtocol, AvahiResolverEvent event,
              const char* name, const char*, const char*, const char* host,
              const AvahiAddress* address, std::uint16_t port, AvahiStringList*,
              AvahiLookupResultFlags, void* context) {
    auto& found = *static_cast<Found*>(context);
    if (event == AVAHI_RESOLVER_FOUND && name) {
        mdns::Instance instance{name, host ? host : "", port, {}};
        if (address) {
            char text[AVAHI_ADDRESS_STR_MAX];
            instance.address = avahi_address_snprint(text, sizeof text, address);
        }
        // One per name: a source seen on two interfaces is one source.
        if (std::none_of(found.instances.begin(), found.instances.end(),
                         [&](const mdns::Instance& i) { return i.name == instance.name; }))
            found.instances.push_back(std::move(instance));
    }
    avahi_service_resolver_free(resolver);
}

void browsed(AvahiServiceBrowser*, AvahiIfIndex interface, AvahiProtocol protocol,
             AvahiBrowserEvent event, const char* name, const char* type, const char* domain,
             AvahiLookupResultFlags, void* context) {
    auto& found = *static_cast<Found*>(context);
    if (event != AVAHI_BROWSER_NEW) return;
    // Freed in its callback, or with the client.
    avahi_service_resolver_new(found.client, interface, protocol, name, type, domain,
                               AVAHI_PROTO_INET, static_cast<AvahiLookupFlags>(0), resolved,
                               context);
}

} // namespace

Result<std::vector<mdns::Instance>> browseAvahi(const std::string& service,
                                                std::chrono::milliseconds wait) {
    // Avahi names the type and the domain apart: "_ndi._tcp" in "local".
    std::string type = service;
    std::string domain = "local";
    if (const auto dot = type.rfind('.');
        dot != std::string::npos && dot > 0 && type.compare(dot, std::string::npos, ".local") == 0)
        type.resize(dot);
    std::unique_ptr<AvahiSimplePoll, PollFree> poll(avahi_simple_poll_new());
    if (!poll) return fail(Errc::io, "Avahi: out of memory");
    int error = 0;
    std::unique_ptr<AvahiClient, ClientFree> client(
        avahi_client_new(avahi_simple_poll_get(poll.get()), static_cast<AvahiClientFlags>(0),
                         nullptr, nullptr, &error));
    if (!client)
        return fail(Errc::not_found, fmt::format("no Avahi daemon: {}", avahi_strerror(error)));
    Found found{client.get(), {}};
    AvahiServiceBrowser* browser = avahi_service_browser_new(
        client.get(), AVAHI_IF_UNSPEC, AVAHI_PROTO_INET, type.c_str(), domain.c_str(),
        static_cast<AvahiLookupFlags>(0), browsed, &found);
    if (!browser)
        return fail(Errc::io, fmt::format("Avahi: cannot browse {}: {}", service,
                                          avahi_strerror(avahi_client_errno(client.get()))));
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (auto now = std::chrono::steady_clock::now(); now < deadline;
         now = std::chrono::steady_clock::now()) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
        if (avahi_simple_poll_iterate(poll.get(), static_cast<int>(std::max<long long>(left, 1))) !=
            0)
            break; // the poll failed or was told to quit
    }
    avahi_service_browser_free(browser); // the client frees the resolvers still open
    return std::move(found.instances);
}

} // namespace sb::video
