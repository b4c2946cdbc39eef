#include "net/dns_resolver.hpp"

#include <ares.h>
#include <arpa/nameser.h>
#include <asio/post.hpp>
#include <fmt/format.h>
#include <mutex>
#include <netinet/in.h>
#include <type_traits>

namespace sb::net {

struct AresResolver::Channel {
    ares_channel channel = nullptr;
    ~Channel() {
        if (channel) ares_destroy(channel);
    }
};

namespace {

Error aresError(int status, std::string_view what, std::string_view name) {
    const Errc code = status == ARES_ENOTFOUND || status == ARES_ENODATA ? Errc::not_found
                      : status == ARES_ETIMEOUT                          ? Errc::timeout
                                                                         : Errc::io;
    return {code, fmt::format("DNS {} {}: {}", what, name, ares_strerror(status))};
}

// One query in flight: what to call back, and on whose behalf.
template <typename T>
struct Pending {
    AresResolver* owner;
    std::string name;
    DnsClient::Done<T> done;
    void (AresResolver::*deliver)(DnsClient::Done<T>, Result<T>);
};

template <typename T>
void finish(Pending<T>* pending, std::type_identity_t<Result<T>> result) {
    std::unique_ptr<Pending<T>> owned(pending);
    (owned->owner->*owned->deliver)(std::move(owned->done), std::move(result));
}

void onNaptr(void* arg, int status, int, unsigned char* answer, int length) {
    auto* pending = static_cast<Pending<std::vector<NaptrRecord>>*>(arg);
    if (status == ARES_EDESTRUCTION) return delete pending;
    ares_naptr_reply* reply = nullptr;
    if (status == ARES_SUCCESS) status = ares_parse_naptr_reply(answer, length, &reply);
    if (status != ARES_SUCCESS)
        return finish(pending, fail(aresError(status, "NAPTR", pending->name)));
    std::vector<NaptrRecord> records;
    for (auto* r = reply; r; r = r->next)
        records.push_back({r->order, r->preference, reinterpret_cast<const char*>(r->flags),
                           reinterpret_cast<const char*>(r->service),
                           reinterpret_cast<const char*>(r->regexp), r->replacement});
    ares_free_data(reply);
    finish(pending, std::move(records));
}

void onSrv(void* arg, int status, int, unsigned char* answer, int length) {
    auto* pending = static_cast<Pending<std::vector<SrvRecord>>*>(arg);
    if (status == ARES_EDESTRUCTION) return delete pending;
    ares_srv_reply* reply = nullptr;
    if (status == ARES_SUCCESS) status = ares_parse_srv_reply(answer, length, &reply);
    if (status != ARES_SUCCESS)
        return finish(pending, fail(aresError(status, "SRV", pending->name)));
    std::vector<SrvRecord> records;
    for (auto* r = reply; r; r = r->next)
        records.push_back({r->priority, r->weight, r->port, r->host});
    ares_free_data(reply);
    finish(pending, std::move(records));
}

void onAddresses(void* arg, int status, int, ares_addrinfo* info) {
    auto* pending = static_cast<Pending<AddressRecords>*>(arg);
    if (status == ARES_EDESTRUCTION) return delete pending;
    if (status != ARES_SUCCESS)
        return finish(pending, fail(aresError(status, "A/AAAA", pending->name)));
    AddressRecords records;
    int ttl = INT32_MAX;
    for (auto* node = info->nodes; node; node = node->ai_next) {
        if (node->ai_family == AF_INET) {
            const auto* in = reinterpret_cast<const sockaddr_in*>(node->ai_addr);
            records.addresses.emplace_back(asio::ip::address_v4(ntohl(in->sin_addr.s_addr)));
        } else if (node->ai_family == AF_INET6) {
            const auto* in6 = reinterpret_cast<const sockaddr_in6*>(node->ai_addr);
            asio::ip::address_v6::bytes_type bytes;
            std::copy_n(in6->sin6_addr.s6_addr, bytes.size(), bytes.begin());
            records.addresses.emplace_back(asio::ip::address_v6(bytes, in6->sin6_scope_id));
        } else {
            continue;
        }
        ttl = std::min(ttl, std::max(node->ai_ttl, 0));
    }
    ares_freeaddrinfo(info);
    if (records.addresses.empty())
        return finish(pending, fail(aresError(ARES_ENODATA, "A/AAAA", pending->name)));
    records.ttl = std::chrono::seconds(ttl);
    finish(pending, std::move(records));
}

} // namespace

AresResolver::AresResolver(asio::io_context& context)
    : context_(context), channel_(std::make_unique<Channel>()), timer_(context) {}

Result<std::unique_ptr<AresResolver>> AresResolver::make(asio::io_context& context,
                                                         const DnsOptions& options) {
    static std::once_flag once;
    static int initialised = ARES_ENOTINITIALIZED;
    std::call_once(once, [] { initialised = ares_library_init(ARES_LIB_INIT_ALL); });
    if (initialised != ARES_SUCCESS)
        return fail(Errc::io, fmt::format("c-ares: {}", ares_strerror(initialised)));

    std::unique_ptr<AresResolver> resolver(new AresResolver(context));
    ares_options aresOptions{};
    aresOptions.sock_state_cb = [](void* data, ares_socket_t fd, int readable, int writable) {
        static_cast<AresResolver*>(data)->onSocketState(fd, readable != 0, writable != 0);
    };
    aresOptions.sock_state_cb_data = resolver.get();
    aresOptions.timeout = static_cast<int>(options.timeout.count());
    aresOptions.tries = options.tries;
    const int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
    if (int status = ares_init_options(&resolver->channel_->channel, &aresOptions, mask);
        status != ARES_SUCCESS)
        return fail(Errc::io, fmt::format("c-ares: {}", ares_strerror(status)));
    if (!options.servers.empty()) {
        std::string csv;
        for (const auto& server : options.servers)
            csv += (csv.empty() ? "" : ",") + server;
        if (int status = ares_set_servers_ports_csv(resolver->channel_->channel, csv.c_str());
            status != ARES_SUCCESS)
            return fail(Errc::config,
                        fmt::format("DNS servers '{}': {}", csv, ares_strerror(status)));
    }
    return resolver;
}

AresResolver::~AresResolver() {
    lifetime_.end(); // what c-ares reports while it closes is not ours to act on
    timer_.cancel();
    channel_.reset(); // c-ares reports its sockets closed and drops its queries
    for (auto& [fd, watched] : sockets_)
        (void)watched.descriptor->release(); // c-ares owns the descriptors
}

template <typename T>
void AresResolver::deliver(Done<T> done, Result<T> result) {
    asio::post(context_, [alive = lifetime_.watch(), done = std::move(done),
                          result = std::move(result)]() mutable {
        if (alive) done(std::move(result));
    });
}

void AresResolver::naptr(const std::string& name, Done<std::vector<NaptrRecord>> done) {
    auto* pending = new Pending<std::vector<NaptrRecord>>{
        this, name, std::move(done), &AresResolver::deliver<std::vector<NaptrRecord>>};
    ares_query(channel_->channel, name.c_str(), ns_c_in, ns_t_naptr, onNaptr, pending);
    armTimeout();
}

void AresResolver::srv(const std::string& name, Done<std::vector<SrvRecord>> done) {
    auto* pending = new Pending<std::vector<SrvRecord>>{
        this, name, std::move(done), &AresResolver::deliver<std::vector<SrvRecord>>};
    ares_query(channel_->channel, name.c_str(), ns_c_in, ns_t_srv, onSrv, pending);
    armTimeout();
}

void AresResolver::addresses(const std::string& name, Done<AddressRecords> done) {
    auto* pending = new Pending<AddressRecords>{this, name, std::move(done),
                                                &AresResolver::deliver<AddressRecords>};
    ares_addrinfo_hints hints{};
    hints.ai_family = AF_UNSPEC; // AAAA and A, sorted by RFC 6724's rules
    ares_getaddrinfo(channel_->channel, name.c_str(), nullptr, &hints, onAddresses, pending);
    armTimeout();
}

void AresResolver::onSocketState(int fd, bool readable, bool writable) {
    auto found = sockets_.find(fd);
    if (!readable && !writable) {
        // c-ares is about to close it: let go without closing, which also aborts our waits.
        if (found != sockets_.end()) {
            (void)found->second.descriptor->release();
            sockets_.erase(found);
        }
        return;
    }
    if (found == sockets_.end()) {
        Watched w;
        w.descriptor = std::make_unique<asio::posix::stream_descriptor>(context_, fd);
        found = sockets_.emplace(fd, std::move(w)).first;
    }
    found->second.readable = readable;
    found->second.writable = writable;
    watch(fd);
}

void AresResolver::watch(int fd) {
    auto found = sockets_.find(fd);
    if (found == sockets_.end()) return;
    Watched& w = found->second;
    // The descriptor's address tells a wait on this socket from one on an earlier socket that
    // had the same number.
    const auto* descriptor = w.descriptor.get();
    auto handler = [this, alive = lifetime_.watch(), fd, descriptor](bool read) {
        return [=, this](const std::error_code& ec) {
            if (!alive) return;
            auto again = sockets_.find(fd);
            if (again == sockets_.end() || again->second.descriptor.get() != descriptor) return;
            (read ? again->second.waitingRead : again->second.waitingWrite) = false;
            if (ec) return;
            process(read ? fd : ARES_SOCKET_BAD, read ? ARES_SOCKET_BAD : fd);
            watch(fd);
        };
    };
    if (w.readable && !w.waitingRead) {
        w.waitingRead = true;
        w.descriptor->async_wait(asio::posix::stream_descriptor::wait_read, handler(true));
    }
    if (w.writable && !w.waitingWrite) {
        w.waitingWrite = true;
        w.descriptor->async_wait(asio::posix::stream_descriptor::wait_write, handler(false));
    }
}

void AresResolver::process(int readFd, int writeFd) {
    ares_process_fd(channel_->channel, readFd, writeFd);
    armTimeout();
}

void AresResolver::armTimeout() {
    timeval buffer{};
    const timeval* next = ares_timeout(channel_->channel, nullptr, &buffer);
    if (!next) {
        timer_.cancel();
        return;
    }
    timer_.after(std::chrono::seconds(next->tv_sec) + std::chrono::microseconds(next->tv_usec),
                 [this] {
                     process(ARES_SOCKET_BAD, ARES_SOCKET_BAD); // the queries that timed out
                 });
}

} // namespace sb::net
