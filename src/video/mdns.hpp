#pragma once
// DNS-SD over multicast DNS (RFC 6762, RFC 6763), as far as finding NDI sources needs it: the
// query for a service type's instances (PTR), and the answers' PTR, SRV, TXT and A records,
// read from the untrusted datagrams of whoever answers (RFC 1035 §4.1 messages, with §4.1.4
// name compression). NDI names its sources "HOST (Source)" and announces them as instances
// of _ndi._tcp.local.

#include "core/result.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sb::video::mdns {

inline constexpr std::uint16_t kPort = 5353;
inline constexpr const char* kGroup = "224.0.0.251";
inline constexpr const char* kNdiService = "_ndi._tcp.local";

// A query for the instances of `service` (a PTR question, RFC 6763 §4.1), with transaction id
// `id` (RFC 6762 §18.1: 0 for a multicast query; a one-shot querier may set its own).
std::vector<std::uint8_t> browseQuery(const std::string& service, std::uint16_t id = 0);

// What a response says about instances: for each, its name (the instance label alone:
// "HOST (Source)"), its SRV's host and port, and the host's IPv4 address, where the response
// had them (SRV and A often come as additional records, RFC 6763 §12).
struct Instance {
    std::string name;
    std::string host;
    std::uint16_t port = 0;
    std::string address; // dotted IPv4, or empty
    bool operator==(const Instance&) const = default;
};

// The instances of `service` that a response message names. Errc::invalid_input (naming the
// record or the part) for a message that is not a well-formed DNS response.
Result<std::vector<Instance>> readResponse(std::span<const std::uint8_t> message,
                                           const std::string& service);

} // namespace sb::video::mdns
