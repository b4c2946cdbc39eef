#include "api/server.hpp"

#include "api/http_session.hpp"
#include "api/server_state.hpp"
#include "core/log.hpp"
#include "core/stop_signals.hpp"
#include "core/thread_name.hpp"

#include <boost/asio/ip/address.hpp>
#include <future>

namespace sb::api {

namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
} // namespace

std::string endpointText(const tcp::endpoint& endpoint) {
    const auto address = endpoint.address();
    std::string text = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
    return text + ":" + std::to_string(endpoint.port());
}

ServerState::ServerState(asio::io_context& io, HttpServer::Options o, Router r, TokenTable t)
    : options(std::move(o)), limits{options.maxBodyBytes, options.maxHeaderBytes},
      router(std::move(r)), tokens(std::move(t)),
      hub(std::make_shared<EventHub>(io.get_executor(), options.events)),
      gate(std::make_shared<PostGate>(io.get_executor())), log(log::get("api")) {}

HttpServer::HttpServer(Options options, Router router, TokenTable tokens)
    : state_(std::make_shared<ServerState>(io_, std::move(options), std::move(router),
                                           std::move(tokens))),
      hub_(state_->hub) {}

HttpServer::~HttpServer() {
    stop();
}

bool HttpServer::tls() const noexcept {
    return state_->tls.has_value();
}

std::size_t HttpServer::connections() const noexcept {
    return state_->connections.load();
}

Result<void> HttpServer::start() {
    if (started_) return fail(Errc::config, "the API server was already started");
    started_ = true;
    const Options& o = state_->options;
    boost::system::error_code ec;

    if (o.certificate.empty() != o.privateKey.empty())
        return fail(Errc::config, "api: TLS needs both a certificate and a private key");
    if (!o.certificate.empty()) {
        asio::ssl::context tls(asio::ssl::context::tls_server);
        tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                            asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                            asio::ssl::context::no_tlsv1_1,
                        ec);
        if (!ec) tls.use_certificate_chain_file(o.certificate, ec);
        if (ec)
            return fail(Errc::config,
                        "api: TLS certificate " + o.certificate + ": " + ec.message());
        tls.use_private_key_file(o.privateKey, asio::ssl::context::pem, ec);
        if (ec)
            return fail(Errc::config, "api: TLS private key " + o.privateKey + ": " + ec.message());
        state_->tls.emplace(std::move(tls));
    }

    const auto address = asio::ip::make_address(o.address, ec);
    if (ec) return fail(Errc::config, "api: bad listen address \"" + o.address + "\"");
    const tcp::endpoint endpoint(address, o.port);
    const std::string where = endpointText(endpoint);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail(Errc::io, "api: cannot listen on " + where + ": " + ec.message());
    port_ = acceptor_.local_endpoint(ec).port();

    accept();
    auto done = std::make_shared<std::promise<void>>();
    finished_ = done->get_future();
    thread_ = std::thread([this, done] {
        nameThisThread("sb-api");
        blockStopSignals();
        for (;;) {
            // The catch-all boundary: nothing thrown on this thread takes the process down.
            try {
                io_.run();
                break;
            } catch (const std::exception& e) {
                state_->log.error("API thread: {}", e.what());
            } catch (...) {
                state_->log.error("API thread: unknown exception");
            }
        }
        done->set_value();
    });
    state_->log.info("API listening on {} ({})", endpointText(tcp::endpoint(address, port_)),
                     state_->tls ? "HTTPS" : "HTTP");
    return {};
}

void HttpServer::accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
        if (!acceptor_.is_open() || state_->stopping) return;
        if (ec) {
            SB_WARN_RATE_LIMITED(state_->log, "API accept: {}", ec.message());
        } else {
            admit(std::move(socket));
        }
        accept();
    });
}

void HttpServer::admit(tcp::socket socket) {
    ServerState& s = *state_;
    boost::system::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    const auto peer = socket.remote_endpoint(ec);
    if (ec) return; // gone already
    const bool overloaded = s.connections.load() >= s.options.maxConnections;
    if (overloaded) {
        SB_WARN_RATE_LIMITED(s.log, "API at its limit of {} connections; refusing {}",
                             s.options.maxConnections, endpointText(peer));
        // Answering 503 costs a little; past a bound, refuse without a word.
        if (s.rejecting >= 64) return;
    }
    ConnectionSlot slot = overloaded ? ConnectionSlot() : ConnectionSlot(&s);
    beast::tcp_stream stream(std::move(socket));
    if (s.tls) {
        using Tls = beast::ssl_stream<beast::tcp_stream>;
        std::make_shared<HttpSession<Tls>>(state_, Tls(std::move(stream), *s.tls),
                                           endpointText(peer), std::move(slot), overloaded)
            ->start();
    } else {
        std::make_shared<HttpSession<beast::tcp_stream>>(
            state_, std::move(stream), endpointText(peer), std::move(slot), overloaded)
            ->start();
    }
}

void HttpServer::stop() {
    if (!thread_.joinable()) return;
    // No Respond or publish() reaches the loop from here on.
    state_->gate->close();
    hub_->close();
    asio::post(io_, [this] {
        state_->stopping = true;
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        std::vector<std::shared_ptr<Closable>> open;
        for (auto& [id, weak] : state_->live)
            if (auto c = weak.lock()) open.push_back(std::move(c));
        for (auto& c : open)
            c->closeNow();
    });
    // Closing every socket lets the loop run out of work; should something linger, stop it.
    if (finished_.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
        state_->log.warn("API thread did not finish within 5 s of stop; stopping its loop");
        io_.stop();
    }
    thread_.join();
    state_->log.info("API server stopped");
}

} // namespace sb::api
