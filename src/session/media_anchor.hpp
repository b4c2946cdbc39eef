#pragma once
// The media of pass-through pairs (room/pair_media.hpp), such as the rooms of bridged calls:
// Switchboard puts its own address and ports in every session description that crosses a
// pair, so that both legs send their RTP to it, and joins the two legs' streams with a link
// that relays or transcodes as codec negotiation decides (ARCHITECTURE.md "Codec
// negotiation"; its outcome and reason are logged).
//
// The negotiation runs here, on the control loop, where the room asks for it; the streams and
// the link run on a media worker (session/media_lanes.hpp), which this tells what to do by
// posting: its ports are leased here (their sockets belong to the worker), and what the
// worker sees (a DTMF event to send on as INFO, its counters) is posted back.
//
// Per pair, RFC 3264's offer/answer runs end to end: an offer from one leg becomes our offer to
// the other (our port, the offerer's codecs first and then the ones we can transcode to, its
// direction, so that hold and resume cross), and that leg's answer becomes our answer to the
// offerer (the codec chosen for its side). Re-offers (hold, resume, a new address) rewire the
// call without dropping it. The first audio stream is anchored; other streams are refused.

#include "room/pair_media.hpp"
#include "rtp/stream_link.hpp"
#include "sdp/codec.hpp"
#include "sdp/offer_answer.hpp"
#include "sdp/session.hpp"
#include "session/media_lanes.hpp"
#include "session/sdes.hpp"
#include "sip/routing.hpp"

#include <functional>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace sb::session {

struct MediaOptions {
    std::string advertise;          // the address in our SDP; empty: the port pool's
    bool latching = true;           // RFC 4961 symmetric RTP for phones behind NAT
    std::vector<sdp::Codec> codecs; // offered and accepted, preferred first; all implemented
    std::uint32_t packetMs = 20;
    // SDES-keyed SRTP towards the called leg (the caller gets what it offered); a route may
    // say otherwise.
    sdp::SrtpPolicy srtp = sdp::SrtpPolicy::off;
};

class MediaAnchor final : public room::PairMedia {
public:
    // Each call's streams live on one of `lanes` (the one with the fewest calls when its first
    // description crosses), with ports from that lane's share for bridged calls. The lanes must
    // outlive the anchor, whose destruction stops them first.
    MediaAnchor(MediaLanes& lanes, MediaOptions options);
    ~MediaAnchor() override;
    MediaAnchor(const MediaAnchor&) = delete;
    MediaAnchor& operator=(const MediaAnchor&) = delete;

    using Party = room::End;
    Result<std::string> relay(room::RoomId pair, Party from, std::string_view sdp) override;
    void left(room::RoomId pair) override;
    // A route's own `srtp` replaces options.srtp for the pair, before its first relay().
    void routed(room::RoomId pair, const sip::RouteMatch& route);
    // The digit as RFC 4733 events to the other leg, if it has telephone-event.
    bool dtmfFromInfo(room::RoomId pair, Party from, char digit,
                      std::chrono::milliseconds duration);
    // How a digit from a leg whose peer lacks telephone-event goes on (the signalling's way:
    // SIP INFO); set by whoever relays the pair's signalling.
    using InfoSender = std::function<void(room::RoomId pair, Party to, char digit,
                                          std::chrono::milliseconds duration)>;
    void setInfoSender(InfoSender sender) { infoSender_ = std::move(sender); }

    std::size_t sessions() const noexcept { return sessions_.size(); }

    // Packet counters over every stream and link, the ended calls' included, as the lanes last
    // reported them (exact once the lanes have stopped).
    struct Stats {
        rtp::StreamStats streams;
        rtp::StreamLink::Stats links;
        Stats& operator+=(const Stats& s) noexcept;
    };
    Stats stats() const;
    // Asks every lane for its counters; `done` runs on the control loop once all have answered.
    void refresh(const std::function<void()>& done);

private:
    struct Session;
    struct PartyMedia;
    struct Carried; // a call's streams and link, on its lane
    struct LaneCalls;
    struct Batch;
    Result<std::string> offer(std::uint64_t call, Session& s, Party from,
                              const sdp::Session& offer);
    Result<std::string> answer(std::uint64_t call, Session& s, Party from,
                               const sdp::Session& answer);
    Session& session(std::uint64_t call);
    // The call's ports, leased now; its streams are made on the lane with the batch.
    Result<void> ensureStreams(Session& s);
    sdp::Origin originFor(Session& s, PartyMedia& towards);
    // The party's stream keyed as settled (on the lane): SRTP with `keys`, plain RTP without;
    // nothing when it has these keys already.
    void keyOnLane(std::uint64_t call, Session& s, Party party,
                   const std::optional<SdesKeys>& keys);
    // Posts what the current relay() asked of the lane.
    void flush();
    // Runs `work` with the call's streams, on its lane (with the batch, inside relay()).
    template <class Work>
    void onLane(std::uint64_t call, const Session& s, Work work);

    MediaOptions options_;
    MediaLanes& lanes_;
    std::vector<std::unique_ptr<LaneCalls>> laneCalls_; // each used on its lane's thread only
    std::vector<Stats> reported_;                       // each lane's last report
    std::vector<std::size_t> callsOnLane_;              // as the control loop counts them
    std::mt19937_64 random_;
    std::unordered_map<std::uint64_t, std::unique_ptr<Session>> sessions_;
    std::unique_ptr<Batch> batch_; // while relay() runs
    InfoSender infoSender_;
};

} // namespace sb::session
