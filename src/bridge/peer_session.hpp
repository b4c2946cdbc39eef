#pragma once
// One WebRTC peer's session with Switchboard (ARCHITECTURE.md "The WebRTC bridge"): its peer
// connection, the control channel's conversation (peer_protocol.hpp) and the evidence files
// sent over it. It answers the peer's offer, greets it with a handshake once the peer opens the
// channel "switchboard", and then carries what the room gives it: context updates and files.
//
// Its course, as Events report it: answered (ICE and DTLS under way) → active (the peer
// answered the handshake) ⇄ degraded (ICE disconnected: nothing heard for Options::silence, or
// consent lost; a message unacknowledged for Options::ackTimeout, or the send buffer full for
// as long) → failed (no handshake in time, a broken transport, or no recovery after the
// reconnection attempts of Options::backoff), or ended (session_end from either side, or the
// channel closed).
//
// A reconnection attempt, while ICE is what is lost and the peer has a signalling channel we
// can speak on (a WebSocket), is an ICE restart of ours: our new credentials go to the peer
// as a handshake {"type": "offer", "ice": fragment}, and its own come back through
// takeFragment(). A WHIP peer restarts by its own PATCH (RFC 9725 §4.3.2); its attempts wait.
//
// A peer that offers Opus audio, answered when Options::connection.audio says so, has it
// relayed to its room (audio_relay.hpp): Events::mediaOffer gives the room our offer for it,
// and mediaAnswered() the room's answer.
//
// Runs on the thread of every SCTP association (usrsctp without threads): every call, every
// event.

#include "bridge/audio_relay.hpp"
#include "bridge/peer_protocol.hpp"
#include "room/leg.hpp"
#include "webrtc/evidence.hpp"
#include "webrtc/peer_connection.hpp"

#include <array>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sb::bridge {

using namespace std::chrono_literals;

class PeerSession {
public:
    using Clock = std::chrono::steady_clock;
    struct Options {
        std::string escalation, traceId;
        std::string role = "expert"; // whom the peer speaks for, in the handshake
        webrtc::PeerConnection::Options connection;
        std::chrono::milliseconds ackTimeout = 10s;
        // The reconnection attempts while degraded: each waits this long for the session to
        // recover, and after the last it has failed.
        std::array<std::chrono::milliseconds, 3> backoff{1s, 2s, 4s};
        // Nothing from the peer for this long, and ICE counts as disconnected. The SCTP
        // association's heartbeats (every second: sctp_transport.hpp) keep an idle path heard;
        // libnice itself reports lost consent only after 30 s (RFC 7675 §5.1).
        std::chrono::milliseconds silence = 3s;
        // The longest our answer waits for our candidates (it carries them: WHIP does not
        // trickle, RFC 9725 §4.3.1).
        std::chrono::milliseconds gatherLimit = 3s;
    };
    struct Events {
        // Our description: the answer to the peer's offer, or our offer; or why there is none.
        // With the peer's a=max-message-size when its description is known (0: not yet, or
        // no limit).
        std::function<void(Result<std::string> description, std::uint64_t peerLargestMessage)>
            described;
        // A message for the peer's signalling channel, when it has one that we can speak on
        // (a WebSocket; WHIP has none): our trickled candidates, errors about its signals.
        std::function<void(std::string text)> signal;
        // The handshake answered; the peer's a=max-message-size as read (0: no limit).
        std::function<void(std::uint64_t peerLargestMessage)> active;
        std::function<void(const std::string& why)> degraded;
        std::function<void()> recovered;
        std::function<void(const Error& why)> failed;
        std::function<void(const std::string& why)> ended;
        std::function<void(const room::FileProgress& progress)> progress;
        // Our offer to the room's media for the peer's audio (plain RTP; audio_relay.hpp).
        std::function<void(std::string offer)> mediaOffer;
        // Read `length` bytes of `file` from `offset`, where reading may block, and give them
        // to supply() on this session's thread.
        std::function<void(std::shared_ptr<const room::EvidenceFile> file, std::uint64_t offset,
                           std::size_t length)>
            read;
    };

    // `io`: sb-webrtc's, where the audio relay's socket runs.
    PeerSession(asio::io_context& io, webrtc::IceLoop& loop, const webrtc::DtlsIdentity& identity,
                webrtc::IceAgent::Post post, Options options, Events events);
    ~PeerSession();
    PeerSession(const PeerSession&) = delete;
    PeerSession& operator=(const PeerSession&) = delete;

    // Answers the peer's offer (Events::described, once our candidates are gathered).
    void answer(std::string offer);
    // Offers (Events::described): the peer answers through accept(). We then open the
    // control channel ourselves.
    void offer();
    // The peer's answer to our offer; a bad one ends the session.
    void accept(const std::string& answer);
    // A candidate the peer trickled ("candidate:…", RFC 8840 §5.1), or, empty, the end of them.
    void addCandidate(const std::string& line);
    // A fragment from the peer's WHIP PATCH or signalling (webrtc::PeerConnection::
    // takeFragment): our own, when it restarts ICE; `answers` when the peer says it answers
    // a restart of ours.
    Result<std::optional<webrtc::IceFragment>> takeFragment(const webrtc::IceFragment& fragment,
                                                            bool answers = false);
    // Queued until the handshake is answered.
    void sendContext(const std::string& summary, const std::string& context);
    void sendFile(const std::shared_ptr<const room::EvidenceFile>& file, std::uint32_t fromChunk);
    // The bytes of the file `fileId` that Events::read was asked for, or why they could not be
    // read (the transfer then fails).
    void supply(const std::string& fileId, Result<std::vector<std::byte>> bytes);
    // The room's answer to Events::mediaOffer: the peer's audio flows once it is there.
    void mediaAnswered(Result<std::string> answer);
    // Says session_end and closes the channel; nothing more is reported.
    void end(const std::string& reason);
    // DTLS's retransmissions and the session's deadlines; every few milliseconds.
    void tick(Clock::time_point now);
    // Failed or ended: it may go.
    bool over() const noexcept { return over_; }

private:
    struct Transfer {
        std::shared_ptr<const room::EvidenceFile> file;
        webrtc::EvidenceSender sender;
        std::string id; // the file's id, which names the transfer in acknowledgements
        bool announced = false;
        std::optional<std::vector<std::byte>> refused; // a chunk SCTP had no room for
        std::uint32_t reported = 0;       // chunks acknowledged when progress was last reported
        Clock::time_point waitingSince{}; // for an acknowledgement, since the last one came
    };
    enum class Impairment : std::uint8_t { ice, silent, unacknowledged, backedUp };

    // Our description, with the candidates gathered so far.
    void describe();
    void onChannelOpened(const webrtc::DataChannel& channel);
    void onText(std::string_view text);
    void onAck(const PeerAck& ack);
    void onFileAck(Transfer& transfer, const PeerAck& ack);
    // Sends what waits, as far as the SCTP buffer takes it.
    void pump();
    // Asks for the transfer's next bytes, if its sender wants them.
    void readAhead(Transfer& transfer);
    // `later` when SCTP's buffer is full (back-pressure: it is sent again once writable); any
    // other refusal (a message over the peer's max-message-size) is logged and the message
    // dropped. send() is false for `later` only.
    enum class Sending : std::uint8_t { sent, later, dropped };
    Sending trySend(std::span<const std::byte> message, bool binary);
    bool send(std::span<const std::byte> message, bool binary) {
        return trySend(message, binary) != Sending::later;
    }
    bool sendChunk(const Transfer& transfer, const std::vector<std::byte>& chunk);
    void sendError(std::string_view inReplyTo, std::string_view detail);
    void announce(Transfer& transfer);
    void report(Transfer& transfer, std::string error = {});
    void impair(Impairment what, const std::string& why);
    void relieve(Impairment what);
    // The session is over: ended (Errc::closed, once active: the peer's doing) or failed.
    void finish(Error why);
    void checkDeadlines(Clock::time_point now);
    // The path's silence: impaired after Options::silence without a datagram, relieved by one.
    void checkHeard(Clock::time_point now);
    // One reconnection attempt (attempt_), an ICE restart where we can make one.
    void reconnect();

    // The peer's audio, when our answer took it: its relay to the room.
    void relayAudio();

    asio::io_context& io_;
    Options options_;
    Events events_;
    webrtc::PeerConnection connection_;
    std::unique_ptr<AudioRelay> audio_;
    std::optional<std::string> offer_; // the peer's, until answered
    bool offering_ = false, described_ = false;
    Clock::time_point describeDeadline_{};
    std::optional<std::uint16_t> control_; // the "switchboard" channel
    bool binary_ = true;                   // the peer takes binary messages
    // Files given before the peer's handshake said binary or not, and their first chunk.
    std::vector<std::pair<std::shared_ptr<const room::EvidenceFile>, std::uint32_t>>
        beforeHandshake_;
    bool active_ = false, over_ = false;
    std::string handshakeId_;
    Clock::time_point handshakeDeadline_{};
    struct Outgoing {
        std::string text;
        std::string awaits; // its id, when it awaits an acknowledgement
    };
    std::deque<Outgoing> texts_; // waiting for the handshake or for SCTP's room
    // Context updates sent, by message id: until when their acknowledgement may come.
    std::map<std::string, Clock::time_point> awaiting_;
    std::vector<Transfer> transfers_;
    std::set<Impairment> impaired_;
    Clock::time_point backedUpSince_{};
    std::size_t attempt_ = 0;         // reconnection attempts so far while degraded
    Clock::time_point nextAttempt_{}; // when the next one is due
    Clock::time_point now_ = Clock::now();
    std::uint64_t heard_ = 0;          // datagrams from the peer when last counted
    Clock::time_point heardAt_ = now_; // when that count last grew
};

} // namespace sb::bridge
