#include "bridge/peer_session.hpp"

#include "core/hex.hpp"
#include "core/log.hpp"

#include <fmt/format.h>

namespace sb::bridge {
namespace {

// A peer's text member, or `otherwise` when it is absent or not a string: json::value() would
// throw on a member of another type ("reason": 7).
std::string textOf(const nlohmann::json& payload, const char* name, const char* otherwise) {
    const auto found = payload.find(name);
    return found != payload.end() && found->is_string() ? found->get<std::string>() : otherwise;
}

spdlog::logger& logger() {
    static auto& webrtc = log::get("webrtc"); // not the registry's lock at every line
    return webrtc;
}

// What a peer says, as logged: at most 200 bytes of it (a peer's error may be 256 KiB).
std::string_view shortened(std::string_view said) {
    return said.substr(0, 200);
}

std::span<const std::byte> bytesOf(std::string_view text) {
    return {reinterpret_cast<const std::byte*>(text.data()), text.size()};
}

// A file's id (32 hex digits) as the transfer id its chunks carry.
webrtc::TransferId transferIdOf(std::string_view hex) {
    webrtc::TransferId id{};
    if (!fromHex(hex, id)) id = {};
    return id;
}

} // namespace

PeerSession::PeerSession(asio::io_context& io, webrtc::IceLoop& loop,
                         const webrtc::DtlsIdentity& identity, webrtc::IceAgent::Post post,
                         Options options, Events events)
    : io_(io), options_(std::move(options)), events_(std::move(events)),
      connection_(loop, identity, std::move(post), options_.connection, [this] {
          webrtc::PeerConnection::Handlers h;
          h.gathered = [this] {
              if (!described_ && (offer_ || offering_)) describe();
          };
          // Candidates gathered after our description went are trickled (RFC 8838 §4.2).
          h.candidate = [this](const webrtc::IceCandidate& c) {
              if (described_ && events_.signal)
                  events_.signal(
                      writePeerMessage(Performative::candidate, options_.traceId,
                                       {{"candidate", "candidate:" + webrtc::writeCandidate(c)}}));
          };
          h.ready = [this] {
              if (!offering_ || control_) return;
              webrtc::DataChannelOpen open;
              open.label = std::string(kControlChannel);
              if (auto* channels = connection_.channels(); !channels || !channels->open(open))
                  finish({Errc::io, "the control channel could not be opened"});
          };
          h.writable = [this] {
              backedUpSince_ = {};
              relieve(Impairment::backedUp);
              pump();
          };
          h.connectivity = [this](bool up) {
              if (up) return relieve(Impairment::ice);
              impair(Impairment::ice, "ICE: the selected pair stopped answering (RFC 7675 §5.1)");
          };
          h.channels.opened = [this](const webrtc::DataChannel& c) { onChannelOpened(c); };
          h.channels.message = [this](const webrtc::DataChannel& c,
                                      std::span<const std::byte> message, bool binary) {
              if (!control_ || c.id != *control_ || over_) return;
              if (binary) return sendError("", "the control channel takes text messages only");
              onText({reinterpret_cast<const char*>(message.data()), message.size()});
          };
          h.channels.closed = [this](const webrtc::DataChannel& c) {
              if (!control_ || c.id != *control_ || over_) return;
              finish({Errc::closed, "the peer closed the control channel"});
          };
          h.channels.refused = [this](const Error& why) { // the peer's doing: rate-limited
              SB_WARN_RATE_LIMITED(logger(), "trace={} WebRTC peer: {}", options_.traceId,
                                   why.message);
          };
          h.failed = [this](const Error& why) { finish(why); };
          h.selected = [this](const std::string& pair) {
              logger().info("trace={} WebRTC peer: ICE selected {}", options_.traceId, pair);
          };
          h.media = [this](std::span<const std::byte> packet) {
              if (audio_) audio_->toRoom(packet);
          };
          return h;
      }()) {}

PeerSession::~PeerSession() = default;

void PeerSession::answer(std::string offer) {
    if (auto gathering = connection_.gather(false); !gathering) {
        over_ = true;
        return events_.described(sb::fail(gathering.error()), 0);
    }
    offer_ = std::move(offer);
    describeDeadline_ = Clock::now() + options_.gatherLimit;
}

void PeerSession::offer() {
    if (auto gathering = connection_.gather(true); !gathering) {
        over_ = true;
        return events_.described(sb::fail(gathering.error()), 0);
    }
    offering_ = true;
    describeDeadline_ = Clock::now() + options_.gatherLimit;
}

void PeerSession::describe() {
    described_ = true;
    auto description = offering_ ? connection_.offer() : connection_.answer(*offer_);
    offer_.reset();
    if (!description) {
        over_ = true;
        return events_.described(sb::fail(description.error()), 0);
    }
    // The control channel opens and the handshake is answered within the time that any
    // acknowledgement has, counted from our description.
    handshakeDeadline_ = now_ + options_.ackTimeout;
    // Answering, the peer's limit is known from its offer; offering, once it has answered.
    events_.described(std::move(description), offering_ ? 0 : connection_.peerLargestMessage());
    if (connection_.audio()) relayAudio();
}

void PeerSession::relayAudio() {
    const std::uint32_t ssrc = options_.connection.audio->ssrc;
    auto relay = AudioRelay::open(io_, ssrc, [this](std::span<std::byte> buffer, std::size_t n) {
        (void)connection_.sendMedia(buffer, n); // until DTLS has keyed SRTP, nothing goes
    });
    if (!relay) {
        logger().warn("trace={} WebRTC peer: {}; its audio stays out of the room", options_.traceId,
                      relay.error().message);
        return;
    }
    audio_ = std::move(relay).value();
    if (events_.mediaOffer) events_.mediaOffer(audio_->offer(*connection_.audio()));
}

void PeerSession::mediaAnswered(Result<std::string> answer) {
    if (!audio_) return;
    auto taken = answer ? audio_->answered(*answer) : Result<void>(sb::fail(answer.error()));
    if (!taken) {
        logger().warn("trace={} WebRTC peer: the room did not take its audio: {}", options_.traceId,
                      taken.error().message);
        audio_.reset();
        return;
    }
    logger().info("trace={} WebRTC peer: its audio joins the room", options_.traceId);
}

void PeerSession::accept(const std::string& answer) {
    if (!offering_ || over_) return;
    if (auto accepted = connection_.accept(answer); !accepted)
        finish({Errc::invalid_input, "the peer's answer: " + accepted.error().message});
}

void PeerSession::addCandidate(const std::string& line) {
    if (over_) return;
    if (line.empty()) return connection_.remoteGatheringDone();
    auto candidate = webrtc::readCandidate(line);
    // One we cannot use (another type, RFC 8445) is one pair fewer; a malformed one is said.
    if (!candidate && candidate.error().code != Errc::unsupported && events_.signal)
        return events_.signal(
            writePeerMessage(Performative::error, options_.traceId,
                             {{"detail", "candidate: " + candidate.error().message}}));
    if (candidate) (void)connection_.addRemoteCandidate(*candidate);
}

Result<std::optional<webrtc::IceFragment>>
PeerSession::takeFragment(const webrtc::IceFragment& fragment, bool answers) {
    if (over_) return sb::fail(Errc::not_found, "the session is over");
    auto ours = connection_.takeFragment(fragment, answers);
    if (ours && *ours)
        logger().info("trace={} WebRTC peer of escalation {}: ICE restarted by the peer",
                      options_.traceId, options_.escalation);
    return ours;
}

void PeerSession::onChannelOpened(const webrtc::DataChannel& channel) {
    if (control_ || channel.params.label != kControlChannel || over_) return;
    control_ = channel.id;
    const nlohmann::json payload{{"escalation", options_.escalation},
                                 {"role", options_.role},
                                 {"max_message_size", options_.connection.maxMessageSize}};
    handshakeDeadline_ = now_ + options_.ackTimeout;
    (void)send(bytesOf(writePeerMessage(Performative::handshake, options_.traceId, payload,
                                        &handshakeId_)),
               false);
}

void PeerSession::onText(std::string_view text) {
    auto message = readPeerMessage(text);
    if (!message) {
        // The id, if the envelope had one, lets the peer match the error to its message.
        std::string id;
        if (auto json = nlohmann::json::parse(text, nullptr, false);
            json.is_object() && json.contains("id") && json["id"].is_string())
            id = json["id"].get<std::string>();
        return sendError(id, message.error().message);
    }
    switch (message->performative) {
    case Performative::handshake:
        if (active_) return;
        if (auto binary = message->payload.find("binary");
            binary != message->payload.end() && binary->is_boolean())
            binary_ = binary->get<bool>();
        active_ = true;
        logger().info("trace={} WebRTC peer of escalation {}: handshake answered ({} chunks)",
                      options_.traceId, options_.escalation, binary_ ? "binary" : "base64");
        events_.active(connection_.peerLargestMessage());
        for (auto& [file, fromChunk] : std::exchange(beforeHandshake_, {}))
            sendFile(file, fromChunk);
        return pump();
    case Performative::ack: {
        auto ack = readAck(message->payload);
        if (!ack) return sendError(message->id, ack.error().message);
        return onAck(*ack);
    }
    case Performative::session_end:
        return finish(
            {Errc::closed, textOf(message->payload, "reason", "the peer ended the session")});
    case Performative::error: {
        const std::string detail = textOf(message->payload, "detail", "");
        const std::string about = textOf(message->payload, "in_reply_to", "");
        SB_WARN_RATE_LIMITED(logger(), "trace={} WebRTC peer says: {} (about {})", options_.traceId,
                             shortened(detail), shortened(about));
        for (auto t = transfers_.begin(); t != transfers_.end(); ++t)
            if (t->id == about) {
                report(*t, "the peer refused it: " + detail);
                transfers_.erase(t);
                return pump();
            }
        return;
    }
    case Performative::context_update:
    case Performative::evidence_chunk:
    case Performative::candidate: // the signalling's, not the channel's
        return sendError(message->id, fmt::format("/performative: Switchboard takes no {} from a "
                                                  "peer",
                                                  nameOf(message->performative)));
    }
}

void PeerSession::onAck(const PeerAck& ack) {
    if (ack.inReplyTo == handshakeId_) return; // the peer's handshake is its answer
    if (awaiting_.erase(ack.inReplyTo) == 0) {
        auto t = std::find_if(transfers_.begin(), transfers_.end(),
                              [&](const Transfer& t) { return t.id == ack.inReplyTo; });
        if (t == transfers_.end())
            return sendError(ack.inReplyTo, "/payload/in_reply_to: no message awaits this "
                                            "acknowledgement");
        onFileAck(*t, ack);
    }
    if (!impaired_.contains(Impairment::unacknowledged)) return;
    // Relieved once nothing awaits an acknowledgement past its time.
    const auto late = now_ - options_.ackTimeout;
    const bool stillLate =
        std::any_of(awaiting_.begin(), awaiting_.end(),
                    [&](auto& a) { return a.second <= now_; }) ||
        std::any_of(transfers_.begin(), transfers_.end(), [&](const Transfer& t) {
            return t.waitingSince != Clock::time_point{} && t.waitingSince <= late;
        });
    if (!stillLate) relieve(Impairment::unacknowledged);
}

void PeerSession::onFileAck(Transfer& t, const PeerAck& ack) {
    const auto before = t.sender.acknowledgedChunks();
    if (ack.next) {
        // Progress only: an acknowledgement of nothing new (a stale one, repeated) must not
        // keep a peer that holds nothing more from its deadline.
        t.sender.acknowledged(*ack.next);
        const bool waiting = t.sender.acknowledgedChunks() < t.sender.sentChunks() ||
                             (t.sender.done() && ack.sha256.empty());
        if (!waiting)
            t.waitingSince = Clock::time_point{};
        else if (t.sender.acknowledgedChunks() > before || t.waitingSince == Clock::time_point{})
            t.waitingSince = now_;
    }
    if (!ack.sha256.empty() && t.sender.done()) {
        std::string error;
        if (ack.sha256 != t.file->sha256) {
            error = fmt::format("the peer's SHA-256 {} differs from the file's {}", ack.sha256,
                                t.file->sha256);
            sendError(t.id, error);
        }
        report(t, error);
        std::erase_if(transfers_, [&](const Transfer& other) { return &other == &t; });
        return pump();
    }
    const std::uint32_t step = std::max<std::uint32_t>(1, t.sender.description().count / 20);
    if (t.sender.acknowledgedChunks() >= t.reported + step) report(t);
    if (t.sender.acknowledgedChunks() > before) pump(); // its window (kWindow) moved on
}

void PeerSession::report(Transfer& t, std::string error) {
    t.reported = t.sender.acknowledgedChunks();
    const auto& d = t.sender.description();
    room::FileProgress p;
    p.transfer = t.id;
    p.size = d.size;
    p.chunks = t.reported;
    p.held = std::min<std::uint64_t>(d.size, std::uint64_t{t.reported} * d.chunkPayload);
    p.complete = t.sender.done() && error.empty();
    p.error = std::move(error);
    events_.progress(p);
}

void PeerSession::sendContext(const std::string& summary, const std::string& context) {
    if (over_) return;
    Outgoing out;
    out.text = writeContextUpdate(options_.traceId, summary, context, &out.awaits);
    texts_.push_back(std::move(out));
    pump();
}

void PeerSession::sendFile(const std::shared_ptr<const room::EvidenceFile>& file,
                           std::uint32_t fromChunk) {
    if (over_) return;
    // Its chunks are sized for binary or text, which the peer's handshake says: until then
    // the file waits.
    if (!active_) {
        beforeHandshake_.emplace_back(file, fromChunk);
        return;
    }
    // The chunks fit the limit the peer said in its description (RFC 8841 §6), as they are
    // or in base64 on the JSON fallback.
    webrtc::Sha256 digest{};
    (void)fromHex(file->sha256, digest);
    const auto largest =
        binary_
            ? connection_.peerLargestMessage()
            : webrtc::evidenceChunkLimitAsText(connection_.peerLargestMessage(), kChunkEnvelope);
    Transfer t{
        file,
        webrtc::EvidenceSender(transferIdOf(file->id), file->name, file->size, digest, largest),
        file->id,
        false,
        std::nullopt,
        0,
        {}};
    t.sender.acknowledged(fromChunk);
    transfers_.push_back(std::move(t));
    readAhead(transfers_.back());
    pump();
}

void PeerSession::readAhead(Transfer& t) {
    // The sender asks once its read-ahead has room, and for nothing while a read is out.
    if (auto wanted = t.sender.wanted()) events_.read(t.file, wanted->offset, wanted->length);
}

void PeerSession::supply(const std::string& fileId, Result<std::vector<std::byte>> bytes) {
    if (over_) return;
    auto t = std::find_if(transfers_.begin(), transfers_.end(),
                          [&](const Transfer& t) { return t.id == fileId; });
    if (t == transfers_.end()) return; // done or refused since
    if (!bytes) {
        logger().warn("trace={} WebRTC peer: evidence {} could not be read: {}", options_.traceId,
                      fileId, bytes.error().message);
        report(*t, "it could not be read: " + bytes.error().message);
        transfers_.erase(t);
        return pump();
    }
    t->sender.supply(*bytes);
    readAhead(*t);
    pump();
}

void PeerSession::announce(Transfer& t) {
    const auto& d = t.sender.description();
    const nlohmann::json payload{
        {"transfer", t.id},         {"name", t.file->name},
        {"type", t.file->type},     {"size", d.size},
        {"sha256", t.file->sha256}, {"chunk_payload", d.chunkPayload},
        {"count", d.count},         {"from", t.sender.acknowledgedChunks()}};
    if (send(bytesOf(writePeerMessage(Performative::evidence_chunk, options_.traceId, payload)),
             false))
        t.announced = true;
}

void PeerSession::pump() {
    if (!active_ || !control_ || over_) return;
    while (!texts_.empty()) {
        const auto sending = trySend(bytesOf(texts_.front().text), false);
        if (sending == Sending::later) return;
        // A message dropped (too large for the peer) awaits no acknowledgement: waiting for
        // one would fail a session that works.
        if (sending == Sending::sent && !texts_.front().awaits.empty())
            awaiting_[texts_.front().awaits] = now_ + options_.ackTimeout;
        texts_.pop_front();
    }
    // The files one after another, each chunk in order (the peer reads them so).
    for (auto& t : transfers_) {
        if (!t.announced) announce(t);
        if (!t.announced) return;
        while (t.refused || t.sender.sentChunks() < t.sender.description().count) {
            if (!t.refused) t.refused = t.sender.next();
            readAhead(t);
            if (!t.refused) return; // its bytes are being read: supply() pumps again
            if (!sendChunk(t, *t.refused)) return;
            t.refused.reset();
            if (t.waitingSince == Clock::time_point{}) t.waitingSince = now_;
        }
    }
}

bool PeerSession::sendChunk(const Transfer& t, const std::vector<std::byte>& chunk) {
    if (binary_) return send(chunk, true);
    auto c = webrtc::readEvidenceChunk(chunk);
    return send(bytesOf(writeEvidenceChunkText(options_.traceId, t.id, c->index,
                                               webrtc::hexOf(c->digest), c->payload)),
                false);
}

PeerSession::Sending PeerSession::trySend(std::span<const std::byte> message, bool binary) {
    webrtc::DataChannels* channels = connection_.channels();
    if (!channels || !control_) return Sending::later;
    auto sent = channels->send(*control_, message, binary);
    if (sent) return Sending::sent;
    if (sent.error().code == Errc::incomplete) {
        if (backedUpSince_ == Clock::time_point{}) backedUpSince_ = now_;
        return Sending::later;
    }
    SB_WARN_RATE_LIMITED(logger(), "trace={} WebRTC peer: a message of {} bytes was not sent: {}",
                         options_.traceId, message.size(), sent.error().message);
    return Sending::dropped;
}

void PeerSession::sendError(std::string_view inReplyTo, std::string_view detail) {
    nlohmann::json payload{{"detail", detail}};
    if (!inReplyTo.empty()) payload["in_reply_to"] = inReplyTo;
    (void)send(bytesOf(writePeerMessage(Performative::error, options_.traceId, std::move(payload))),
               false);
}

void PeerSession::end(const std::string& reason) {
    if (over_) return;
    over_ = true;
    (void)send(bytesOf(writePeerMessage(Performative::session_end, options_.traceId,
                                        {{"reason", reason}})),
               false);
}

void PeerSession::impair(Impairment what, const std::string& why) {
    const bool first = impaired_.empty();
    impaired_.insert(what);
    if (!first || !active_ || over_) return;
    attempt_ = 0;
    nextAttempt_ = now_ + options_.backoff[0];
    logger().warn("trace={} WebRTC peer of escalation {} degraded: {}", options_.traceId,
                  options_.escalation, why);
    events_.degraded(why);
    reconnect();
}

void PeerSession::reconnect() {
    const auto say = [this](std::string_view what) {
        logger().info("trace={} WebRTC peer of escalation {}: reconnection attempt {}: {}",
                      options_.traceId, options_.escalation, attempt_ + 1, what);
    };
    const bool iceLost =
        impaired_.contains(Impairment::ice) || impaired_.contains(Impairment::silent);
    if (!iceLost || !events_.signal) return say("waiting for the peer");
    if (connection_.restarting()) return say("waiting for the peer's answer to our ICE restart");
    auto ours = connection_.restartIce();
    if (!ours) return say("no ICE restart: " + ours.error().message);
    say("ICE restart offered to the peer");
    events_.signal(writePeerMessage(Performative::handshake, options_.traceId,
                                    {{"type", "offer"}, {"ice", webrtc::writeIceFragment(*ours)}}));
}

void PeerSession::checkHeard(Clock::time_point now) {
    if (const auto heard = connection_.datagramsReceived(); heard != heard_) {
        heard_ = heard;
        heardAt_ = now;
        return relieve(Impairment::silent);
    }
    if (now >= heardAt_ + options_.silence)
        impair(
            Impairment::silent,
            fmt::format("ICE: nothing heard from the peer for {} s",
                        std::chrono::duration_cast<std::chrono::seconds>(now - heardAt_).count()));
}

void PeerSession::relieve(Impairment what) {
    if (impaired_.erase(what) == 0 || !impaired_.empty() || !active_ || over_) return;
    logger().info("trace={} WebRTC peer of escalation {} recovered", options_.traceId,
                  options_.escalation);
    events_.recovered();
}

void PeerSession::finish(Error why) {
    if (over_) return;
    over_ = true;
    if (audio_) {
        const auto& a = audio_->stats();
        logger().info("trace={} WebRTC peer: its audio leaves the room: {} packets to the room "
                      "({} dropped), {} to the peer",
                      options_.traceId, a.toRoom, a.dropped, a.toPeer);
        audio_.reset();
    }
    // Where each file got to, so that the next session resumes from there.
    for (auto& t : transfers_)
        if (t.reported != t.sender.acknowledgedChunks()) report(t);
    if (!described_) return events_.described(sb::fail(std::move(why)), 0);
    // A peer with a signalling channel hears why, there too (its DataChannel may be gone).
    if (events_.signal)
        events_.signal(writePeerMessage(Performative::session_end, options_.traceId,
                                        {{"reason", why.message}}));
    // A peer that closes its peer connection without session_end (a browser's tab) aborts
    // the association: it ended the session, nothing failed.
    if (why.code == Errc::closed && active_) {
        logger().info("trace={} WebRTC peer of escalation {} left: {}", options_.traceId,
                      options_.escalation, why.message);
        return events_.ended(why.message);
    }
    logger().warn("trace={} WebRTC peer of escalation {} failed: {}", options_.traceId,
                  options_.escalation, why.message);
    events_.failed(why);
}

void PeerSession::tick(Clock::time_point now) {
    now_ = now;
    connection_.tick();
    if (!over_) checkDeadlines(now);
}

void PeerSession::checkDeadlines(Clock::time_point now) {
    if (!described_ && (offer_ || offering_) && now >= describeDeadline_)
        describe(); // with the candidates gathered so far
    if (over_) return;
    if (!active_) {
        if (handshakeDeadline_ != Clock::time_point{} && now >= handshakeDeadline_)
            finish({Errc::timeout,
                    fmt::format("the peer answered no handshake in {} s ({}; {})",
                                options_.ackTimeout.count() / 1000, connection_.progress(),
                                control_ ? "the channel \"switchboard\" open"
                                         : "no channel \"switchboard\" opened")});
        return;
    }
    checkHeard(now);
    for (const auto& [id, deadline] : awaiting_)
        if (now >= deadline)
            impair(Impairment::unacknowledged,
                   fmt::format("context_update {} unacknowledged for {} s", id,
                               options_.ackTimeout.count() / 1000));
    for (const auto& t : transfers_)
        if (t.waitingSince != Clock::time_point{} && now >= t.waitingSince + options_.ackTimeout)
            impair(Impairment::unacknowledged,
                   fmt::format("evidence {} unacknowledged for {} s", t.id,
                               options_.ackTimeout.count() / 1000));
    if (backedUpSince_ != Clock::time_point{} && now >= backedUpSince_ + options_.ackTimeout)
        impair(Impairment::backedUp, fmt::format("the send buffer has been full for {} s",
                                                 options_.ackTimeout.count() / 1000));
    // While degraded: the reconnection attempts, each given its time to recover, then failed.
    if (impaired_.empty() || now < nextAttempt_) return;
    if (++attempt_ >= options_.backoff.size())
        return finish({Errc::timeout, fmt::format("no recovery after {} reconnection attempts",
                                                  options_.backoff.size())});
    nextAttempt_ = now + options_.backoff[attempt_];
    reconnect();
}

} // namespace sb::bridge
