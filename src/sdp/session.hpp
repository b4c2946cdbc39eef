#pragma once
// The SDP model (RFC 8866): one session description as its fields, owned (the media layer
// rewrites addresses and ports before it sends a description on). What Switchboard does not
// interpret — unknown attributes, i=, u=, e=, p=, r=, z=, k= — is kept in order and written
// back as it came (RFC 3264 §6: an answerer must not drop what it does not understand).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::sdp {

// a=<name>[:<value>] (§5.13). A property attribute ("a=rtcp-mux") has no value.
struct Attribute {
    std::string name;
    std::optional<std::string> value;

    bool operator==(const Attribute&) const = default;
};

// o= (§5.2).
struct Origin {
    std::string username = "-", sessionId = "0", sessionVersion = "0";
    std::string netType = "IN", addrType = "IP4", address = "127.0.0.1";

    bool operator==(const Origin&) const = default;
};

// c= (§5.7). The address keeps any multicast "/ttl/count" suffix as written.
struct Connection {
    std::string netType = "IN", addrType = "IP4", address;

    bool operator==(const Connection&) const = default;
};

// b=<type>:<kbps or bps> (§5.8).
struct Bandwidth {
    std::string type;
    std::uint64_t value = 0;

    bool operator==(const Bandwidth&) const = default;
};

// t= with its r= lines (§5.9, §5.10).
struct Timing {
    std::uint64_t start = 0, stop = 0;
    std::vector<std::string> repeats;

    bool operator==(const Timing&) const = default;
};

// RFC 8866 §6.7: the direction attributes; sendrecv when none is given.
enum class Direction { sendrecv, sendonly, recvonly, inactive };
std::string_view directionName(Direction d) noexcept;

// a=rtpmap:<payload type> <encoding name>/<clock rate>[/<channels>] (§6.6).
struct RtpMap {
    int payloadType = 0;
    std::string encoding;
    std::uint32_t clockRate = 0;
    std::uint32_t channels = 1;

    bool operator==(const RtpMap&) const = default;
};

// a=crypto:<tag> <crypto-suite> <key-params> [<session-params>] (RFC 4568 §9.1).
struct Crypto {
    std::uint32_t tag = 0;
    std::string suite, keyParams, sessionParams;

    bool operator==(const Crypto&) const = default;
};

// Attribute helpers shared by the session and media levels.
struct Attributes {
    std::vector<Attribute> list;

    // The first value of `name` ("" for a property attribute); nullopt if absent.
    std::optional<std::string_view> get(std::string_view name) const;
    bool has(std::string_view name) const { return get(name).has_value(); }
    // Every value of `name`, in order.
    std::vector<std::string_view> all(std::string_view name) const;
    void remove(std::string_view name);
    void add(std::string name, std::optional<std::string> value = std::nullopt);
    // The direction attribute, if one is present.
    std::optional<Direction> direction() const;
    void setDirection(Direction d); // replaces any direction attribute

    bool operator==(const Attributes&) const = default;
};

// m= and what follows it (§5.14).
struct Media {
    std::string type;            // audio, video, text, application, message
    std::uint16_t port = 0;      // 0: the stream is rejected or disabled (RFC 3264 §6)
    std::uint16_t portCount = 0; // "/<n>"; 0 when not given
    std::string proto;           // RTP/AVP, RTP/SAVP, RTP/AVPF, UDP/TLS/RTP/SAVPF, …
    std::vector<std::string> formats;
    std::optional<std::string> information; // i=
    std::vector<Connection> connections;
    std::vector<Bandwidth> bandwidths;
    std::optional<std::string> key; // k= (obsolete; kept)
    Attributes attributes;

    bool isRtp() const noexcept { return proto.find("RTP/") != std::string::npos; }
    // a=rtpmap for this payload type, or the static RFC 3551 mapping (0 PCMU, 8 PCMA, 9 G722,
    // 18 G729, 3 GSM, …) when there is none; nullopt for a dynamic type without rtpmap.
    std::optional<RtpMap> rtpmap(int payloadType) const;
    std::optional<std::string_view> fmtp(int payloadType) const;
    std::optional<std::uint32_t> ptime() const;
    std::optional<std::uint32_t> maxptime() const;
    bool rtcpMux() const { return attributes.has("rtcp-mux"); }
    // The a=crypto lines that parse (RFC 4568); others are ignored, as §6.1 asks.
    std::vector<Crypto> cryptos() const;

    bool operator==(const Media&) const = default;
};

struct Session {
    int version = 0;
    Origin origin;
    std::string name = "-"; // s=
    std::optional<std::string> information, uri;
    std::vector<std::string> emails, phones;
    std::optional<Connection> connection;
    std::vector<Bandwidth> bandwidths;
    std::vector<Timing> timings{Timing{}};
    std::optional<std::string> zones, key;
    Attributes attributes;
    std::vector<Media> media;

    // A stream's direction: its own attribute, else the session's, else sendrecv (§6.7).
    Direction direction(const Media& m) const;
    // A stream's connection: its own c=, else the session's; nullptr if neither (invalid).
    const Connection* connectionOf(const Media& m) const;

    bool operator==(const Session&) const = default;
};

} // namespace sb::sdp
