#include "app/config.hpp"

#include "app/default_config.hpp" // generated from deploy/switchboard.toml (src/app/CMakeLists.txt)
#include "core/file.hpp"
#include "core/toml_reader.hpp"
#include "h323/addresses.hpp"
#include "sdp/offer_answer.hpp"
#include "sip/host.hpp"
#include "sip/routing.hpp"
#include "sip/uri.hpp"

#include <algorithm>
#include <asio/ip/address.hpp>
#include <cctype>
#include <charconv>
#include <fmt/format.h>
#include <iterator>
#include <optional>
#include <span>
#include <spdlog/common.h>
#include <stdexcept>
#include <system_error>
#include <toml++/toml.h>

namespace sb::app {
namespace {

using toml_reader::join;
using toml_reader::joinNames;

// spdlog's level names, in order: trace, debug, info, warning, error, critical, off.
const std::vector<std::string_view>& levelNames() {
    static const std::vector<std::string_view> names = [] {
        std::vector<std::string_view> out;
        for (int i = 0; i < spdlog::level::n_levels; ++i) {
            auto name = spdlog::level::to_string_view(static_cast<spdlog::level::level_enum>(i));
            out.emplace_back(name.data(), name.size());
        }
        return out;
    }();
    return names;
}

// Accepts exactly what sb::log::setLevel accepts: spdlog's names plus its aliases "warn" and
// "err" (spdlog's from_str answers "off" for names it does not know).
bool isLevelName(std::string_view name) {
    const auto level = spdlog::level::from_str(std::string(name));
    return level != spdlog::level::off || name == "off";
}

const std::string& levelExpectation() {
    static const std::string text =
        fmt::format("a log level (one of: {})", joinNames(levelNames()));
    return text;
}

// A conference room's name: letters, digits, '-', '_' and '.', 1 to 64 of them (never the
// echo room's, which starts with '*').
bool isRoomName(std::string_view name) {
    return !name.empty() && name.size() <= 64 &&
           name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "0123456789-_.") == std::string_view::npos;
}

class Reader : toml_reader::Reader {
public:
    using toml_reader::Reader::Reader;

    Config read(const toml::table& root) const {
        Config config;
        static constexpr std::string_view kRootKeys[] = {
            "data_dir", "log",   "sip", "tls",         "calls",  "routes", "auth",
            "dns",      "media", "api", "escalations", "webrtc", "h323",   "video"};
        onlyKeys(root, "", kRootKeys);

        if (const auto* node = root.get("data_dir")) {
            const auto* value = node->as_string();
            if (!value || value->get().empty())
                expected(*node, "data_dir", "a non-empty folder path string");
            config.dataDir = value->get();
        }
        if (const auto* log = table(root, "", "log")) readLog(*log, config.log);
        const auto* sip = table(root, "", "sip");
        readSip(sip, config.sip);
        readTls(root, config);
        if (const auto* calls = table(root, "", "calls")) readCalls(*calls, config.calls);
        readRoutes(root, config.routes);
        if (const auto* auth = table(root, "", "auth")) readAuth(*auth, config.auth);
        if (const auto* dns = table(root, "", "dns")) readDns(*dns, config.dns);
        if (const auto* media = table(root, "", "media")) readMedia(*media, config.media);
        if (const auto* api = table(root, "", "api")) readApi(*api, config.api);
        if (const auto* e = table(root, "", "escalations")) readEscalations(*e, config);
        if (const auto* w = table(root, "", "webrtc")) readWebRtc(*w, config.webrtc);
        if (const auto* h = table(root, "", "h323")) readH323(*h, config.h323);
        if (const auto* v = table(root, "", "video")) readVideo(*v, config.video);
        // Relative files of the escalation service live under data_dir, like the TLS pair.
        auto& e = config.escalations;
        if (e.storage.starts_with("sqlite:"))
            e.storage = "sqlite:" + resolve(config.dataDir, e.storage.substr(7));
        for (auto* file : {&e.policy, &e.experts, &e.signingKey})
            if (!file->empty()) *file = resolve(config.dataDir, *file);
        return config;
    }

    void readLog(const toml::table& log, LogConfig& out) const {
        static constexpr std::string_view kKeys[] = {"level", "modules"};
        onlyKeys(log, "log", kKeys);
        if (const auto* level = string(log, "log", "level", levelExpectation())) {
            if (!isLevelName(level->get())) expected(*level, "log.level", levelExpectation());
            out.level = level->get();
        }
        if (const auto* modules = table(log, "log", "modules")) {
            onlyKeys(*modules, "log.modules", logModuleNames());
            for (const auto& [key, node] : *modules) {
                const auto path = join("log.modules", key.str());
                const auto* level = node.as_string();
                if (!level || !isLevelName(level->get())) expected(node, path, levelExpectation());
                out.modules.emplace(std::string(key.str()), level->get());
            }
        }
    }

    void readSip(const toml::table* sip, SipConfig& out) const {
        if (sip) {
            static constexpr std::string_view kKeys[] = {
                "listen",          "max_message_bytes",  "max_headers",
                "max_line_bytes",  "message_timeout_ms", "idle_timeout_s",
                "max_connections", "user_agent",         "timers"};
            onlyKeys(*sip, "sip", kKeys);
            integer(*sip, "sip", "max_message_bytes", 1024, 16777216, out.maxMessageBytes);
            integer(*sip, "sip", "max_headers", 16, 4096, out.maxHeaders);
            integer(*sip, "sip", "max_line_bytes", 256, 1048576, out.maxLineBytes);
            integer(*sip, "sip", "message_timeout_ms", 100, 600000, out.messageTimeoutMs);
            integer(*sip, "sip", "idle_timeout_s", 1, 86400, out.idleTimeoutS);
            integer(*sip, "sip", "max_connections", 1, 1000000, out.maxConnections);
            if (out.maxLineBytes > out.maxMessageBytes) {
                const auto* node = sip->get("max_line_bytes");
                if (!node) node = sip->get("max_message_bytes");
                failAt(node->source(),
                       fmt::format("sip.max_line_bytes: expected at most sip.max_message_bytes "
                                   "({}), got {}",
                                   out.maxMessageBytes, out.maxLineBytes));
            }
            readUserAgent(*sip, out);
            if (const auto* timers = table(*sip, "sip", "timers")) readTimers(*timers, out);
        }
        readListeners(sip, out);
    }

    void readTimers(const toml::table& timers, SipConfig& out) const {
        static constexpr std::string_view kKeys[] = {"t1_ms", "t2_ms", "t4_ms"};
        onlyKeys(timers, "sip.timers", kKeys);
        integer(timers, "sip.timers", "t1_ms", 10, 10000, out.t1Ms);
        integer(timers, "sip.timers", "t2_ms", 100, 60000, out.t2Ms);
        integer(timers, "sip.timers", "t4_ms", 100, 60000, out.t4Ms);
        if (out.t2Ms < out.t1Ms) {
            const auto* node = timers.get("t2_ms") ? timers.get("t2_ms") : timers.get("t1_ms");
            failAt(node->source(), fmt::format("sip.timers.t2_ms: expected at least "
                                               "sip.timers.t1_ms ({}), got {}",
                                               out.t1Ms, out.t2Ms));
        }
    }

    void readCalls(const toml::table& calls, sip::CallLimits& out) const {
        static constexpr std::string_view kKeys[] = {"max_calls",
                                                     "max_calls_per_source",
                                                     "retry_after_s",
                                                     "no_answer_timeout_s",
                                                     "session_expires_s",
                                                     "min_se_s",
                                                     "drain_s"};
        onlyKeys(calls, "calls", kKeys);
        integer(calls, "calls", "max_calls", 1, 10000000, out.maxCalls);
        integer(calls, "calls", "max_calls_per_source", 1, 10000000, out.maxCallsPerSource);
        integer(calls, "calls", "retry_after_s", 0, 86400, out.retryAfterS);
        duration(calls, "calls", "no_answer_timeout_s", 1, 86400, out.noAnswerTimeout);
        duration(calls, "calls", "drain_s", 0, 86400, out.drain);
        integer(calls, "calls", "min_se_s", 2, 86400, out.minSessionExpiresS);
        integer(calls, "calls", "session_expires_s", 0, 86400, out.sessionExpiresS);
        if (out.sessionExpiresS != 0 && out.sessionExpiresS < out.minSessionExpiresS) {
            const auto* node = calls.get("session_expires_s") ? calls.get("session_expires_s")
                                                              : calls.get("min_se_s");
            failAt(node->source(), fmt::format("calls.session_expires_s: expected 0 or at least "
                                               "calls.min_se_s ({}), got {}",
                                               out.minSessionExpiresS, out.sessionExpiresS));
        }
    }

    void readRoutes(const toml::table& root, std::vector<RouteConfig>& out) const {
        const auto* node = root.get("routes");
        if (!node) return;
        const auto* list = node->as_array();
        constexpr std::string_view kWhat = "an array of [[routes]] tables";
        if (!list) expected(*node, "routes", kWhat);
        for (std::size_t i = 0; i < list->size(); ++i) {
            const toml::node& entryNode = (*list)[i];
            const auto path = fmt::format("routes[{}]", i);
            const auto* entry = entryNode.as_table();
            if (!entry) expected(entryNode, path, "a table with a target, conference or echo");
            static constexpr std::string_view kKeys[] = {"user",       "domain", "target",
                                                         "conference", "echo",   "outbound_proxy",
                                                         "transport",  "srtp"};
            onlyKeys(*entry, path, kKeys);
            RouteConfig route;
            bool echo = false;
            boolean(*entry, path, "echo", echo);
            for (auto [key, field] : {std::pair{"user", &route.user}, {"domain", &route.domain}}) {
                const auto* value = string(*entry, path, key, "a regular expression (RE2)");
                if (!value) continue;
                if (auto why = sip::routePatternError(value->get()))
                    expected(*value, join(path, key),
                             fmt::format("a regular expression (RE2: {})", *why));
                *field = value->get();
            }
            constexpr std::string_view kUri = "a sip: or sips: URI";
            constexpr std::string_view kTarget = "a sip:, sips: or h323: URI";
            const auto* target = string(*entry, path, "target", kTarget);
            constexpr std::string_view kRoom = "a room name (letters, digits, '-', '_', '.')";
            const auto* room = string(*entry, path, "conference", kRoom);
            if (int(target != nullptr) + int(room != nullptr) + int(echo) != 1)
                failAt(entry->source(), fmt::format("{}: expected one of a target, a conference "
                                                    "or echo = true",
                                                    path));
            if (echo) {
                route.conference = session::kEchoRoom;
            } else if (target) {
                routeTarget(*target, join(path, "target"));
                route.target = target->get();
            } else {
                if (!isRoomName(room->get())) expected(*room, join(path, "conference"), kRoom);
                route.conference = room->get();
            }
            constexpr std::string_view kSrtp = "one of: off, optional, required";
            if (const auto* srtp = string(*entry, path, "srtp", kSrtp)) {
                if (!sdp::srtpPolicyByName(srtp->get())) expected(*srtp, join(path, "srtp"), kSrtp);
                route.srtp = srtp->get();
            }
            if (const auto* proxy = string(*entry, path, "outbound_proxy", kUri)) {
                sipUri(*proxy, join(path, "outbound_proxy"));
                route.outboundProxy = proxy->get();
            }
            constexpr std::string_view kTransports = "one of: udp, tcp, tls";
            if (const auto* transport = string(*entry, path, "transport", kTransports)) {
                route.transport = sip::parseTransport(transport->get());
                if (!route.transport) expected(*transport, join(path, "transport"), kTransports);
            }
            out.push_back(std::move(route));
        }
    }

    void readMedia(const toml::table& media, MediaConfig& out) const {
        static constexpr std::string_view kKeys[] = {
            "anchor", "address",  "advertise", "port_min",        "port_max", "latching",
            "codecs", "ptime_ms", "srtp",      "conference_rate", "workers"};
        onlyKeys(media, "media", kKeys);
        boolean(media, "media", "anchor", out.anchor);
        boolean(media, "media", "latching", out.latching);
        constexpr std::string_view kAddress = "an IPv4 or IPv6 address literal";
        for (auto [key, field] :
             {std::pair{"address", &out.address}, {"advertise", &out.advertise}}) {
            if (const auto* value = string(media, "media", key, kAddress)) {
                std::error_code ec;
                (void)asio::ip::make_address(value->get(), ec);
                if (ec) expected(*value, join("media", key), kAddress);
                *field = value->get();
            }
        }
        integer(media, "media", "port_min", 1024, 65534, out.portMin);
        integer(media, "media", "port_max", 1025, 65535, out.portMax);
        if (out.portMax < out.portMin + 1)
            failAt(media.source(), "media.port_max: expected at least media.port_min + 1");
        // What every codec we encode can fill: Opus frames of 10, 20, 40 or 60 ms (RFC 6716
        // §2.1.4), GSM's of 20 ms; another length leaves a leg with that codec silent.
        if (const auto* node = media.get("ptime_ms")) {
            const auto* ms = node->as_integer();
            if (!ms || (ms->get() != 20 && ms->get() != 40 && ms->get() != 60))
                expected(*node, "media.ptime_ms", "20, 40 or 60");
            else
                out.packetMs = static_cast<int>(ms->get());
        }
        integer(media, "media", "workers", -1, 64, out.workers);
        if (const auto* srtp = string(media, "media", "srtp", "one of: off, optional, required")) {
            if (!sdp::srtpPolicyByName(srtp->get()))
                expected(*srtp, "media.srtp", "one of: off, optional, required");
            out.srtp = srtp->get();
        }
        if (const auto* node = media.get("conference_rate")) {
            const auto* rate = node->as_integer();
            if (!rate || (rate->get() != 16000 && rate->get() != 48000))
                expected(*node, "media.conference_rate", "16000 or 48000");
            out.conferenceRate = static_cast<std::uint32_t>(rate->get());
        }
        if (const auto* node = media.get("codecs")) {
            static constexpr std::string_view kNames[] = {"opus", "G722", "PCMU",
                                                          "PCMA", "G729", "GSM"};
            constexpr std::string_view kCodecs = "a non-empty array of \"opus\", \"G722\", "
                                                 "\"PCMU\", \"PCMA\", \"G729\" and \"GSM\"";
            const auto* list = node->as_array();
            if (!list || list->empty()) expected(*node, "media.codecs", kCodecs);
            out.codecs.clear();
            for (const auto& item : *list) {
                const auto* name = item.as_string();
                if (!name || std::find(std::begin(kNames), std::end(kNames), name->get()) ==
                                 std::end(kNames))
                    expected(item, "media.codecs", kCodecs);
                out.codecs.push_back(name->get());
            }
        }
    }

    void readDns(const toml::table& dns, net::DnsOptions& out) const {
        static constexpr std::string_view kKeys[] = {"servers", "timeout_ms", "tries"};
        onlyKeys(dns, "dns", kKeys);
        duration(dns, "dns", "timeout_ms", 10, 60000, out.timeout);
        integer(dns, "dns", "tries", 1, 10, out.tries);
        const auto* node = dns.get("servers");
        if (!node) return;
        constexpr std::string_view kServers =
            "an array of IP addresses, each with an optional port (\"192.0.2.53\", "
            "\"127.0.0.1:5353\", \"[::1]:53\")";
        const auto* list = node->as_array();
        if (!list) expected(*node, "dns.servers", kServers);
        for (const auto& item : *list) {
            const auto* server = item.as_string();
            if (!server || !isServerAddress(server->get())) expected(item, "dns.servers", kServers);
            out.servers.push_back(server->get());
        }
    }

    // "address", "ipv4:port", "[ipv6]" or "[ipv6]:port".
    static bool isServerAddress(std::string_view text) {
        std::string_view address = text, port;
        bool hasPort = false;
        if (text.starts_with('[')) {
            const auto close = text.find(']');
            if (close == std::string_view::npos) return false;
            address = text.substr(1, close - 1);
            port = text.substr(close + 1);
            if (!port.empty() && !port.starts_with(':')) return false;
            hasPort = !port.empty();
            if (hasPort) port.remove_prefix(1);
        } else if (std::count(text.begin(), text.end(), ':') == 1) {
            const auto colon = text.find(':');
            address = text.substr(0, colon);
            port = text.substr(colon + 1);
            hasPort = true;
        }
        std::error_code ec;
        (void)asio::ip::make_address(address, ec);
        if (ec) return false;
        if (!hasPort) return true;
        unsigned value = 0;
        const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
        return error == std::errc() && end == port.data() + port.size() && value >= 1 &&
               value <= 65535;
    }

    void readAuth(const toml::table& auth, sip::AuthOptions& out) const {
        static constexpr std::string_view kKeys[] = {
            "challenge_inbound", "realm", "nonce_lifetime_s", "algorithms", "failures_burst",
            "failures_refill_s", "users", "credentials"};
        onlyKeys(auth, "auth", kKeys);
        boolean(auth, "auth", "challenge_inbound", out.challengeInbound);
        constexpr std::string_view kText = "a non-empty string without quotes or backslashes";
        auto text = [&](const toml::table& t, std::string_view path, std::string_view key,
                        std::string& field, bool required) {
            const auto* value = string(t, path, key, kText);
            if (!value) {
                if (required)
                    failAt(t.source(),
                           fmt::format("{}.{}: missing; expected {}", path, key, kText));
                return;
            }
            // They go into quoted-strings of Digest headers (RFC 7616 §3.3).
            const auto& v = value->get();
            if (v.empty() || v.find_first_of("\"\\\r\n") != std::string::npos)
                expected(*value, join(path, key), kText);
            field = v;
        };
        text(auth, "auth", "realm", out.realm, false);
        duration(auth, "auth", "nonce_lifetime_s", 10, 86400, out.nonceLifetime);
        integer(auth, "auth", "failures_burst", 1, 1000, out.failureBurst);
        duration(auth, "auth", "failures_refill_s", 1, 86400, out.failureRefill);
        if (const auto* node = auth.get("algorithms")) {
            constexpr std::string_view kAlgorithms = "a non-empty array of \"SHA-256\" and \"MD5\"";
            const auto* list = node->as_array();
            if (!list || list->empty()) expected(*node, "auth.algorithms", kAlgorithms);
            out.algorithms.clear();
            for (const auto& item : *list) {
                const auto* name = item.as_string();
                if (!name || (name->get() != "SHA-256" && name->get() != "MD5"))
                    expected(item, "auth.algorithms", kAlgorithms);
                out.algorithms.push_back(*sip::parseDigestAlgorithm(std::string_view(name->get())));
            }
        }
        for (const auto& [key, fieldName] : {std::pair{"users", 0}, {"credentials", 1}}) {
            const auto* node = auth.get(key);
            if (!node) continue;
            const auto* list = node->as_array();
            if (!list) expected(*node, join("auth", key), "an array of tables");
            for (std::size_t i = 0; i < list->size(); ++i) {
                const auto path = fmt::format("auth.{}[{}]", key, i);
                const auto* entry = (*list)[i].as_table();
                if (!entry) expected((*list)[i], path, "a table with username and password");
                sip::AuthOptions::Credential c;
                if (fieldName == 0) {
                    static constexpr std::string_view kUserKeys[] = {"username", "password"};
                    onlyKeys(*entry, path, kUserKeys);
                } else {
                    static constexpr std::string_view kCredKeys[] = {"realm", "username",
                                                                     "password"};
                    onlyKeys(*entry, path, kCredKeys);
                    text(*entry, path, "realm", c.realm, false);
                }
                text(*entry, path, "username", c.username, true);
                text(*entry, path, "password", c.password, true);
                if (fieldName == 0)
                    out.users[c.username] = c.password;
                else
                    out.credentials.push_back(std::move(c));
            }
        }
    }

    // A SIP or SIPS URI; "${user}" stands for a user part to be filled in.
    void sipUri(const toml::value<std::string>& value, std::string_view path) const {
        std::string text = value.get();
        for (std::size_t at; (at = text.find("${user}")) != std::string::npos;)
            text.replace(at, 7, "user");
        const auto uri = sip::parseUri(text);
        if (!uri || !uri->isSip())
            expected(value, path,
                     fmt::format("a sip: or sips: URI{}",
                                 uri ? "" : fmt::format(" ({})", uri.error().message)));
    }

    // A route's target: a SIP or SIPS URI, or an H.323 URL (RFC 3508), which the gateway dials.
    void routeTarget(const toml::value<std::string>& value, std::string_view path) const {
        if (!value.get().starts_with("h323:")) return sipUri(value, path);
        std::string text = value.get();
        for (std::size_t at; (at = text.find("${user}")) != std::string::npos;)
            text.replace(at, 7, "user");
        if (auto url = h323::parseH323Url(text); !url)
            expected(value, path, fmt::format("an h323: URL ({})", url.error().message));
    }

    void readUserAgent(const toml::table& sip, SipConfig& out) const {
        // It goes verbatim into Server/User-Agent headers (RFC 3261 §20.35, §20.41): printable
        // ASCII only, so that a configuration cannot inject CR/LF or bytes peers reject.
        constexpr std::string_view kWhat = "1 to 128 printable ASCII characters, no leading or "
                                           "trailing space";
        const auto* value = string(sip, "sip", "user_agent", kWhat);
        if (!value) return;
        const std::string& ua = value->get();
        const bool printable =
            std::ranges::all_of(ua, [](char c) { return c >= 0x20 && c < 0x7f; });
        if (ua.empty() || ua.size() > 128 || !printable || ua.front() == ' ' || ua.back() == ' ')
            expected(*value, "sip.user_agent", kWhat);
        out.userAgent = ua;
    }

    void readListeners(const toml::table* sip, SipConfig& out) const {
        constexpr std::string_view kWhat = "at least one [[sip.listen]] table";
        const toml::node* node = sip ? sip->get("listen") : nullptr;
        if (!node)
            failAt(sip ? sip->source() : toml::source_region{},
                   fmt::format("sip.listen: expected {}, got none", kWhat));
        const auto* list = node->as_array();
        if (!list || list->empty()) expected(*node, "sip.listen", kWhat);

        std::vector<asio::ip::address> addresses;
        for (std::size_t i = 0; i < list->size(); ++i) {
            const toml::node& entryNode = (*list)[i];
            const auto path = fmt::format("sip.listen[{}]", i);
            const auto* entry = entryNode.as_table();
            if (!entry) expected(entryNode, path, "a table with transport, address and port");
            static constexpr std::string_view kKeys[] = {"transport", "address", "port",
                                                         "advertise"};
            onlyKeys(*entry, path, kKeys);

            ListenConfig listen;
            constexpr std::string_view kTransports = "one of: udp, tcp, tls";
            const auto* transport = string(*entry, path, "transport", kTransports);
            if (!transport)
                failAt(entry->source(),
                       fmt::format("{}.transport: missing; expected {}", path, kTransports));
            const auto kind = sip::parseTransport(transport->get());
            if (!kind) expected(*transport, join(path, "transport"), kTransports);
            listen.transport = *kind;

            constexpr std::string_view kAddress =
                "an IPv4 or IPv6 address literal such as 127.0.0.1 or ::1 (no brackets, no "
                "host name)";
            const auto* address = string(*entry, path, "address", kAddress);
            if (!address)
                failAt(entry->source(),
                       fmt::format("{}.address: missing; expected {}", path, kAddress));
            std::error_code ec;
            const auto parsed = asio::ip::make_address(address->get(), ec);
            if (ec) expected(*address, join(path, "address"), kAddress);
            listen.address = address->get();

            // RFC 3261 §19.1.2: 5060 for UDP and TCP, 5061 for TLS when no port is given.
            listen.port = listen.transport == sip::Transport::tls ? 5061 : 5060;
            integer(*entry, path, "port", 0, 65535, listen.port);
            constexpr std::string_view kAdvertise =
                "a host name, an IPv4 address or a bracketed IPv6 address such as [2001:db8::1]";
            if (const auto* advertise = string(*entry, path, "advertise", kAdvertise)) {
                if (!sip::isValidHost(advertise->get()))
                    expected(*advertise, join(path, "advertise"), kAdvertise);
                listen.advertise = advertise->get();
            }

            checkDistinct(out.listen, addresses, listen, parsed, entryNode, path);
            out.listen.push_back(std::move(listen));
            addresses.push_back(parsed);
        }
    }

    // Two listeners cannot share a socket: same address and port, and both UDP or both
    // stream-based (TCP and TLS both need the TCP port). Port 0 never collides.
    void checkDistinct(const std::vector<ListenConfig>& earlier,
                       const std::vector<asio::ip::address>& earlierAddresses,
                       const ListenConfig& listen, const asio::ip::address& address,
                       const toml::node& node, std::string_view path) const {
        if (listen.port == 0) return;
        for (std::size_t j = 0; j < earlier.size(); ++j) {
            if (earlier[j].port != listen.port || earlierAddresses[j] != address ||
                sip::isStream(earlier[j].transport) != sip::isStream(listen.transport))
                continue;
            failAt(node.source(),
                   fmt::format("{}: {} {} port {} is already used by sip.listen[{}] ({}); "
                               "expected a distinct address or port",
                               path, sip::transportName(listen.transport), listen.address,
                               listen.port, j, sip::transportName(earlier[j].transport)));
        }
    }

    void readApi(const toml::table& api, ApiConfig& out) const {
        static constexpr std::string_view kKeys[] = {"enabled", "address",        "port",
                                                     "tls",     "max_body_bytes", "tokens"};
        onlyKeys(api, "api", kKeys);
        boolean(api, "api", "enabled", out.enabled);
        if (const auto* address = string(api, "api", "address", "an IP address")) {
            std::error_code error;
            (void)asio::ip::make_address(address->get(), error);
            if (error) expected(*address, "api.address", "an IPv4 or IPv6 address");
            out.address = address->get();
        }
        integer(api, "api", "port", 0, 65535, out.port);
        boolean(api, "api", "tls", out.tls);
        integer(api, "api", "max_body_bytes", 1024, 64 << 20, out.maxBodyBytes);
        const auto* node = api.get("tokens");
        if (!node) return;
        const auto* list = node->as_array();
        constexpr std::string_view kWhat = "an array of {agent, sha256} tables";
        if (!list) expected(*node, "api.tokens", kWhat);
        for (std::size_t i = 0; i < list->size(); ++i) {
            const auto path = fmt::format("api.tokens[{}]", i);
            const auto* entry = (*list)[i].as_table();
            if (!entry) expected((*list)[i], path, kWhat);
            static constexpr std::string_view kTokenKeys[] = {"agent", "sha256", "admin"};
            onlyKeys(*entry, path, kTokenKeys);
            constexpr std::string_view kAgent = "an agent name (1 to 64 characters)";
            constexpr std::string_view kHash = "the token's SHA-256 as 64 hex digits";
            const auto* agent = string(*entry, path, "agent", kAgent);
            const auto* hash = string(*entry, path, "sha256", kHash);
            if (!agent || agent->get().empty() || agent->get().size() > 64)
                agent ? expected(*agent, join(path, "agent"), kAgent)
                      : failAt(entry->source(), fmt::format("{}.agent: missing", path));
            if (!hash || hash->get().size() != 64 ||
                hash->get().find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
                hash ? expected(*hash, join(path, "sha256"), kHash)
                     : failAt(entry->source(), fmt::format("{}.sha256: missing", path));
            bool admin = false;
            boolean(*entry, path, "admin", admin);
            out.tokens.push_back({agent->get(), hash->get(), admin});
        }
    }

    void readWebRtc(const toml::table& w, WebRtcConfig& out) const {
        static constexpr std::string_view kKeys[] = {
            "enabled",      "stun_server",      "stun_port",          "turn_server",
            "turn_port",    "turn_transport",   "turn_username",      "turn_password",
            "relay_only",   "max_message_size", "evidence_max_bytes", "evidence_held_bytes",
            "grant_seconds"};
        onlyKeys(w, "webrtc", kKeys);
        boolean(w, "webrtc", "enabled", out.enabled);
        if (const auto* stun = string(w, "webrtc", "stun_server", "an IP address or \"\"")) {
            std::error_code error;
            if (!stun->get().empty()) (void)asio::ip::make_address(stun->get(), error);
            if (error) expected(*stun, "webrtc.stun_server", "an IPv4 or IPv6 address, or \"\"");
            out.stunServer = stun->get();
        }
        integer(w, "webrtc", "stun_port", 1, 65535, out.stunPort);
        if (const auto* turn = string(w, "webrtc", "turn_server", "an IP address or \"\"")) {
            std::error_code error;
            if (!turn->get().empty()) (void)asio::ip::make_address(turn->get(), error);
            if (error) expected(*turn, "webrtc.turn_server", "an IPv4 or IPv6 address, or \"\"");
            out.turnServer = turn->get();
        }
        integer(w, "webrtc", "turn_port", 1, 65535, out.turnPort);
        if (const auto* t = string(w, "webrtc", "turn_transport", "\"udp\", \"tcp\" or \"tls\"")) {
            if (t->get() != "udp" && t->get() != "tcp" && t->get() != "tls")
                expected(*t, "webrtc.turn_transport", "\"udp\", \"tcp\" or \"tls\"");
            out.turnTransport = t->get();
        }
        if (const auto* user = string(w, "webrtc", "turn_username", "a string"))
            out.turnUsername = user->get();
        if (const auto* password = string(w, "webrtc", "turn_password", "a string"))
            out.turnPassword = password->get();
        boolean(w, "webrtc", "relay_only", out.relayOnly);
        if (out.relayOnly && out.turnServer.empty())
            failAt(w.get("relay_only")->source(), "webrtc.relay_only: needs webrtc.turn_server");
        // RFC 8841 §6: at least what a browser takes; usrsctp's buffer bounds it above.
        integer(w, "webrtc", "max_message_size", 16384, 1 << 20, out.maxMessageSize);
        integer(w, "webrtc", "evidence_max_bytes", 1024, std::uint64_t{1} << 30,
                out.evidenceMaxBytes);
        integer(w, "webrtc", "evidence_held_bytes", 1024, std::uint64_t{1} << 50,
                out.evidenceHeldBytes);
        if (out.evidenceHeldBytes < out.evidenceMaxBytes)
            failAt(w.source(), "webrtc.evidence_held_bytes: expected at least "
                               "webrtc.evidence_max_bytes (one upload)");
        integer(w, "webrtc", "grant_seconds", 30, 86400, out.grantSeconds);
    }

    void readVideo(const toml::table& v, VideoConfig& out) const {
        static constexpr std::string_view kKeys[] = {
            "enabled",      "preset",         "codec",         "encoder",
            "vaapi_device", "mdns_interface", "ndi_extra_ips", "ndi_discovery_servers",
            "sources"};
        onlyKeys(v, "video", kKeys);
        boolean(v, "video", "enabled", out.enabled);
        constexpr std::string_view kPreset = "\"1080p\", \"720p\" or \"480p\"";
        if (const auto* preset = string(v, "video", "preset", kPreset)) {
            if (preset->get() != "1080p" && preset->get() != "720p" && preset->get() != "480p")
                expected(*preset, "video.preset", kPreset);
            out.preset = preset->get();
        }
        constexpr std::string_view kCodec = "\"h264\" or \"h265\"";
        if (const auto* codec = string(v, "video", "codec", kCodec)) {
            if (codec->get() != "h264" && codec->get() != "h265")
                expected(*codec, "video.codec", kCodec);
            out.codec = codec->get();
        }
        if (const auto* encoder = string(v, "video", "encoder", "a libavcodec encoder's name"))
            out.encoder = encoder->get();
        if (const auto* device = string(v, "video", "vaapi_device", "a DRM render node's path"))
            out.vaapiDevice = device->get();
        constexpr std::string_view kInterface = "an IPv4 address, or \"\"";
        if (const auto* address = string(v, "video", "mdns_interface", kInterface)) {
            std::error_code error;
            if (!address->get().empty()) (void)asio::ip::make_address_v4(address->get(), error);
            if (error) expected(*address, "video.mdns_interface", kInterface);
            out.mdnsInterface = address->get();
        }
        // NDI's own configuration takes addresses, and a discovery server's port after a colon.
        const auto addresses = [&](std::string_view key, bool withPort,
                                   std::vector<std::string>& into) {
            const auto* node = v.get(key);
            if (!node) return;
            const auto what = withPort ? "an array of \"ADDRESS\" or \"ADDRESS:PORT\" (IPv4)"
                                       : "an array of IP addresses";
            const auto* list = node->as_array();
            if (!list) expected(*node, join("video", key), what);
            for (const auto& item : *list) {
                const auto* text = item.as_string();
                std::string_view address = text ? std::string_view(text->get()) : "";
                const auto colon = address.find(':');
                std::uint16_t port = 0;
                if (withPort && colon != std::string_view::npos) {
                    const auto digits = address.substr(colon + 1);
                    const auto [end, error] =
                        std::from_chars(digits.data(), digits.data() + digits.size(), port);
                    if (error != std::errc{} || end != digits.data() + digits.size() || port == 0)
                        expected(item, join("video", key), what);
                    address = address.substr(0, colon);
                }
                std::error_code error;
                if (withPort)
                    (void)asio::ip::make_address_v4(address, error);
                else
                    (void)asio::ip::make_address(address, error);
                if (!text || error) expected(item, join("video", key), what);
                into.push_back(text->get());
            }
        };
        addresses("ndi_extra_ips", false, out.ndiExtraIps);
        addresses("ndi_discovery_servers", true, out.ndiDiscoveryServers);
        const auto* node = v.get("sources");
        if (!node) return;
        const auto* list = node->as_array();
        if (!list) expected(*node, "video.sources", "an array of [[video.sources]] tables");
        for (std::size_t i = 0; i < list->size(); ++i) {
            const auto path = fmt::format("video.sources[{}]", i);
            const auto* entry = (*list)[i].as_table();
            if (!entry) expected((*list)[i], path, "a table with a name and a url");
            static constexpr std::string_view kSourceKeys[] = {"name", "url"};
            onlyKeys(*entry, path, kSourceKeys);
            VideoSourceConfig source;
            constexpr std::string_view kName = "a source name (letters, digits, '-', '_', '.')";
            const auto* name = string(*entry, path, "name", kName);
            if (!name || !isRoomName(name->get()) || name->get() == "pattern")
                failAt(entry->source(),
                       fmt::format("{}.name: expected {}, not \"pattern\"", path, kName));
            const auto* url = string(*entry, path, "url", "an FFmpeg input (a file or a URL)");
            if (!url || url->get().empty())
                failAt(entry->source(), fmt::format("{}.url: expected an FFmpeg input", path));
            source.name = name->get();
            source.url = url->get();
            for (const auto& known : out.sources)
                if (known.name == source.name)
                    expected(*name, join(path, "name"), "a name no other source has");
            out.sources.push_back(std::move(source));
        }
    }

    void readH323(const toml::table& h, H323Config& out) const {
        static constexpr std::string_view kKeys[] = {
            "enabled", "address", "port", "alias", "conference", "echo", "gatekeeper", "ras_port"};
        onlyKeys(h, "h323", kKeys);
        boolean(h, "h323", "enabled", out.enabled);
        if (const auto* address = string(h, "h323", "address", "an IPv4 address")) {
            std::error_code error;
            (void)asio::ip::make_address_v4(address->get(), error);
            if (error) expected(*address, "h323.address", "an IPv4 address");
            out.address = address->get();
        }
        integer(h, "h323", "port", 0, 65535, out.port);
        constexpr std::string_view kAlias = "an h323-ID of 1 to 256 characters";
        if (const auto* alias = string(h, "h323", "alias", kAlias)) {
            if (alias->get().empty() || alias->get().size() > 256)
                expected(*alias, "h323.alias", kAlias);
            out.alias = alias->get();
        }
        constexpr std::string_view kGatekeeper = "an IPv4 address, with a port if not 1719";
        if (const auto* gatekeeper = string(h, "h323", "gatekeeper", kGatekeeper)) {
            if (!gatekeeper->get().empty() && !h323::parseRasAddress(gatekeeper->get()))
                expected(*gatekeeper, "h323.gatekeeper", kGatekeeper);
            out.gatekeeper = gatekeeper->get();
        }
        integer(h, "h323", "ras_port", 0, 65535, out.rasPort);
        bool echo = false;
        boolean(h, "h323", "echo", echo);
        constexpr std::string_view kRoom = "a room name (letters, digits, '-', '_', '.')";
        const auto* room = string(h, "h323", "conference", kRoom);
        if (echo && room)
            failAt(h.source(), "h323: expected a conference or echo = true, not both");
        if (room) {
            if (!isRoomName(room->get())) expected(*room, "h323.conference", kRoom);
            out.conference = room->get();
        } else if (const auto* node = h.get("echo"); node && !echo) {
            failAt(node->source(), "h323.echo: false needs a conference for arriving calls");
        }
    }

    void readEscalations(const toml::table& e, Config& config) const {
        static constexpr std::string_view kKeys[] = {"storage",     "policy",      "experts",
                                                     "signing_key", "from",        "ring_seconds",
                                                     "kept_ended",  "witness_log", "instance"};
        onlyKeys(e, "escalations", kKeys);
        EscalationsConfig& out = config.escalations;
        constexpr std::string_view kStorage = "sqlite:<file> or a postgresql:// URL";
        if (const auto* storage = string(e, "escalations", "storage", kStorage)) {
            const auto& url = storage->get();
            if (!url.starts_with("sqlite:") && !url.starts_with("postgresql://") &&
                !url.starts_with("postgres://"))
                expected(*storage, "escalations.storage", kStorage);
            out.storage = url;
        }
        for (auto [key, field] : {std::pair{"policy", &out.policy},
                                  {"experts", &out.experts},
                                  {"signing_key", &out.signingKey}}) {
            if (const auto* path = string(e, "escalations", key, "a file path"))
                *field = path->get();
        }
        if (const auto* from = string(e, "escalations", "from", "a SIP name-addr or URI"))
            out.from = from->get();
        integer(e, "escalations", "ring_seconds", 1, 3600, out.ringSeconds);
        integer(e, "escalations", "kept_ended", 1, 1000000, out.keptEnded);
        constexpr std::string_view kName = "letters, digits, '_' and '-' (and \"{hostname}\")";
        for (auto [key, field] :
             {std::pair{"witness_log", &out.witnessLog}, {"instance", &out.instance}}) {
            const auto* value = string(e, "escalations", key, kName);
            if (!value) continue;
            std::string name = value->get();
            if (const auto at = name.find("{hostname}"); at != std::string::npos)
                name.replace(at, 10, "h");
            if (name.size() > 48 || !std::all_of(name.begin(), name.end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
                }))
                expected(*value, fmt::format("escalations.{}", key), kName);
            *field = value->get();
        }
        if (const auto* node = e.get("instance");
            node && !out.instance.empty() && out.storage.starts_with("sqlite:"))
            failAt(node->source(), "escalations.instance: the instances of a cluster share a "
                                   "postgresql:// storage");
    }

    void readTls(const toml::table& root, Config& config) const {
        const auto* tls = table(root, "", "tls");
        TlsConfig& out = config.tls;
        const toml::value<std::string>* certificate = nullptr;
        const toml::value<std::string>* privateKey = nullptr;
        constexpr std::string_view kPath = "a non-empty file path string";
        if (tls) {
            static constexpr std::string_view kKeys[] = {"certificate", "private_key",
                                                         "self_signed"};
            onlyKeys(*tls, "tls", kKeys);
            certificate = string(*tls, "tls", "certificate", kPath);
            if (certificate && certificate->get().empty())
                expected(*certificate, "tls.certificate", kPath);
            privateKey = string(*tls, "tls", "private_key", kPath);
            if (privateKey && privateKey->get().empty())
                expected(*privateKey, "tls.private_key", kPath);
            boolean(*tls, "tls", "self_signed", out.selfSigned);
        }
        // With self_signed the pair has a home under data_dir even when not named; without it
        // only files the operator named are used.
        out.certificate = certificate ? certificate->get() : out.selfSigned ? "tls/cert.pem" : "";
        out.privateKey = privateKey ? privateKey->get() : out.selfSigned ? "tls/key.pem" : "";

        const auto tlsListener =
            std::ranges::find(config.sip.listen, sip::Transport::tls, &ListenConfig::transport);
        if (tlsListener != config.sip.listen.end()) {
            const auto index = std::distance(config.sip.listen.begin(), tlsListener);
            const auto at = tls ? tls->source() : toml::source_region{};
            if (out.certificate.empty())
                failAt(at, fmt::format("tls.certificate: missing; the TLS listener "
                                       "sip.listen[{}] needs a certificate file when "
                                       "tls.self_signed is false",
                                       index));
            if (out.privateKey.empty())
                failAt(at, fmt::format("tls.private_key: missing; the TLS listener "
                                       "sip.listen[{}] needs a private key file when "
                                       "tls.self_signed is false",
                                       index));
        }
        out.certificate = resolve(config.dataDir, out.certificate);
        out.privateKey = resolve(config.dataDir, out.privateKey);
    }

    // A relative path names a file under data_dir; an absolute one is kept.
    static std::string resolve(const std::string& dataDir, const std::string& file) {
        if (file.empty()) return file;
        const std::filesystem::path path(file);
        if (path.is_absolute()) return file;
        return (std::filesystem::path(dataDir) / path).lexically_normal().string();
    }
};

} // namespace

const std::vector<std::string_view>& logModuleNames() {
    // The folders of src/ (ARCHITECTURE.md "Layout"); each module logs under its folder name.
    static const std::vector<std::string_view> names = {
        "core",   "net",   "sip",   "sdp",      "rtp",     "media", "h323",
        "webrtc", "video", "guard", "registry", "witness", "api",   "app"};
    return names;
}

Result<Config> parseConfig(std::string_view tomlText, std::string_view sourceName) {
    return toml_reader::parse<Config>(tomlText, sourceName, [&](const toml::table& root) {
        return Reader(sourceName).read(root);
    });
}

Result<Config> loadConfig(const std::filesystem::path& file) {
    auto text = readNamedFile(file, "configuration file");
    if (!text) return fail(text.error());
    return parseConfig(*text, file.string());
}

std::string_view defaultConfigText() noexcept {
    return generated::kDefaultConfigToml;
}

Config defaultConfig() {
    auto config = parseConfig(defaultConfigText(), "deploy/switchboard.toml (built in)");
    if (!config) throw std::logic_error(config.error().message);
    return std::move(config).value();
}

} // namespace sb::app
