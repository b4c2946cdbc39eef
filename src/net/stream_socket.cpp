#include "net/stream_socket.hpp"

#include "core/log.hpp"

#include <array>
#include <asio/connect.hpp>
#include <asio/write.hpp>
#include <atomic>
#include <exception>
#include <fmt/format.h>
#include <openssl/ssl.h>

namespace sb::net {

namespace {

std::atomic<std::uint64_t> nextConnectionId{1};

// How long a closing connection waits for the peer to end its side after ours is shut down.
// Closing with unread input makes the kernel send RST, which can destroy our last reply
// (e.g. a SIP 400) before the peer reads it.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kMaxBuffersPerWrite = 16;

std::string describe(const asio::ip::tcp::endpoint& ep) {
    const auto address = ep.address();
    return address.is_v6() ? fmt::format("[{}]:{}", address.to_string(), ep.port())
                           : fmt::format("{}:{}", address.to_string(), ep.port());
}

spdlog::logger& logger() {
    return log::get("net");
}

} // namespace

// ---------------------------------------------------------------------------------------------
// StreamConnection

StreamConnection::StreamConnection(PrivateTag, asio::ip::tcp::socket socket)
    : stream_(std::in_place_index<0>, std::move(socket)),
      linger_(std::get<0>(stream_).get_executor()),
      id_(nextConnectionId.fetch_add(1, std::memory_order_relaxed)) {}

StreamConnection::StreamConnection(PrivateTag, asio::ip::tcp::socket socket,
                                   asio::ssl::context& tls,
                                   std::shared_ptr<asio::ssl::context> keepAlive)
    : stream_(std::in_place_index<1>, std::move(socket), tls), tls_(std::move(keepAlive)),
      linger_(std::get<1>(stream_).get_executor()),
      id_(nextConnectionId.fetch_add(1, std::memory_order_relaxed)) {}

StreamConnection::~StreamConnection() {
    std::error_code ignored;
    socket().close(ignored);
}

std::shared_ptr<StreamConnection>
StreamConnection::accepted(asio::ip::tcp::socket socket, std::shared_ptr<asio::ssl::context> tls) {
    std::shared_ptr<StreamConnection> c;
    if (tls) {
        auto& context = *tls;
        c = std::make_shared<StreamConnection>(PrivateTag{}, std::move(socket), context,
                                               std::move(tls));
    } else {
        c = std::make_shared<StreamConnection>(PrivateTag{}, std::move(socket));
    }
    std::error_code ec;
    c->remote_ = c->socket().remote_endpoint(ec);
    c->local_ = c->socket().local_endpoint(ec);
    return c;
}

std::shared_ptr<StreamConnection>
StreamConnection::outbound(asio::io_context& context, std::shared_ptr<asio::ssl::context> tls,
                           std::string serverName) {
    auto c = accepted(asio::ip::tcp::socket(context), std::move(tls));
    c->serverName_ = std::move(serverName);
    return c;
}

asio::ip::tcp::socket& StreamConnection::socket() noexcept {
    if (auto* plain = std::get_if<0>(&stream_)) return *plain;
    return std::get<1>(stream_).next_layer();
}

// ARCHITECTURE.md "Errors": a throwing callback fails this one connection, never the worker.
template <class Fn>
void StreamConnection::guarded(const char* what, Fn&& fn) {
    try {
        fn();
    } catch (const std::exception& e) {
        SB_WARN_RATE_LIMITED(logger(), "connection {} to {}: {} handler threw: {}", id_,
                             describe(remote_), what, e.what());
        close();
    } catch (...) {
        SB_WARN_RATE_LIMITED(logger(), "connection {} to {}: {} handler threw", id_,
                             describe(remote_), what);
        close();
    }
}

void StreamConnection::start(Handlers handlers) {
    if (state_ != State::idle) return;
    handlers_ = std::move(handlers);
    if (isTls()) {
        handshake(true);
    } else {
        becomeReady();
    }
}

void StreamConnection::connect(const asio::ip::tcp::endpoint& remote, Handlers handlers) {
    if (state_ != State::idle) return;
    handlers_ = std::move(handlers);
    state_ = State::connecting;
    remote_ = remote;
    socket().async_connect(remote, [self = shared_from_this()](const std::error_code& ec) {
        if (self->state_ == State::closed) return;
        if (ec) {
            self->finish(ec);
            return;
        }
        std::error_code ignored;
        self->local_ = self->socket().local_endpoint(ignored);
        if (self->isTls()) {
            self->handshake(false);
        } else {
            self->becomeReady();
        }
    });
}

void StreamConnection::handshake(bool server) {
    state_ = State::handshaking;
    auto& tls = std::get<1>(stream_);
    if (!server) {
        std::error_code parseError;
        (void)asio::ip::make_address(serverName_, parseError);
        const std::string name = serverName_.empty() ? remote_.address().to_string() : serverName_;
        if (!serverName_.empty() && parseError) {
            // RFC 6066 §3: SNI carries host names only, never IP literals.
            SSL_set_tlsext_host_name(tls.native_handle(), serverName_.c_str());
        }
        if (SSL_get_verify_mode(tls.native_handle()) & SSL_VERIFY_PEER) {
            tls.set_verify_callback(asio::ssl::host_name_verification(name));
        }
    }
    tls.async_handshake(server ? asio::ssl::stream_base::server : asio::ssl::stream_base::client,
                        [self = shared_from_this()](const std::error_code& ec) {
                            if (self->state_ == State::closed) return;
                            if (ec) {
                                self->finish(ec);
                            } else {
                                self->becomeReady();
                            }
                        });
}

void StreamConnection::becomeReady() {
    state_ = State::ready;
    if (handlers_.onReady) guarded("ready", [&] { handlers_.onReady(); });
    if (state_ != State::ready) return;
    flush();
    read();
}

void StreamConnection::read() {
    if (reading_ || state_ != State::ready) return;
    reading_ = true;
    auto handler = [self = shared_from_this()](const std::error_code& ec, std::size_t n) {
        self->reading_ = false;
        if (self->state_ == State::closed) return;
        if (ec) {
            // While draining, the peer ending its side is the normal end.
            self->finish(self->draining_ ? std::error_code{} : ec);
            return;
        }
        if (!self->draining_ && self->handlers_.onData) {
            self->guarded("data", [&] {
                self->handlers_.onData(std::span<const std::byte>(self->readBuffer_.data(), n));
            });
        }
        self->read();
    };
    std::visit([&](auto& s) { s.async_read_some(asio::buffer(readBuffer_), std::move(handler)); },
               stream_);
}

void StreamConnection::write(std::string bytes) {
    if (state_ == State::closed || lingering_ || bytes.empty()) return;
    queuedBytes_ += bytes.size();
    if (queuedBytes_ > maxQueuedBytes_) {
        SB_WARN_RATE_LIMITED(logger(), "connection {} to {}: {} bytes queued, peer not reading",
                             id_, describe(remote_), queuedBytes_);
        finish(asio::error::no_buffer_space);
        return;
    }
    writeQueue_.push_back(std::move(bytes));
    flush();
}

void StreamConnection::flush() {
    if (writing_ || state_ != State::ready) return;
    if (writeQueue_.empty()) {
        if (draining_) lingerClose();
        return;
    }
    writing_ = true;
    std::array<asio::const_buffer, kMaxBuffersPerWrite> buffers;
    std::size_t count = 0;
    for (const auto& item : writeQueue_) {
        if (count == buffers.size()) break;
        buffers[count++] = asio::buffer(item);
    }
    auto handler = [self = shared_from_this(), count](const std::error_code& ec, std::size_t) {
        self->writing_ = false;
        if (self->state_ == State::closed) return;
        if (ec) {
            self->finish(ec);
            return;
        }
        for (std::size_t i = 0; i < count; ++i) {
            self->queuedBytes_ -= self->writeQueue_.front().size();
            self->writeQueue_.pop_front();
        }
        self->flush();
    };
    const auto sequence = std::vector<asio::const_buffer>(buffers.begin(), buffers.begin() + count);
    std::visit([&](auto& s) { asio::async_write(s, sequence, std::move(handler)); }, stream_);
}

void StreamConnection::closeAfterWrites() {
    if (state_ == State::closed || draining_) return;
    draining_ = true;
    if (state_ == State::ready) flush();
}

void StreamConnection::lingerClose() {
    if (lingering_) return;
    lingering_ = true;
    std::error_code ignored;
    // TLS: no close_notify exchange (it needs the peer's cooperation); the TCP FIN follows the
    // last record, which is what RFC 3261 peers act on.
    socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    linger_.after(kLingerTime, [this] { finish({}); });
    read(); // discards input until the peer's end of stream (see the read handler)
}

void StreamConnection::finish(const std::error_code& ec) {
    if (state_ == State::closed) return;
    auto onClosed = std::move(handlers_.onClosed);
    close();
    if (onClosed) {
        try {
            onClosed(ec);
        } catch (...) {
            SB_WARN_RATE_LIMITED(logger(), "connection {}: close handler threw", id_);
        }
    }
}

void StreamConnection::close() {
    if (state_ == State::closed) return;
    state_ = State::closed;
    linger_.cancel();
    std::error_code ignored;
    socket().close(ignored);
    writeQueue_.clear();
    queuedBytes_ = 0;
    // Not cleared here: close() may be running inside one of these handlers. Clearing later
    // breaks any reference cycle a handler holds.
    asio::post(socket().get_executor(), [self = shared_from_this()] { self->handlers_ = {}; });
}

// ---------------------------------------------------------------------------------------------
// StreamListener

StreamListener::StreamListener(asio::io_context& context, std::shared_ptr<asio::ssl::context> tls)
    : acceptor_(context), tls_(std::move(tls)), retry_(context) {}

Result<std::shared_ptr<StreamListener>>
StreamListener::listen(asio::io_context& context, const asio::ip::tcp::endpoint& local,
                       std::shared_ptr<asio::ssl::context> tls) {
    auto self = std::make_shared<StreamListener>(context, std::move(tls));
    auto& a = self->acceptor_;
    std::error_code ec;
    auto failed = [&](const char* step) {
        return fail(Errc::io,
                    fmt::format("cannot listen on {} {}: {} failed: {}", self->tls_ ? "TLS" : "TCP",
                                describe(local), step, ec.message()));
    };
    if (a.open(local.protocol(), ec); ec) return failed("open");
    if (a.set_option(asio::socket_base::reuse_address(true), ec); ec) return failed("SO_REUSEADDR");
    if (local.address().is_v6()) {
        if (a.set_option(asio::ip::v6_only(true), ec); ec) return failed("IPV6_V6ONLY");
    }
    if (a.bind(local, ec); ec) return failed("bind");
    if (a.listen(asio::socket_base::max_listen_connections, ec); ec) return failed("listen");
    self->local_ = a.local_endpoint(ec);
    if (ec) return failed("getsockname");
    return self;
}

void StreamListener::start(AcceptHandler handler) {
    handler_ = std::move(handler);
    accept();
}

void StreamListener::accept() {
    if (!acceptor_.is_open()) return;
    acceptor_.async_accept([self = shared_from_this()](const std::error_code& ec,
                                                       asio::ip::tcp::socket socket) {
        if (!self->acceptor_.is_open() || ec == asio::error::operation_aborted) return;
        if (ec) {
            SB_WARN_RATE_LIMITED(logger(), "listener {}: accept failed: {}", describe(self->local_),
                                 ec.message());
            // EMFILE/ENFILE would fail again at once: pause instead of spinning.
            self->retry_.after(std::chrono::milliseconds(100), [s = self.get()] { s->accept(); });
            return;
        }
        auto connection = StreamConnection::accepted(std::move(socket), self->tls_);
        if (self->handler_) {
            try {
                self->handler_(std::move(connection));
            } catch (const std::exception& e) {
                SB_WARN_RATE_LIMITED(logger(), "listener {}: accept handler threw: {}",
                                     describe(self->local_), e.what());
            } catch (...) {
                SB_WARN_RATE_LIMITED(logger(), "listener {}: accept handler threw",
                                     describe(self->local_));
            }
        }
        self->accept();
    });
}

void StreamListener::close() {
    retry_.cancel();
    std::error_code ignored;
    acceptor_.close(ignored);
    // handler_ is left alone: close() may run inside it; it is released with the listener.
}

} // namespace sb::net
