#pragma once
// One HTTP/1.1 connection (internal to server.cpp), over TCP or TLS: read a request (within
// the size and time limits), route it, wait for its answer, write it, and read the next one.
// One request at a time, so pipelined requests simply wait in the read buffer.

#include "api/hashing_body.hpp"
#include "api/problem.hpp"
#include "api/responder.hpp"
#include "api/server_state.hpp"
#include "api/signal_session.hpp"
#include "api/ws_session.hpp"
#include "core/log.hpp"

#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/format.h>
#include <optional>
#include <type_traits>

namespace sb::api {

template <class Stream>
inline constexpr bool isTls = !std::is_same_v<Stream, boost::beast::tcp_stream>;

template <class Stream>
class HttpSession : public Answerable,
                    public Closable,
                    public std::enable_shared_from_this<HttpSession<Stream>> {
public:
    // `overloaded`: the server is at its connection limit; the request is read and answered
    // 503, then the connection closed (reading first, so the client sees the answer rather
    // than a reset).
    HttpSession(std::shared_ptr<ServerState> state, Stream stream, std::string remote,
                ConnectionSlot slot, bool overloaded)
        : state_(std::move(state)), stream_(std::move(stream)), remote_(std::move(remote)),
          slot_(std::move(slot)), overloaded_(overloaded), handlerTimer_(stream_.get_executor()),
          buffer_(state_->limits.maxHeaderBytes + kReadRoom) {
        if (overloaded_) ++state_->rejecting;
        largestBodyLimit_ = state_->router.largestBodyLimit(state_->limits.maxBodyBytes);
    }

    ~HttpSession() override {
        if (overloaded_) --state_->rejecting;
        state_->live.erase(id_);
    }

    void start() {
        id_ = ++state_->nextId;
        state_->live[id_] = this->weak_from_this();
        if constexpr (isTls<Stream>) {
            lowest().expires_after(state_->options.idleTimeout);
            stream_.async_handshake(boost::asio::ssl::stream_base::server,
                                    [self = this->shared_from_this()](boost::beast::error_code ec) {
                                        if (ec) {
                                            self->state_->log.debug("{}: TLS handshake: {}",
                                                                    self->remote_, ec.message());
                                            self->closeSocket();
                                            return;
                                        }
                                        self->read();
                                    });
        } else {
            read();
        }
    }

    void closeNow() override {
        handlerTimer_.cancel();
        closeSocket();
    }

    void answer(std::uint64_t sequence, Response response) override {
        if (!awaiting_ || sequence != sequence_) return; // answered already, or timed out
        awaiting_ = false;
        handlerTimer_.cancel();
        send(std::move(response), !keepAlive_);
    }

private:
    boost::beast::tcp_stream& lowest() { return boost::beast::get_lowest_layer(stream_); }

    void closeSocket() {
        if (upgraded_) return; // the stream belongs to the WebSocket session now
        boost::beast::error_code ignored;
        lowest().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
        lowest().close();
    }

    void read() {
        if (state_->stopping) return;
        streamed_.reset();
        parser_.emplace();
        configureParser(*parser_, state_->limits);
        // Beast checks a Content-Length against the limit as it reads the header, before the
        // route is known: the largest any route takes, then the route's own once it is known.
        parser_->body_limit(largestBodyLimit_);
        lowest().expires_after(state_->options.idleTimeout);
        // The header first: the route it names may take a larger body than the server's
        // limit (an evidence upload), and a client that waits for 100 Continue is told to go on.
        boost::beast::http::async_read_header(
            stream_, buffer_, *parser_,
            [self = this->shared_from_this()](boost::beast::error_code ec, std::size_t) {
                self->onHeader(ec);
            });
    }

    void onHeader(boost::beast::error_code ec) {
        namespace http = boost::beast::http;
        if (ec || parser_->is_done()) return onRead(ec);
        const auto& header = parser_->get();
        const auto rule = state_->router.bodyRule(header.method_string(), header.target(),
                                                  state_->limits.maxBodyBytes);
        if (auto length = parser_->content_length(); length && *length > rule.limit)
            return onRead(http::error::body_limit);
        // A body is read (and an upload spooled to disk) only for a request that may have it:
        // no route, a wrong method or no valid token is answered before a byte of it is taken,
        // and the socket closed, since where the next request would start is unknown. Over the
        // connection limit every such request is answered 503 at once: reading a body only to
        // refuse it would spool an unauthenticated upload.
        const bool hasBody = parser_->content_length().value_or(0) > 0 || parser_->chunked();
        if (hasBody && (header.method() == http::verb::get || header.method() == http::verb::head ||
                        header.method() == http::verb::delete_)) {
            // None of ours takes a body (RFC 9110 §9.3.1: it has no meaning there); refused
            // before a byte of it is read, and the socket closed.
            method_ = std::string(header.method_string());
            path_ = "-";
            version_ = header.version();
            return send(
                problem(400, "Bad Request", fmt::format("a {} request takes no body", method_)),
                true);
        }
        if (overloaded_ && hasBody) {
            method_ = std::string(header.method_string());
            path_ = "-";
            version_ = header.version();
            return send(overloadedAnswer(), true);
        }
        if (hasBody) {
            BeastRequest head(header.base());
            Routed early = routeRequest(state_->router, state_->tokens,
                                        state_->options.events.filterParameter, head, remote_);
            if (early.kind == Routed::Kind::answer) {
                method_ = early.request.method;
                path_ = early.request.path.empty() ? "-" : early.request.path;
                version_ = header.version();
                return send(std::move(early.answer), true);
            }
        }
        parser_->body_limit(rule.limit);
        const bool expectsContinue = iequals(header[http::field::expect], "100-continue");
        if (!rule.spool.empty()) { // the same parser, its body now hashed and spooled as it comes
            streamed_.emplace(std::move(*parser_));
            streamed_->get().body().directory = rule.spool;
            parser_.reset();
        }
        lowest().expires_after(state_->options.idleTimeout); // the body has its own time
        auto readBody = [self = this->shared_from_this()] {
            auto done = [self](boost::beast::error_code ec, std::size_t) { self->onRead(ec); };
            if (self->streamed_)
                return http::async_read(self->stream_, self->buffer_, *self->streamed_, done);
            http::async_read(self->stream_, self->buffer_, *self->parser_, done);
        };
        // RFC 9110 §10.1.1: a client that expects 100-continue may wait for it before sending.
        if (expectsContinue && !overloaded_) {
            static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            boost::asio::async_write(stream_,
                                     boost::asio::buffer(kContinue.data(), kContinue.size()),
                                     [self = this->shared_from_this(),
                                      readBody](boost::beast::error_code ec, std::size_t) {
                                         if (ec) return self->closeSocket();
                                         readBody();
                                     });
            return;
        }
        readBody();
    }

    void onRead(boost::beast::error_code ec) {
        namespace http = boost::beast::http;
        if (ec == http::error::end_of_stream || ec == boost::asio::error::operation_aborted) {
            closeGracefully();
            return;
        }
        if (ec == boost::beast::error::timeout) {
            state_->log.debug("{}: no complete request in time; closed", remote_);
            closeSocket();
            return;
        }
        if (ec && streamed_ && !streamed_->get().body().error.empty()) {
            // The upload could not be stored (RFC 4918 §11.5); nothing of it was accepted.
            state_->log.warn("{}: an upload could not be stored: {}", remote_,
                             streamed_->get().body().error);
            method_ = std::string(streamed_->get().method_string());
            path_ = "-";
            version_ = 11;
            send(problem(507, "Insufficient Storage", "the upload could not be stored"), true);
            return;
        }
        if (ec) {
            if (&ec.category() == &http::make_error_code(http::error::body_limit).category()) {
                // The request is malformed or too large: answer, then close, since where the
                // next request would start is unknown (RFC 9112 §9.6).
                SB_WARN_RATE_LIMITED(state_->log, "{}: bad HTTP request: {}", remote_,
                                     ec.message());
                method_ = "-";
                path_ = "-";
                version_ = 11;
                send(parseErrorProblem(ec), true);
            } else {
                state_->log.debug("{}: read: {}", remote_, ec.message());
                closeSocket();
            }
            return;
        }

        std::shared_ptr<StreamedBody> streamed;
        BeastRequest message;
        if (streamed_) {
            auto taken = streamed_->release();
            streamed = std::make_shared<StreamedBody>(std::move(taken.body()));
            message = BeastRequest(std::move(taken.base()));
            streamed_.reset();
        } else {
            message = parser_->release();
        }
        keepAlive_ = message.keep_alive();
        version_ = message.version();
        if (overloaded_) {
            method_ = std::string(message.method_string());
            path_ = "-";
            send(overloadedAnswer(), true);
            return;
        }

        Routed routed = routeRequest(state_->router, state_->tokens,
                                     state_->options.events.filterParameter, message, remote_);
        routed.request.streamed = std::move(streamed);
        method_ = routed.request.method;
        path_ = routed.request.path.empty() ? "-" : routed.request.path;
        switch (routed.kind) {
        case Routed::Kind::answer:
            send(std::move(routed.answer), !keepAlive_);
            return;
        case Routed::Kind::upgrade:
            upgrade(std::move(message), std::move(routed));
            return;
        case Routed::Kind::call:
            call(routed);
            return;
        }
    }

    void call(const Routed& routed) {
        awaiting_ = true;
        const std::uint64_t sequence = ++sequence_;
        lowest().expires_never(); // the handler's time is limited by handlerTimer_
        handlerTimer_.expires_after(state_->options.handlerTimeout);
        handlerTimer_.async_wait(
            [self = this->shared_from_this(), sequence](boost::beast::error_code ec) {
                if (ec) return; // answered (or closing)
                SB_WARN_RATE_LIMITED(self->state_->log, "{} {}: the handler did not answer in time",
                                     self->method_, self->path_);
                self->answer(sequence, problem(503, "Service Unavailable",
                                               "the request was not answered in time"));
            });
        auto responder =
            std::make_shared<Responder>(state_->gate, this->weak_from_this(), sequence);
        // The catch-all boundary (ARCHITECTURE.md "Errors"): a throwing handler fails this
        // request only.
        try {
            routed.route->handler(routed.request, routed.params, Responder::make(responder));
        } catch (const std::exception& e) {
            SB_WARN_RATE_LIMITED(state_->log, "{} {}: handler threw: {}", method_, path_, e.what());
            responder->respond(problem(500, "Internal Server Error", "the handler failed"));
        } catch (...) {
            SB_WARN_RATE_LIMITED(state_->log, "{} {}: handler threw", method_, path_);
            responder->respond(problem(500, "Internal Server Error", "the handler failed"));
        }
    }

    void upgrade(BeastRequest message, Routed routed) {
        if (routed.route->signalling) {
            state_->log.debug("{}: signalling WebSocket on {}", remote_, routed.request.path);
            lowest().expires_never();
            upgraded_ = true;
            state_->live.erase(id_);
            auto signal = std::make_shared<SignalSession<Stream>>(state_, std::move(stream_),
                                                                  std::move(slot_), remote_);
            signal->start(std::move(message), routed);
            return;
        }
        state_->log.debug("{}: WebSocket subscription by {} (filter \"{}\")", remote_,
                          routed.request.agent, routed.filter);
        lowest().expires_never(); // the WebSocket's own timeouts take over
        upgraded_ = true;
        state_->live.erase(id_);
        auto ws = std::make_shared<WsSession<Stream>>(state_, std::move(stream_), std::move(slot_),
                                                      std::move(routed.filter),
                                                      std::move(routed.request.agent), remote_);
        ws->start(std::move(message));
    }

    static Response overloadedAnswer() {
        Response busy = problem(503, "Service Unavailable",
                                "the server is at its connection limit; try again later");
        setRetryAfter(busy, std::chrono::seconds(1));
        return busy;
    }

    void send(Response response, bool close) {
        response_ = toBeast(std::move(response), version_, !close && !state_->stopping,
                            state_->options.serverName);
        state_->log.debug("{} {} {} -> {}", remote_, method_, path_, response_.result_int());
        lowest().expires_after(state_->options.idleTimeout);
        boost::beast::http::async_write(
            stream_, response_,
            [self = this->shared_from_this()](boost::beast::error_code ec, std::size_t) {
                self->onWrite(ec);
            });
    }

    void onWrite(boost::beast::error_code ec) {
        if (ec) {
            state_->log.debug("{}: write: {}", remote_, ec.message());
            closeSocket();
            return;
        }
        if (!response_.keep_alive()) {
            closeGracefully();
            return;
        }
        response_ = {};
        read();
    }

    // Closes without losing the response just written: TLS sends close_notify; plain TCP
    // half-closes and drains what the client still sends (bounded in time and bytes), since
    // closing with unread data would reset the connection and could destroy the response in
    // flight.
    void closeGracefully() {
        if (state_->stopping) {
            closeSocket();
            return;
        }
        lowest().expires_after(std::chrono::seconds(2));
        if constexpr (isTls<Stream>) {
            stream_.async_shutdown([self = this->shared_from_this()](boost::beast::error_code) {
                self->closeSocket();
            });
        } else {
            boost::beast::error_code ignored;
            lowest().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
            drain(0);
        }
    }

    void drain(std::size_t total) {
        lowest().async_read_some(
            boost::asio::buffer(scratch_),
            [self = this->shared_from_this(), total](boost::beast::error_code ec, std::size_t n) {
                if (ec || total + n > (1u << 20)) {
                    self->closeSocket();
                    return;
                }
                self->drain(total + n);
            });
    }

    std::shared_ptr<ServerState> state_;
    Stream stream_;
    std::string remote_;
    ConnectionSlot slot_;
    bool overloaded_;
    boost::asio::steady_timer handlerTimer_;
    std::uint64_t id_ = 0;
    // What is read and not yet parsed stays within a header section and a read's worth: Beast
    // bounds neither a chunk's extensions nor its trailer fields (a client could otherwise make
    // it hold gigabytes); past it the read fails and the request is answered 400.
    static constexpr std::size_t kReadRoom = 64 << 10;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    std::optional<boost::beast::http::request_parser<HashingBody>> streamed_; // its streamed form
    BeastResponse response_;
    bool keepAlive_ = true;
    unsigned version_ = 11;
    bool awaiting_ = false;
    bool upgraded_ = false;
    std::uint64_t sequence_ = 0;
    std::size_t largestBodyLimit_ = 0;
    std::string method_, path_; // of the request being answered, for the log
    std::array<char, 4096> scratch_{};
};

} // namespace sb::api
