#pragma once
// Stream connections (plain TCP or TLS behind one interface) and a listener that accepts them.
// Each object belongs to the worker that runs its io_context; callbacks run there. Pending
// operations hold a shared_ptr to their connection, so a connection lives until its last
// operation ends; owners keep a shared_ptr and drop it when done.

#include "core/result.hpp"
#include "net/timer.hpp"

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/v6_only.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/host_name_verification.hpp>
#include <asio/ssl/stream.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

namespace sb::net {

class StreamConnection : public std::enable_shared_from_this<StreamConnection> {
public:
    struct Handlers {
        // Connected, and for TLS the handshake is done. Queued writes are sent from now on.
        std::function<void()> onReady;
        // Bytes as they arrive; the span is valid only during the call.
        std::function<void(std::span<const std::byte>)> onData;
        // The connection ended for any reason other than close(): end of stream, a read or
        // write error, a failed connect or handshake, or the end of closeAfterWrites(). Called
        // at most once; no handler is called after it or after close().
        std::function<void(const std::error_code&)> onClosed;
    };

    static constexpr std::size_t kReadChunkBytes = 16 * 1024;
    static constexpr std::size_t kDefaultMaxQueuedBytes = 4 * 1024 * 1024;

    // Wraps an accepted socket. With a (server) TLS context, start() runs the server handshake.
    static std::shared_ptr<StreamConnection> accepted(asio::ip::tcp::socket socket,
                                                      std::shared_ptr<asio::ssl::context> tls);
    // An unconnected outbound connection; start it with connect(). With a (client) TLS context,
    // `serverName` is sent as SNI (unless it is an IP literal) and, when the context verifies
    // peers, checked against the certificate (DNS name, or IP address SAN for an IP literal).
    static std::shared_ptr<StreamConnection> outbound(asio::io_context& context,
                                                      std::shared_ptr<asio::ssl::context> tls,
                                                      std::string serverName);

    ~StreamConnection();
    StreamConnection(const StreamConnection&) = delete;
    StreamConnection& operator=(const StreamConnection&) = delete;

    // Accepted connections: handshake (TLS) then read.
    void start(Handlers handlers);
    // Outbound connections: connect, handshake (TLS), then read.
    void connect(const asio::ip::tcp::endpoint& remote, Handlers handlers);

    // Queues bytes; they are sent in order once the connection is ready. Past
    // maxQueuedBytes the peer is not reading: the connection is closed with
    // asio::error::no_buffer_space (onClosed is called). Ignored after close.
    void write(std::string bytes);
    // Stops reading, sends what is queued, then closes (and calls onClosed).
    void closeAfterWrites();
    // Closes now; pending writes are dropped and no handler is called again. Idempotent.
    void close();

    bool isTls() const noexcept { return stream_.index() == 1; }
    bool isOpen() const noexcept { return state_ != State::closed; }
    bool isReady() const noexcept { return state_ == State::ready; }
    std::uint64_t id() const noexcept { return id_; }
    // Valid once connected (accepted connections: from the start).
    const asio::ip::tcp::endpoint& remoteEndpoint() const noexcept { return remote_; }
    const asio::ip::tcp::endpoint& localEndpoint() const noexcept { return local_; }
    std::size_t queuedBytes() const noexcept { return queuedBytes_; }
    void setMaxQueuedBytes(std::size_t bytes) noexcept { maxQueuedBytes_ = bytes; }

private:
    using TlsStream = asio::ssl::stream<asio::ip::tcp::socket>;
    enum class State { idle, connecting, handshaking, ready, draining, closed };
    struct PrivateTag {};

public:
    StreamConnection(PrivateTag, asio::ip::tcp::socket socket);
    StreamConnection(PrivateTag, asio::ip::tcp::socket socket, asio::ssl::context& tls,
                     std::shared_ptr<asio::ssl::context> keepAlive);

private:
    asio::ip::tcp::socket& socket() noexcept;
    void handshake(bool server);
    void becomeReady();
    void read();
    void flush();
    void finish(const std::error_code& ec); // ends the connection and reports it
    void lingerClose();
    template <class Fn>
    void guarded(const char* what, Fn&& fn);

    std::variant<asio::ip::tcp::socket, TlsStream> stream_;
    std::shared_ptr<asio::ssl::context> tls_; // keeps the context alive as long as the stream
    std::string serverName_;
    State state_ = State::idle;
    Handlers handlers_;
    asio::ip::tcp::endpoint remote_, local_;
    std::vector<std::byte> readBuffer_ = std::vector<std::byte>(kReadChunkBytes);
    std::deque<std::string> writeQueue_;
    std::size_t queuedBytes_ = 0;
    std::size_t maxQueuedBytes_ = kDefaultMaxQueuedBytes;
    bool writing_ = false;
    bool reading_ = false;
    bool draining_ = false;  // closeAfterWrites() was called
    bool lingering_ = false; // our side is shut down; waiting for the peer's end of stream
    Timer linger_;
    std::uint64_t id_;
};

// A TCP (or TLS, when given a server context) listener.
class StreamListener : public std::enable_shared_from_this<StreamListener> {
public:
    using AcceptHandler = std::function<void(std::shared_ptr<StreamConnection>)>;

    // Binds and listens (SO_REUSEADDR; IPv6 listeners are v6-only; port 0 = ephemeral). Returns
    // an Errc::io error naming the address, port and the system's reason.
    static Result<std::shared_ptr<StreamListener>> listen(asio::io_context& context,
                                                          const asio::ip::tcp::endpoint& local,
                                                          std::shared_ptr<asio::ssl::context> tls);

    // Accepts until close(); each connection is handed over unstarted (call start() on it, or
    // drop it to refuse). Accept errors other than closing are logged (rate-limited) and
    // accepting resumes after a short pause, so that EMFILE cannot spin the loop.
    void start(AcceptHandler handler);
    void close();

    const asio::ip::tcp::endpoint& localEndpoint() const noexcept { return local_; }
    bool isTls() const noexcept { return tls_ != nullptr; }

    StreamListener(asio::io_context& context, std::shared_ptr<asio::ssl::context> tls);

private:
    void accept();

    asio::ip::tcp::acceptor acceptor_;
    std::shared_ptr<asio::ssl::context> tls_;
    asio::ip::tcp::endpoint local_;
    AcceptHandler handler_;
    Timer retry_;
};

} // namespace sb::net
