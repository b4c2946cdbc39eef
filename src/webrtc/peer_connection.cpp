#include "webrtc/peer_connection.hpp"

#include "webrtc/demux.hpp"

#include <array>
#include <fmt/format.h>
#include <random>

namespace sb::webrtc {

PeerConnection::PeerConnection(IceLoop& loop, const DtlsIdentity& identity, IceAgent::Post post,
                               Options options, Handlers handlers)
    : loop_(loop), identity_(identity), post_(std::move(post)), options_(std::move(options)),
      handlers_(std::move(handlers)) {}

Result<void> PeerConnection::gather(bool offerer) {
    if (ice_) return sb::fail(Errc::invalid_input, "WebRTC: gathering has begun already");
    IceAgent::Options o = options_.ice;
    o.controlling = offerer;
    IceAgent::Handlers h;
    h.candidate = [this](const IceCandidate& c) {
        gathered_.push_back(c);
        if (handlers_.candidate) handlers_.candidate(c);
    };
    h.gathered = [this] {
        gatheringDone_ = true;
        if (handlers_.gathered) handlers_.gathered();
    };
    h.state = [this](IceAgent::State s) {
        // Failed before any pair worked: no path at all. After one did, the pair lost consent
        // (RFC 7675 §5.1: libnice reports it as failed): the owner decides how long to wait.
        if (s == IceAgent::State::failed && !iceWorked_)
            return fail({Errc::timeout, "ICE: no candidate pair answered (RFC 8445 §8.1)"});
        iceState_ = s;
        if (s == IceAgent::State::connected) iceWorked_ = true;
        const bool down = s == IceAgent::State::disconnected || s == IceAgent::State::failed;
        if (down != iceDown_ && (down || s == IceAgent::State::connected)) {
            iceDown_ = down;
            if (handlers_.connectivity) handlers_.connectivity(!down);
        }
        // DTLS starts once a pair works, so that its first flight is not lost to ICE.
        if (s == IceAgent::State::connected && transport_ &&
            transport_->dtls().state() == DtlsTransport::State::idle)
            transport_->start();
    };
    h.selected = [this](const std::string& pair) {
        if (handlers_.selected) handlers_.selected(pair);
    };
    h.received = [this](std::span<const std::byte> d) {
        ++datagramsReceived_;
        if (!transport_) return;
        if (classify(d) == PacketKind::rtp) return receiveMedia(d);
        transport_->receive(d);
    };
    auto made = IceAgent::make(loop_, o, post_, std::move(h));
    if (!made) return sb::fail(made.error());
    ice_ = std::move(made).value();
    return ice_->gather();
}

DataSession PeerConnection::ours() const {
    DataSession s;
    auto [ufrag, pwd] = ice_->localCredentials();
    s.transport.iceUfrag = std::move(ufrag);
    s.transport.icePwd = std::move(pwd);
    s.transport.iceOptions = {"trickle"};
    s.transport.fingerprints = {identity_.fingerprint()};
    s.transport.candidates = gathered_;
    s.transport.endOfCandidates = gatheringDone_;
    s.sctp.port = options_.sctpPort;
    s.sctp.maxMessageSize = options_.maxMessageSize;
    // RFC 8829 §5.2.1: a random session id of at most 62 bits.
    s.sessionId = std::random_device{}() & ((std::uint64_t{1} << 62) - 1);
    return s;
}

Result<std::string> PeerConnection::offer() {
    if (!ice_) return sb::fail(Errc::incomplete, "WebRTC: gather first");
    return writeOffer(ours());
}

Result<void> PeerConnection::accept(std::string_view answer) {
    auto peer = readDataSession(answer);
    if (!peer) return sb::fail(peer.error());
    const auto setup = peer->transport.setup;
    if (!setup || *setup == DtlsSetup::actpass || *setup == DtlsSetup::holdconn)
        return sb::fail(Errc::invalid_input,
                        "a=setup: an answer says active or passive (RFC 8842 §5.3)");
    return connect(*peer, roleLeftByAnswer(*setup));
}

Result<std::string> PeerConnection::answer(std::string_view offerText) {
    if (!ice_) return sb::fail(Errc::incomplete, "WebRTC: gather first");
    auto peer = readDataSession(offerText);
    if (!peer) return sb::fail(peer.error());
    auto setup = answerSetup(peer->transport.setup.value_or(DtlsSetup::actpass));
    if (!setup) return sb::fail(setup.error());
    DataSession ourSession = ours();
    if (peer->audio && options_.audio) {
        ourSession.audio = options_.audio;
        audio_ = peer->audio;
    }
    auto text = writeAnswer(std::move(ourSession), *peer);
    if (!text) return text;
    if (auto connected = connect(*peer, roleOfOurs(*setup)); !connected)
        return sb::fail(connected.error());
    return text;
}

Result<void> PeerConnection::connect(const PeerDataSession& peer, DtlsRole role) {
    if (transport_) return sb::fail(Errc::invalid_input, "WebRTC: a session is set up already");
    if (auto ok = ice_->setRemoteCredentials(peer.transport.iceUfrag, peer.transport.icePwd); !ok)
        return ok;
    remoteUfrag_ = peer.transport.iceUfrag;
    for (const auto& c : peer.transport.candidates)
        (void)ice_->addRemoteCandidate(c); // one libnice cannot use is one pair fewer
    if (peer.transport.endOfCandidates) ice_->remoteGatheringDone();

    DataTransport::Options o;
    o.role = role;
    o.peerFingerprints = peer.transport.fingerprints;
    o.sctp.localPort = options_.sctpPort;
    o.sctp.remotePort = peer.sctp.port;
    o.sctp.maxMessageSize = options_.maxMessageSize;
    o.peerLargestMessage = peerLargest_ = peer.sctp.largestMessage();
    DataTransport::Handlers h;
    // Before a pair is selected nothing can go; DTLS sends its flight again on its timer.
    h.send = [this](std::span<const std::byte> d) { ice_->send(d); };
    h.ready = [this] {
        if (handlers_.ready) handlers_.ready();
    };
    h.writable = [this] {
        if (handlers_.writable) handlers_.writable();
    };
    h.channels = handlers_.channels;
    h.failed = [this](const Error& why) { fail(why); };
    auto made = DataTransport::make(identity_, std::move(o), std::move(h));
    if (!made) return sb::fail(made.error());
    transport_ = std::move(made).value();
    return {};
}

Result<std::optional<IceFragment>> PeerConnection::takeFragment(const IceFragment& peer,
                                                                bool answers) {
    if (!ice_ || !transport_) return sb::fail(Errc::incomplete, "WebRTC: no session yet");
    if (answers && !restarting_)
        return sb::fail(Errc::invalid_input, "ICE: no restart of ours awaits an answer");
    const bool restarts = peer.iceUfrag && *peer.iceUfrag != remoteUfrag_;
    answers = restarts && restarting_;
    if (restarts) {
        if (!answers)
            if (auto restarted = ice_->restart(); !restarted) return sb::fail(restarted.error());
        if (auto ok = ice_->setRemoteCredentials(*peer.iceUfrag, *peer.icePwd); !ok)
            return sb::fail(ok.error());
        remoteUfrag_ = *peer.iceUfrag;
        restarting_ = false;
    }
    for (const auto& c : peer.candidates)
        (void)ice_->addRemoteCandidate(c); // one libnice cannot use is one pair fewer
    if (peer.endOfCandidates) ice_->remoteGatheringDone();
    if (!restarts || answers) return std::optional<IceFragment>();
    return std::optional(localFragment());
}

Result<IceFragment> PeerConnection::restartIce() {
    if (!ice_ || !transport_) return sb::fail(Errc::incomplete, "WebRTC: no session yet");
    if (auto restarted = ice_->restart(); !restarted) return sb::fail(restarted.error());
    restarting_ = true;
    return localFragment();
}

IceFragment PeerConnection::localFragment() const {
    IceFragment f;
    auto [ufrag, pwd] = ice_->localCredentials();
    f.iceUfrag = std::move(ufrag);
    f.icePwd = std::move(pwd);
    f.candidates = gathered_;
    f.endOfCandidates = gatheringDone_;
    return f;
}

Result<void> PeerConnection::addRemoteCandidate(const IceCandidate& candidate) {
    if (!ice_) return sb::fail(Errc::incomplete, "WebRTC: gather first");
    return ice_->addRemoteCandidate(candidate);
}

void PeerConnection::remoteGatheringDone() {
    if (ice_) ice_->remoteGatheringDone();
}

void PeerConnection::tick() {
    if (transport_) transport_->dtls().onTimeout(); // a no-op until the flight's timer is due
}

DataChannels* PeerConnection::channels() {
    return transport_ && transport_->sctp().connected() ? &transport_->channels() : nullptr;
}

std::string PeerConnection::progress() const {
    static constexpr std::array kIce{"gathering", "checking", "connected", "disconnected",
                                     "failed"};
    static constexpr std::array kDtls{"not started", "handshaking", "up", "closed", "failed"};
    const auto dtls = transport_ ? transport_->dtls().state() : DtlsTransport::State::idle;
    const bool sctp = transport_ && transport_->sctp().connected();
    return fmt::format("ICE {}, DTLS {}, SCTP {}", kIce.at(static_cast<std::size_t>(iceState_)),
                       kDtls.at(static_cast<std::size_t>(dtls)), sctp ? "up" : "not up");
}

bool PeerConnection::keyed() {
    if (srtpIn_) return true;
    const auto& keying = transport_ ? transport_->dtls().srtp() : std::nullopt;
    if (!keying) return false;
    // RFC 5764 §4.1.2: the profiles DtlsTransport offers, by OpenSSL's names.
    const auto suite = keying->profile == "SRTP_AES128_CM_SHA1_32"
                           ? rtp::SrtpSuite::aesCm128HmacSha1_32
                           : rtp::SrtpSuite::aesCm128HmacSha1_80;
    const DtlsRole role = transport_->dtls().role();
    auto bytes = [](const std::vector<std::uint8_t>& key) {
        return std::span(reinterpret_cast<const std::byte*>(key.data()), key.size());
    };
    const auto local = keying->localKeyAndSalt(role), remote = keying->remoteKeyAndSalt(role);
    auto out = rtp::SrtpSession::make(suite, bytes(local), rtp::SrtpSession::Direction::protect);
    auto in = rtp::SrtpSession::make(suite, bytes(remote), rtp::SrtpSession::Direction::unprotect);
    if (!out || !in) {
        fail({Errc::io, "DTLS-SRTP: " + (out ? in.error() : out.error()).message});
        return false;
    }
    srtpOut_ = std::move(out).value();
    srtpIn_ = std::move(in).value();
    return true;
}

// RFC 5761 §4: with rtcp-mux, a packet whose second byte (RTCP's packet type) is 192 to 223
// is RTCP; RTP's payload types stay clear of that range.
static bool isRtcp(std::span<const std::byte> packet) {
    if (packet.size() < 2) return false;
    const auto type = std::to_integer<unsigned>(packet[1]);
    return type >= 192 && type <= 223;
}

void PeerConnection::receiveMedia(std::span<const std::byte> datagram) {
    if (!audio_ || !keyed()) return;
    incoming_.assign(datagram.begin(), datagram.end());
    auto clear =
        isRtcp(datagram) ? srtpIn_->unprotectRtcp(incoming_) : srtpIn_->unprotectRtp(incoming_);
    if (!clear) {
        ++mediaStats_.refused;
        return;
    }
    ++mediaStats_.received;
    if (handlers_.media) handlers_.media(std::span(incoming_).first(*clear));
}

Result<void> PeerConnection::sendMedia(std::span<std::byte> buffer, std::size_t length) {
    if (!audio_ || !ice_ || !keyed()) return sb::fail(Errc::incomplete, "DTLS-SRTP: no keys yet");
    auto packet = buffer.first(length);
    auto sealed = isRtcp(packet) ? srtpOut_->protectRtcp(buffer, length)
                                 : srtpOut_->protectRtp(buffer, length);
    if (!sealed) return sb::fail(sealed.error());
    ++mediaStats_.sent;
    ice_->send(buffer.first(*sealed));
    return {};
}

void PeerConnection::fail(const Error& why) {
    if (failed_) return;
    failed_ = true;
    if (handlers_.failed) handlers_.failed(why);
}

} // namespace sb::webrtc
