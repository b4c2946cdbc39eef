#pragma once
// The SIP transaction layer (RFC 3261 §17, with the Accepted states of RFC 6026): INVITE and
// non-INVITE client and server transactions, their timers (A–M) on the worker's timer wheel,
// retransmission and its absorption, the hop-by-hop ACK of non-2xx finals, CANCEL matching
// (§9.2), and reports of timeouts and transport errors to the transaction user (TU).
//
// One layer per worker; not thread-safe. Transactions are named by TransactionId (never reused),
// so a TU can keep one after the transaction has gone: calls on an unknown id do nothing.

#include "core/result.hpp"
#include "net/timer_wheel.hpp"
#include "sip/message.hpp"
#include "sip/transport.hpp"

#include <asio/ip/address.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sb::sip {

using TransactionId = std::uint64_t; // 0 names no transaction

struct TimerSettings {
    std::chrono::milliseconds t1{500};  // RTT estimate (§17.1.1.1)
    std::chrono::milliseconds t2{4000}; // longest retransmit interval for non-INVITE and 2xx
    std::chrono::milliseconds t4{5000}; // how long a message may stay in the network
};

// Where a request goes: the result of RFC 3263 server location.
struct Destination {
    Transport transport = Transport::udp;
    asio::ip::address address;
    std::uint16_t port = 0;
    std::string tlsServerName; // TLS only: the name the certificate must match
};

// What the layer sends with; the TransportLayer in production, a recorder in tests.
class MessageSender {
public:
    virtual ~MessageSender() = default;
    virtual Result<void> send(const Destination& to, std::string bytes) = 0;
    // False when `to` came over a TCP or TLS connection that has closed (nothing was sent).
    virtual bool reply(const InboundMessage& to, std::string bytes) = 0;
    // Whether a connection to `to` is open to send over (always, for UDP).
    virtual bool connected(const Destination& to) const = 0;
};

enum class ClientFailure {
    timeout,        // Timer B or F (§17.1.1.2, §17.1.2.2): the TU acts as on a 408
    transportError, // §17.1.4: the TU acts as on a 503
};

class TransactionUser {
public:
    virtual ~TransactionUser() = default;
    // A new request. For an INVITE the layer has sent 100 Trying already (§17.2.1). Answer with
    // TransactionLayer::respond(); the request stays available from request(id) until the final
    // response.
    virtual void onRequest(TransactionId server, const Message& request,
                           const InboundMessage& source) = 0;
    // An ACK that matches no transaction: the ACK for a 2xx, which belongs to the dialog
    // (§17.2.3, RFC 6026 §8.7).
    virtual void onAck(const Message& ack, const InboundMessage& source) = 0;
    // A CANCEL for the INVITE server transaction `invite`, which has no final response yet. The
    // layer has answered the CANCEL with 200 (§9.2); the TU should end the INVITE with 487.
    virtual void onCancel(TransactionId invite, const Message& cancel) = 0;
    // A response to a client transaction: provisional and final ones, and for an INVITE every
    // further 2xx while in Accepted (retransmissions and forks alike; RFC 6026 §8.4).
    virtual void onResponse(TransactionId client, const Message& response) = 0;
    virtual void onClientFailure(TransactionId client, ClientFailure failure) = 0;
    // A 2xx to an INVITE was never acknowledged within 64×T1 (§13.3.1.4): the TU should end the
    // dialog with BYE.
    virtual void onAckTimeout(TransactionId server) = 0;
};

class TransactionLayer {
public:
    TransactionLayer(net::TimerWheel& wheel, MessageSender& sender, TransactionUser& user,
                     TimerSettings timers = {}, std::string userAgent = "Switchboard");
    ~TransactionLayer();
    TransactionLayer(const TransactionLayer&) = delete;
    TransactionLayer& operator=(const TransactionLayer&) = delete;

    // Feeds an incoming, well-formed message (parse errors are answered before this).
    void receive(Message&& message, const InboundMessage& source);

    // Server side. `status` is the response's status code. A 2xx to an INVITE is retransmitted
    // over UDP until the TU calls ackReceived() (§13.3.1.4), for at most 64×T1.
    void respond(TransactionId server, int status, std::string bytes);
    void ackReceived(TransactionId server);
    // The request of a server transaction that has no final response yet, or nullptr.
    const Message* request(TransactionId server) const;

    // Client side: sends `request` (built by the TU, with a fresh magic-cookie branch in its
    // only Via) and returns its transaction; 0 if the request has no usable Via or was an ACK.
    // A TCP/TLS send error is reported through onClientFailure() after this returns; a UDP
    // datagram that cannot be sent counts as lost, and retransmission or Timer B/F deals with it.
    TransactionId sendRequest(Message&& request, const Destination& to);
    // Cancels an INVITE client transaction (§9.1): a CANCEL is sent at once if a provisional
    // response has arrived, otherwise as soon as one does; nothing if a final one has. Returns
    // the CANCEL's transaction once sent (0 while deferred).
    TransactionId cancel(TransactionId invite);
    // The transport could not reach `to` (a failed TCP/TLS connect): every client transaction
    // still waiting on it fails with ClientFailure::transportError (§17.1.4).
    void transportFailed(Transport transport, const asio::ip::address& address, std::uint16_t port);
    // Sends without a transaction: the ACK for a 2xx (§13.2.2.4) and stateless responses.
    Result<void> sendStateless(const Destination& to, std::string bytes);
    // Whether a TCP or TLS connection to `to` is open (always true for UDP).
    bool connected(const Destination& to) const { return sender_.connected(to); }

    struct Stats {
        std::uint64_t serverCreated = 0, clientCreated = 0;
        std::uint64_t retransmissionsSent = 0;     // requests and responses we sent again
        std::uint64_t retransmissionsAbsorbed = 0; // duplicates we received and did not pass up
        std::uint64_t timeouts = 0, transportErrors = 0, ackTimeouts = 0;
        std::uint64_t strayResponses = 0; // responses matching no client transaction
        std::uint64_t mergedRefused = 0;  // requests that came twice by two paths (482)
    };
    const Stats& stats() const noexcept { return stats_; }
    std::size_t active() const noexcept { return servers_.size() + clients_.size(); }

private:
    struct ServerTx;
    struct ClientTx;
    enum class TimerKind : std::uint8_t;

    void receiveRequest(Message&& request, const InboundMessage& source);
    void receiveAck(const Message& ack, const InboundMessage& source);
    void receiveCancel(Message&& cancel, const InboundMessage& source);
    void receiveResponse(const Message& response);
    void deliverRequest(ServerTx& tx, const InboundMessage& source);
    void retransmitted(ServerTx& tx);
    ServerTx& addServer(std::string key, Message&& request, const InboundMessage& source);
    // A response on the server transaction's connection or socket (§18.2.2).
    void reply(const ServerTx& tx, const std::string& bytes);
    // `bytes`, a response of `tx`'s, with the top Via that says where the request came from.
    static std::string withAnsweredVia(const ServerTx& tx, std::string bytes);
    void onClientInviteResponse(ClientTx& tx, const Message& response);
    void onClientNonInviteResponse(ClientTx& tx, const Message& response);
    TransactionId sendCancel(ClientTx& invite);
    void sendAckForFailure(ClientTx& tx, const Message& response);
    bool transmit(ClientTx& tx, const std::string& bytes);

    net::TimerWheel::TimerId startTimer(TransactionId id, TimerKind kind,
                                        std::chrono::milliseconds delay);
    void onTimer(TransactionId id, TimerKind kind);
    void onServerTimer(ServerTx& tx, TimerKind kind);
    void onClientTimer(ClientTx& tx, TimerKind kind);
    void cancelTimers(ServerTx& tx);
    void cancelTimers(ClientTx& tx);
    void removeServer(TransactionId id);
    void removeClient(TransactionId id);
    std::chrono::milliseconds sixtyFourT1() const { return 64 * timers_.t1; }

    net::TimerWheel& wheel_;
    MessageSender& sender_;
    TransactionUser& user_;
    TimerSettings timers_;
    std::string userAgent_;
    TransactionId nextId_ = 1;
    TransactionId delivering_ = 0; // the server transaction inside onRequest()
    std::unordered_map<TransactionId, std::unique_ptr<ServerTx>> servers_;
    std::unordered_map<TransactionId, std::unique_ptr<ClientTx>> clients_;
    std::unordered_map<std::string_view, TransactionId> serverKeys_; // views into ServerTx::key
    std::unordered_map<std::string_view, TransactionId> mergeKeys_;  // into ServerTx::mergeKey
    std::unordered_map<std::string_view, TransactionId> clientKeys_;
    Stats stats_;
};

} // namespace sb::sip
