#pragma once
// Switchboard's configuration: the typed model, and a strict TOML reader for it.
//
// The canonical example and the built-in default are one file, deploy/switchboard.toml, which
// is embedded into the library at build time and documents every key. Reading is strict: an
// unknown key, a wrong type or an out-of-range value is an error, never silently ignored, and
// the error is one sentence naming the file, line, column, full dotted key and what was
// expected (e.g. `switchboard.toml:5:21: sip.max_message_bytes: expected an integer from 1024
// to 16777216, got "big"`).

#include "core/result.hpp"
#include "net/dns_resolver.hpp"
#include "session/echo_room.hpp"
#include "sip/b2bua.hpp"
#include "sip/transport_kind.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::app {

struct ListenConfig {
    sip::Transport transport = sip::Transport::udp;
    std::string address;     // an IPv4 or IPv6 literal, validated ("127.0.0.1", "::1")
    std::uint16_t port = 0;  // 0: the system picks a free port
    std::string advertise{}; // the host in our Via and Contact; empty: the address

    bool operator==(const ListenConfig&) const = default;
};

struct LogConfig {
    std::string level = "info";                 // an spdlog level name, validated
    std::map<std::string, std::string> modules; // per-module level overrides: {"sip", "debug"}

    bool operator==(const LogConfig&) const = default;
};

struct SipConfig {
    std::vector<ListenConfig> listen;
    std::size_t maxMessageBytes = 65536; // RFC 3261 allows large messages over streams; we cap them
    std::size_t maxHeaders = 128;        // header field lines per message
    std::size_t maxLineBytes = 8192;     // one header line (after unfolding)
    std::uint32_t messageTimeoutMs = 10000; // a TCP/TLS peer must finish a message within this
    std::uint32_t idleTimeoutS = 300;
    std::uint32_t maxConnections = 1024;
    std::string userAgent = "Switchboard"; // Server/User-Agent header value
    // RFC 3261 §17 timer bases, in milliseconds.
    std::uint32_t t1Ms = 500;
    std::uint32_t t2Ms = 4000;
    std::uint32_t t4Ms = 5000;

    bool operator==(const SipConfig&) const = default;
};

// One [[routes]] entry; the patterns and URIs are validated by the reader.
struct RouteConfig {
    std::string user, domain; // RE2 patterns (sip/routing.hpp); empty matches any
    std::string target;       // a sip: or sips: URI or an h323: URL, "${user}" allowed; or …
    std::string conference;   // … a conference room's name, or kEchoRoom
    std::string outboundProxy;
    std::optional<sip::Transport> transport;
    std::string srtp; // "off", "optional", "required"; empty: [media] srtp

    bool operator==(const RouteConfig&) const = default;
};

struct TlsConfig {
    // Paths as resolved by the reader: a relative path in the file is taken relative to
    // data_dir ("tls/cert.pem" with data_dir "var" becomes "var/tls/cert.pem").
    std::string certificate;
    std::string privateKey;
    bool selfSigned = true; // generate a pair at start-up if the files are missing

    bool operator==(const TlsConfig&) const = default;
};

// Media anchoring ([media]).
struct MediaConfig {
    bool anchor = true; // false: session descriptions pass through untouched
    std::string address = "127.0.0.1";
    std::string advertise; // empty: address
    std::uint16_t portMin = 20000, portMax = 29999;
    bool latching = true;
    std::vector<std::string> codecs{"opus", "G722", "PCMU", "PCMA", "G729", "GSM"};
    std::uint32_t packetMs = 20;
    std::string srtp = "off";             // towards the called leg: off, optional, required
    std::uint32_t conferenceRate = 48000; // the rooms' mixers: 16000 or 48000
    // Media workers (threads running the rooms' RTP, jitter buffers, transcoders and mixers):
    // -1, one per core beyond the control loop; 0, none (the rooms' media on the control loop).
    std::int32_t workers = -1;

    bool operator==(const MediaConfig&) const = default;
};

// The agent API ([api]) and with it the escalation service: off unless a configuration turns
// it on (the built-in default does), so that a gateway that only routes calls needs no storage.
struct ApiConfig {
    bool enabled = false;
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080; // 0: the system picks
    bool tls = false;          // HTTPS and WSS with [tls]'s certificate
    std::uint32_t maxBodyBytes = 1 << 20;
    struct Token {
        std::string agent, sha256; // the token's SHA-256, 64 hex digits: tokens are not stored
        bool admin = false;        // may change the registry (/v1/experts, /v1/chains)
        bool operator==(const Token&) const = default;
    };
    std::vector<Token> tokens;

    bool operator==(const ApiConfig&) const = default;
};

// The escalation service ([escalations]).
struct EscalationsConfig {
    // The witness log and the registry: "sqlite:<file>" (relative: under data_dir) or a
    // postgresql:// URL.
    std::string storage = "sqlite:switchboard.db";
    std::string policy;  // the guard's policy file (reloaded on SIGHUP); empty: the built-in one
    std::string experts; // a JSON array of experts added when the registry is empty; empty: the
                         // built-in demo (deploy/experts.json)
    std::string signingKey = "witness/signing-key.pem"; // under data_dir when relative
    std::string from = "<sip:switchboard@127.0.0.1>";   // the From of calls to experts
    std::uint32_t ringSeconds = 30;                     // a stage without its own ring time
    std::uint32_t keptEnded = 10000; // ended escalations kept for GET, the oldest dropped first
    // On PostgreSQL, the name of this instance's witness log (its own schema, witness_NAME, in
    // the shared database); "{hostname}" stands for the machine's (a pod's) name. Empty: the
    // database's own schema, one log.
    std::string witnessLog;
    // This instance's name in a cluster ("{hostname}" as above; needs PostgreSQL storage): the
    // guard's rate limits and caps are then the cluster's (shared in the database), and the
    // witness log, unless named, is the instance's. Empty: one instance alone.
    std::string instance;

    bool operator==(const EscalationsConfig&) const = default;
};

// The WebRTC bridge ([webrtc]): peers that join escalations' rooms (ARCHITECTURE.md "The WebRTC
// bridge"), and the evidence files they carry.
struct WebRtcConfig {
    bool enabled = true;
    std::string stunServer; // an IP address, for server-reflexive candidates; empty: none
    std::uint16_t stunPort = 3478;
    // A TURN server (RFC 8656) for relayed candidates; empty: none.
    std::string turnServer; // an IP address
    std::uint16_t turnPort = 3478;
    std::string turnTransport = "udp"; // udp, tcp or tls
    std::string turnUsername, turnPassword;
    bool relayOnly = false; // relayed candidates only: our addresses are never given out
    std::uint32_t maxMessageSize = 262144;     // ours, in a=max-message-size (RFC 8841)
    std::uint64_t evidenceMaxBytes = 64 << 20; // the largest evidence upload
    std::uint64_t evidenceHeldBytes = std::uint64_t{1} << 30; // all escalations' together
    std::uint32_t grantSeconds = 900;                         // how long an expert's grant lasts

    bool operator==(const WebRtcConfig&) const = default;
};

// The video bridge ([video]): sources an agent may bring into an escalation's call, each as a
// leg of its room, encoded once (docs/features/video.md). "pattern", the test pattern, is
// always there.
struct VideoSourceConfig {
    std::string name; // what an agent names it by
    std::string url;  // an FFmpeg input: a file, rtsp://, srt://, udp://

    bool operator==(const VideoSourceConfig&) const = default;
};
struct VideoConfig {
    bool enabled = true;
    std::string preset = "720p"; // 1080p, 720p or 480p
    std::string codec = "h264";  // preferred where the call takes both: h264 or h265
    std::string encoder;         // a libavcodec encoder by name; empty: libx264 or libx265
    std::string vaapiDevice;     // a VAAPI encoder's render node; empty: /dev/dri/renderD128
    std::string mdnsInterface;   // IPv4 address the mDNS queries leave by; empty: the system's
    // For the NDI runtime (NDI's networks.ips and networks.discovery): machines to find NDI
    // sources on beyond mDNS's reach, and NDI Discovery Servers ("ADDRESS" or "ADDRESS:PORT").
    std::vector<std::string> ndiExtraIps, ndiDiscoveryServers;
    std::vector<VideoSourceConfig> sources;

    bool operator==(const VideoConfig&) const = default;
};

// The H.323 endpoint ([h323]): calls that arrive on H.225.0 call signalling join a room, by
// Fast Connect or H.245, with the room's audio.
struct H323Config {
    bool enabled = false;
    std::string address = "127.0.0.1"; // an IPv4 literal: H.225.0's addresses are IPv4 here
    std::uint16_t port = 1720;         // H.225.0 §7.1; 0: the system picks
    std::string alias = "switchboard"; // our h323-ID in the calls we answer and place
    std::string conference{session::kEchoRoom}; // the room arriving calls join, or kEchoRoom
    // The gatekeeper that admits our calls and locates aliases (H.323 §7.2): an external one's
    // RAS address, "IPv4[:port]" (1719 by default), with which we register; empty: our own,
    // on rasPort, with which we register too, and the endpoints that have none.
    std::string gatekeeper = {};
    std::uint16_t rasPort = 1719; // our own gatekeeper's (H.225.0 §7.7); 0: the system picks

    bool operator==(const H323Config&) const = default;
};

struct Config {
    std::string dataDir = "var";
    LogConfig log;
    SipConfig sip;
    TlsConfig tls;
    sip::CallLimits calls; // [calls]: the modules' own option structs, where they have one
    std::vector<RouteConfig> routes;
    sip::AuthOptions auth;
    net::DnsOptions dns; // where RFC 3263 lookups go (c-ares)
    MediaConfig media;
    ApiConfig api;
    EscalationsConfig escalations;
    WebRtcConfig webrtc;
    H323Config h323;
    VideoConfig video;

    bool operator==(const Config&) const = default;
};

// Parses a whole configuration. `sourceName` is used only in error messages (normally the
// file name). Keys left out take the defaults of the structs above, except sip.listen, which
// must have at least one entry. On bad input returns Errc::config with one message
// "<sourceName>:<line>:<column>: <key>: expected …, got …" (the position is left out when the
// problem has none, e.g. a missing table). Never throws.
Result<Config> parseConfig(std::string_view tomlText, std::string_view sourceName);

// Reads and parses a file; the error names the file as given. Errc::config if the file cannot
// be read or is larger than 1 MiB. Never throws.
Result<Config> loadConfig(const std::filesystem::path& file);

// The built-in default: deploy/switchboard.toml as embedded at build time. Throws
// std::logic_error only if that file does not parse (a build defect the unit tests catch).
Config defaultConfig();

// The text of deploy/switchboard.toml as embedded at build time.
std::string_view defaultConfigText() noexcept;

// The module names that [log.modules] accepts (the folders of src/).
const std::vector<std::string_view>& logModuleNames();

} // namespace sb::app
