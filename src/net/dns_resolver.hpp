#pragma once
// DnsClient on c-ares, driven by the worker's io_context: c-ares tells us which sockets it
// wants watched (its socket-state callback), asio waits on them without blocking the worker,
// and one timer carries c-ares' retransmission timeouts. No thread and no blocking call, so a
// lookup costs the SIP worker nothing while it waits (ARCHITECTURE.md "Threads").

#include "core/lifetime.hpp"
#include "net/dns.hpp"
#include "net/timer.hpp"

#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sb::net {

struct DnsOptions {
    // "address" or "address:port" ("[v6]:port"); empty: the system's (/etc/resolv.conf).
    std::vector<std::string> servers;
    std::chrono::milliseconds timeout{2000}; // per try and server
    int tries = 2;

    bool operator==(const DnsOptions&) const = default;
};

class AresResolver final : public DnsClient {
public:
    // Errors: Errc::config for a server that does not parse, Errc::io when c-ares cannot start.
    static Result<std::unique_ptr<AresResolver>> make(asio::io_context& context,
                                                      const DnsOptions& options);
    ~AresResolver() override; // pending callbacks are dropped, not called
    AresResolver(const AresResolver&) = delete;
    AresResolver& operator=(const AresResolver&) = delete;

    void naptr(const std::string& name, Done<std::vector<NaptrRecord>> done) override;
    void srv(const std::string& name, Done<std::vector<SrvRecord>> done) override;
    void addresses(const std::string& name, Done<AddressRecords> done) override;

private:
    struct Channel; // c-ares' channel and the sockets it watches
    explicit AresResolver(asio::io_context& context);
    void onSocketState(int fd, bool readable, bool writable);
    void watch(int fd);
    void process(int readFd, int writeFd);
    void armTimeout();
    template <typename T>
    void deliver(Done<T> done, Result<T> result);

    asio::io_context& context_;
    std::unique_ptr<Channel> channel_;
    struct Watched {
        std::unique_ptr<asio::posix::stream_descriptor> descriptor;
        bool readable = false, writable = false, waitingRead = false, waitingWrite = false;
    };
    std::map<int, Watched> sockets_;
    Timer timer_;       // c-ares's next timeout
    Lifetime lifetime_; // for the answers and socket waits still queued when it goes
};

} // namespace sb::net
