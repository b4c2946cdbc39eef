#pragma once
// The DNS questions RFC 3263 asks (NAPTR, SRV, and a host's addresses), as an interface so that
// the SIP locator can be tested against records held in memory. The production implementation
// is AresResolver (dns_resolver.hpp).

#include "core/result.hpp"

#include <asio/ip/address.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sb::net {

// RFC 3403 §4.1.
struct NaptrRecord {
    std::uint16_t order = 0, preference = 0;
    std::string flags, service, regexp, replacement;
};

// RFC 2782.
struct SrvRecord {
    std::uint16_t priority = 0, weight = 0, port = 0;
    std::string target;
};

struct AddressRecords {
    std::vector<asio::ip::address> addresses; // IPv6 and IPv4, in the resolver's order
    std::chrono::seconds ttl{0};              // the least of the records' TTLs
};

// Every callback runs later on the owner's thread, never inside the call that asked. Errors:
// Errc::not_found when the name has no such records (NXDOMAIN or NODATA), Errc::timeout when
// no server answered, Errc::io for any other failure; the message names the query.
class DnsClient {
public:
    template <typename T>
    using Done = std::function<void(Result<T>)>;

    virtual ~DnsClient() = default;
    virtual void naptr(const std::string& name, Done<std::vector<NaptrRecord>> done) = 0;
    virtual void srv(const std::string& name, Done<std::vector<SrvRecord>> done) = 0;
    // A and AAAA (and the hosts file).
    virtual void addresses(const std::string& name, Done<AddressRecords> done) = 0;
};

} // namespace sb::net
