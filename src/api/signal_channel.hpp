#pragma once
// A signalling WebSocket (a WebRTC peer's offers, answers and candidates), as the application
// sees it: messages from the client reach SignalHandlers on the API thread, and the
// application answers through its SignalChannel from any thread. Unlike an event subscription
// (event_hub.hpp), both ends speak.

#include "api/http_types.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace sb::api {

class SignalChannel {
public:
    virtual ~SignalChannel() = default;
    // Queues a text message to the client; thread-safe. Dropped once the socket has closed.
    virtual void send(std::string text) = 0;
    // Closes the socket (normal closure, 1000); thread-safe.
    virtual void close() = 0;
};

struct SignalHandlers {
    // On the API thread, in order. The socket reads the client's next message only once `next`
    // has been called (from any thread, once the message has been handled): a client sending
    // faster than the application takes its messages waits in TCP, not in our memory.
    using Next = std::function<void()>;
    std::function<void(std::string text, Next next)> message;
    std::function<void()> closed; // once, when the socket is gone
};

using PathParams = std::map<std::string, std::string, std::less<>>;
// Called on the API thread when a client's WebSocket is accepted on a signalling route.
using SignalOpen = std::function<SignalHandlers(const Request& request, const PathParams& params,
                                                std::shared_ptr<SignalChannel> channel)>;

} // namespace sb::api
