#pragma once
// One WebSocket event subscription (internal to server.cpp), over TCP or TLS. It only sends:
// whatever the client sends is read and discarded (so that pings and the close handshake are
// answered). Events queue up to the hub's limit; past it the subscription is closed with 1013.

#include "api/server_state.hpp"
#include "core/log.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>

namespace sb::api {

template <class Stream>
class WsSession : public EventHub::Subscriber,
                  public Closable,
                  public std::enable_shared_from_this<WsSession<Stream>> {
public:
    WsSession(std::shared_ptr<ServerState> state, Stream&& stream, ConnectionSlot slot,
              std::string filter, std::string agent, std::string remote)
        : state_(std::move(state)), ws_(std::move(stream)), slot_(std::move(slot)),
          filter_(std::move(filter)), agent_(std::move(agent)), remote_(std::move(remote)),
          closeTimer_(ws_.get_executor()) {}

    ~WsSession() override {
        state_->live.erase(id_);
        state_->hub->detach(this);
    }

    // Attaches to the hub before the handshake, so that everything published after the client
    // has seen the handshake's answer reaches it (queued until the handshake is done).
    void start(BeastRequest request) {
        namespace websocket = boost::beast::websocket;
        id_ = ++state_->nextId;
        state_->live[id_] = this->weak_from_this();
        request_ = std::move(request);
        ws_.set_option(websocket::stream_base::timeout::suggested(boost::beast::role_type::server));
        ws_.set_option(websocket::stream_base::decorator(
            [name = state_->options.serverName](websocket::response_type& response) {
                response.set(boost::beast::http::field::server, name);
            }));
        ws_.read_message_max(64 * 1024);
        state_->hub->attach(this->shared_from_this());
        ws_.async_accept(request_, [self = this->shared_from_this()](boost::beast::error_code ec) {
            self->onAccept(ec);
        });
    }

    const std::string& filter() const override { return filter_; }
    const std::string& agent() const override { return agent_; }

    bool deliver(const std::shared_ptr<const std::string>& text) override {
        if (closing_) return true;
        if (queue_.size() >= state_->hub->options().queueLimit) {
            overflow();
            return false;
        }
        queue_.push_back(text);
        if (accepted_ && !writing_) write();
        return true;
    }

    void closeNow() override {
        closing_ = true;
        queue_.clear();
        closeTimer_.cancel();
        state_->hub->detach(this);
        boost::beast::get_lowest_layer(ws_).close();
    }

private:
    void onAccept(boost::beast::error_code ec) {
        request_ = {};
        if (ec) {
            state_->log.debug("{}: WebSocket handshake: {}", remote_, ec.message());
            closeNow();
            return;
        }
        accepted_ = true;
        if (closing_) return;
        if (!queue_.empty()) write();
        read();
    }

    void read() {
        ws_.async_read(readBuffer_, [self = this->shared_from_this()](boost::beast::error_code ec,
                                                                      std::size_t) {
            if (ec) {
                self->state_->log.debug("{}: WebSocket closed: {}", self->remote_, ec.message());
                self->closing_ = true;
                self->closeTimer_.cancel();
                self->state_->hub->detach(self.get());
                return;
            }
            self->readBuffer_.clear(); // subscribers have nothing to say
            self->read();
        });
    }

    void write() {
        writing_ = true;
        current_ = std::move(queue_.front());
        queue_.pop_front();
        ws_.text(true);
        ws_.async_write(boost::asio::buffer(*current_),
                        [self = this->shared_from_this()](boost::beast::error_code ec,
                                                          std::size_t) { self->onWrite(ec); });
    }

    void onWrite(boost::beast::error_code ec) {
        writing_ = false;
        current_.reset();
        if (ec || closing_) return; // a failed write also fails the read, which cleans up
        if (!queue_.empty()) write();
    }

    void overflow() {
        namespace websocket = boost::beast::websocket;
        SB_WARN_RATE_LIMITED(state_->log, "{}: event subscriber {} messages behind; closed",
                             remote_, queue_.size());
        closing_ = true;
        queue_.clear();
        state_->hub->detach(this);
        if (!accepted_) {
            closeNow();
            return;
        }
        // Beast suspends the close until a write in progress is done; a reader that never
        // reads would block it, so the timer cuts the connection in the end.
        ws_.async_close(
            websocket::close_reason(websocket::close_code::try_again_later, "subscriber too slow"),
            [self = this->shared_from_this()](boost::beast::error_code) {});
        closeTimer_.expires_after(std::chrono::seconds(5));
        closeTimer_.async_wait([weak = this->weak_from_this()](boost::beast::error_code ec) {
            if (ec) return;
            if (auto self = weak.lock()) boost::beast::get_lowest_layer(self->ws_).close();
        });
    }

    std::shared_ptr<ServerState> state_;
    boost::beast::websocket::stream<Stream> ws_;
    ConnectionSlot slot_;
    std::string filter_;
    std::string agent_;
    std::string remote_;
    boost::asio::steady_timer closeTimer_;
    std::uint64_t id_ = 0;
    BeastRequest request_;
    boost::beast::flat_buffer readBuffer_;
    std::deque<std::shared_ptr<const std::string>> queue_;
    std::shared_ptr<const std::string> current_; // being written
    bool accepted_ = false, writing_ = false, closing_ = false;
};

} // namespace sb::api
