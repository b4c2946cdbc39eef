#pragma once
// One signalling WebSocket (internal to server.cpp), over TCP or TLS: what the client sends
// goes to the route's SignalHandlers, in order, on the API thread, one at a time (the next is
// read once the handler says it has taken the last); what the application sends
// through its SignalChannel is posted here and written in order. At most kQueueLimit messages
// wait to be written; past that the client is too slow and the socket closes with 1013.

#include "api/server_state.hpp"
#include "api/signal_channel.hpp"
#include "core/log.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>

namespace sb::api {

template <class Stream>
class SignalSession : public Closable, public std::enable_shared_from_this<SignalSession<Stream>> {
public:
    static constexpr std::size_t kQueueLimit = 256;
    static constexpr std::size_t kLargestMessage = 64 * 1024;

    SignalSession(std::shared_ptr<ServerState> state, Stream&& stream, ConnectionSlot slot,
                  std::string remote)
        : state_(std::move(state)), ws_(std::move(stream)), slot_(std::move(slot)),
          remote_(std::move(remote)) {}
    ~SignalSession() override { state_->live.erase(id_); }

    // The channel the application answers through: it holds the session weakly.
    class Channel final : public SignalChannel {
    public:
        explicit Channel(std::weak_ptr<SignalSession> session,
                         boost::asio::any_io_executor executor)
            : session_(std::move(session)), executor_(std::move(executor)) {}
        void send(std::string text) override {
            boost::asio::post(executor_, [weak = session_, text = std::move(text)]() mutable {
                if (auto s = weak.lock()) s->queue(std::move(text));
            });
        }
        void close() override {
            boost::asio::post(executor_, [weak = session_] {
                if (auto s = weak.lock()) s->closeNormally();
            });
        }

    private:
        std::weak_ptr<SignalSession> session_;
        boost::asio::any_io_executor executor_;
    };

    void start(BeastRequest request, const Routed& routed) {
        namespace websocket = boost::beast::websocket;
        id_ = ++state_->nextId;
        state_->live[id_] = this->weak_from_this();
        ws_.set_option(websocket::stream_base::timeout::suggested(boost::beast::role_type::server));
        ws_.read_message_max(kLargestMessage);
        handlers_ = routed.route->signalling(
            routed.request, routed.params,
            std::make_shared<Channel>(this->weak_from_this(), ws_.get_executor()));
        ws_.async_accept(request, [self = this->shared_from_this()](boost::beast::error_code ec) {
            if (ec) return self->closeNow();
            self->accepted_ = true;
            if (!self->outbox_.empty()) self->write();
            self->read();
        });
    }

    void closeNow() override {
        if (std::exchange(closed_, true)) return;
        const auto keep = std::move(waiting_); // its callers hold it too; this may be the last
        outbox_.clear();
        boost::beast::get_lowest_layer(ws_).close();
        if (handlers_.closed) handlers_.closed();
    }

private:
    void read() {
        ws_.async_read(inbox_,
                       [self = this->shared_from_this()](boost::beast::error_code ec, std::size_t) {
                           if (ec) {
                               self->state_->log.debug("{}: signalling WebSocket closed: {}",
                                                       self->remote_, ec.message());
                               return self->closeNow();
                           }
                           std::string text = boost::beast::buffers_to_string(self->inbox_.data());
                           self->inbox_.clear();
                           if (!self->handlers_.message || self->closed_) return self->read();
                           self->handlers_.message(std::move(text), self->readNext());
                       });
    }
    // What the handler calls once it has taken a message: the next read, on the API thread.
    // Meanwhile no read holds the session: it holds itself, until then or until it closes (the
    // server's stop closes it), so that a message the application never takes keeps nothing.
    SignalHandlers::Next readNext() {
        waiting_ = this->shared_from_this();
        return [weak = this->weak_from_this(), executor = ws_.get_executor()] {
            boost::asio::post(executor, [weak] {
                auto self = weak.lock();
                if (!self) return;
                self->waiting_.reset();
                if (!self->closed_) self->read();
            });
        };
    }

    void queue(std::string text) {
        if (closed_ || closing_) return;
        if (outbox_.size() >= kQueueLimit) {
            SB_WARN_RATE_LIMITED(state_->log, "{}: signalling client {} messages behind; closed",
                                 remote_, outbox_.size());
            return closeNow();
        }
        outbox_.push_back(std::move(text));
        if (accepted_ && !writing_) write();
    }

    void write() {
        writing_ = true;
        current_ = std::move(outbox_.front());
        outbox_.pop_front();
        ws_.text(true);
        ws_.async_write(
            boost::asio::buffer(current_),
            [self = this->shared_from_this()](boost::beast::error_code ec, std::size_t) {
                self->writing_ = false;
                if (ec || self->closed_) return;
                if (!self->outbox_.empty()) return self->write();
                if (self->closing_) self->sendClose();
            });
    }

    void closeNormally() {
        if (closed_ || std::exchange(closing_, true)) return;
        if (!writing_) sendClose();
    }

    void sendClose() {
        ws_.async_close(
            boost::beast::websocket::close_code::normal,
            [self = this->shared_from_this()](boost::beast::error_code) { self->closeNow(); });
    }

    std::shared_ptr<ServerState> state_;
    boost::beast::websocket::stream<Stream> ws_;
    ConnectionSlot slot_;
    std::string remote_;
    std::uint64_t id_ = 0;
    SignalHandlers handlers_;
    boost::beast::flat_buffer inbox_;
    std::deque<std::string> outbox_;
    std::string current_;                    // being written
    std::shared_ptr<SignalSession> waiting_; // itself, while the application takes a message
    bool accepted_ = false, writing_ = false, closing_ = false, closed_ = false;
};

} // namespace sb::api
