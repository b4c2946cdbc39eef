#pragma once
// A WebRTC peer connection that carries DataChannels: ICE (ice_agent.hpp) under the DataChannel
// stack (data_transport.hpp), driven by session descriptions (data_session.hpp). The offerer
// controls ICE (RFC 8445 §6.1.1); the answerer picks the DTLS role (RFC 8842 §5.3).
//
// When it answers an offer with Opus audio and Options::audio says to take it, the audio's RTP
// and RTCP share the bundle's transport (RFC 8843), told apart from DTLS by their first byte
// (RFC 7983), and are protected with SRTP keyed by the DTLS handshake (DTLS-SRTP, RFC 5764
// §4.2): Handlers::media gets the peer's packets in the clear, sendMedia() protects ours.
//
// The owner gathers first (our description carries our candidates, for peers that do not
// trickle; those that do get each one through Handlers::candidate as well), then writes its
// offer or answer once Handlers::gathered says so. Timers: tick() every few milliseconds
// (DTLS's retransmissions), and SctpTransport::advanceTimers for every association at once.
// One thread, the owner's (IceAgent::Post brings ICE's news there).

#include "rtp/srtp.hpp"
#include "webrtc/data_session.hpp"
#include "webrtc/data_transport.hpp"
#include "webrtc/ice_agent.hpp"

#include <memory>
#include <optional>
#include <string>

namespace sb::webrtc {

class PeerConnection {
public:
    struct Options {
        std::uint16_t sctpPort = 5000;
        std::uint64_t maxMessageSize = 262144; // ours, in a=max-message-size
        IceAgent::Options ice;                 // its `controlling` is set by the role
        // Take the offer's Opus audio, if it has any; we send it with this SSRC and CNAME.
        std::optional<DataSession::Audio> audio;
    };
    struct Handlers {
        std::function<void(const IceCandidate&)> candidate; // ours, to trickle (optional)
        std::function<void()> gathered;                     // our description can be written now
        std::function<void()> ready;                        // channels can be opened
        std::function<void()> writable; // room again after a send refused for want of it
        // The selected pair stopped working (ICE disconnected, or its consent lost: RFC 7675
        // §5.1), or works again. Without this handler nothing but ICE failing before any pair
        // worked fails the connection.
        std::function<void(bool up)> connectivity;
        DataChannels::Handlers channels;
        std::function<void(const Error&)> failed;              // ICE, DTLS or SCTP; once
        std::function<void(const std::string& pair)> selected; // ICE's pair, in words
        // An RTP or RTCP packet of the peer's audio, authenticated and decrypted.
        std::function<void(std::span<const std::byte> packet)> media;
    };

    PeerConnection(IceLoop& loop, const DtlsIdentity& identity, IceAgent::Post post,
                   Options options, Handlers handlers);
    PeerConnection(const PeerConnection&) = delete;
    PeerConnection& operator=(const PeerConnection&) = delete;

    // Starts ICE in the offerer's (controlling) or answerer's role, and gathers.
    Result<void> gather(bool offerer);
    // Our offer, with the candidates gathered so far.
    Result<std::string> offer();
    // The peer's answer to our offer: ICE, DTLS and SCTP start.
    Result<void> accept(std::string_view answer);
    // Our answer to the peer's offer, with the candidates gathered so far; ICE, DTLS and SCTP
    // start.
    Result<std::string> answer(std::string_view offer);
    // What the peer's fragment brings (WHIP's PATCH, RFC 9725 §4.3): candidates trickled in
    // the ICE session it names (nullopt), or, with credentials other than the session's, an
    // ICE restart (RFC 8445 §9): ours change as well and are returned with our candidates;
    // checks start over on the same sockets, and DTLS, SCTP and SRTP go on over the new pair.
    // After restartIce(), new credentials are the peer's answer to ours (nullopt): whichever
    // side's restart comes first, the other's is taken as its answer, so two that cross
    // agree. One the peer calls an answer (`answers`) when no restart of ours awaits one is
    // refused (Errc::invalid_input). Errc::incomplete before the session is set up.
    Result<std::optional<IceFragment>> takeFragment(const IceFragment& peer, bool answers = false);
    // An ICE restart of ours (RFC 8445 §9), for a peer whose signalling we can speak on: new
    // credentials, returned with our candidates for the peer, whose own come back through
    // takeFragment(). Errc::incomplete before the session is set up.
    Result<IceFragment> restartIce();
    // A restart of ours waits for the peer's credentials.
    bool restarting() const noexcept { return restarting_; }
    // Our credentials now, with every candidate gathered.
    IceFragment localFragment() const;
    // A candidate the peer trickled, or the end of them.
    Result<void> addRemoteCandidate(const IceCandidate& candidate);
    void remoteGatheringDone();

    void tick();
    // Null until ready.
    DataChannels* channels();
    // How far the connection has got, for an error that says where it stalled: "ICE
    // connected, DTLS handshaking, SCTP not up".
    std::string progress() const;
    // The peer's a=max-message-size as read (0: no limit), once its description is known.
    std::uint64_t peerLargestMessage() const noexcept { return peerLargest_; }
    // The peer's audio that our answer took.
    const std::optional<PeerAudio>& audio() const noexcept { return audio_; }
    // An RTP or RTCP packet of ours for the peer's audio, in the first `length` bytes of
    // `buffer`, which has rtp::kSrtpMaxOverhead bytes more for SRTP: protected in place and
    // sent. Errc::incomplete until DTLS has given the keys.
    Result<void> sendMedia(std::span<std::byte> buffer, std::size_t length);
    struct MediaStats {
        std::uint64_t received = 0, sent = 0, refused = 0; // refused: SRTP's checks failed
    };
    const MediaStats& mediaStats() const noexcept { return mediaStats_; }
    // Every datagram ICE has brought from the peer, so that the owner can tell a silent path.
    std::uint64_t datagramsReceived() const noexcept { return datagramsReceived_; }

private:
    DataSession ours() const;
    Result<void> connect(const PeerDataSession& peer, DtlsRole role);
    void fail(const Error& why);
    // A datagram from ICE that is not DTLS: the peer's SRTP or SRTCP.
    void receiveMedia(std::span<const std::byte> datagram);
    // The SRTP sessions, once DTLS has given their keys; false before.
    bool keyed();

    IceLoop& loop_;
    const DtlsIdentity& identity_;
    IceAgent::Post post_;
    Options options_;
    Handlers handlers_;
    std::vector<IceCandidate> gathered_;
    bool gatheringDone_ = false, failed_ = false, iceDown_ = false, iceWorked_ = false;
    IceAgent::State iceState_ = IceAgent::State::gathering;
    std::uint64_t peerLargest_ = 65536;
    std::string remoteUfrag_; // the peer's, in the ICE session now
    bool restarting_ = false; // restartIce() waits for the peer's credentials
    std::uint64_t datagramsReceived_ = 0;
    std::unique_ptr<IceAgent> ice_;
    std::unique_ptr<DataTransport> transport_;
    std::optional<PeerAudio> audio_;
    std::unique_ptr<rtp::SrtpSession> srtpIn_, srtpOut_;
    std::vector<std::byte> incoming_; // a packet being unprotected
    MediaStats mediaStats_;
};

} // namespace sb::webrtc
