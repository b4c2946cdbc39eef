#pragma once
// Media anchoring for bridged calls: Switchboard puts its own address and ports in every
// session description that crosses a call, so that both legs send their RTP to it, and joins
// the two legs' streams with a link that relays or transcodes as codec negotiation decides
// (ARCHITECTURE.md "Codec negotiation"; its outcome and reason are logged).
//
// Per call, RFC 3264's offer/answer runs end to end: an offer from one leg becomes our offer to
// the other (our port, the offerer's codecs first and then the ones we can transcode to, its
// direction, so that hold and resume cross), and that leg's answer becomes our answer to the
// offerer (the codec chosen for its side). Re-offers (hold, resume, a new address) rewire the
// call without dropping it. The first audio stream is anchored; other streams are refused.

#include "rtp/port_pool.hpp"
#include "rtp/stream_link.hpp"
#include "sdp/codec.hpp"
#include "sdp/offer_answer.hpp"
#include "sdp/session.hpp"
#include "sip/b2bua.hpp"

#include <asio/io_context.hpp>
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

class MediaAnchor final : public sip::MediaPolicy {
public:
    // Streams take their ports from `pool`, which must outlive the anchor.
    MediaAnchor(rtp::PortPool& pool, MediaOptions options);
    ~MediaAnchor() override;

    Result<std::string> relay(std::uint64_t call, Party from, std::string_view sdp) override;
    void ended(std::uint64_t call) override;
    // A route's own `srtp` replaces options.srtp for the call.
    void routed(std::uint64_t call, const sip::RouteMatch& route) override;
    // The digit as RFC 4733 events to the other leg, if it has telephone-event.
    bool dtmfFromInfo(std::uint64_t call, Party from, char digit,
                      std::chrono::milliseconds duration) override;

    std::size_t sessions() const noexcept { return sessions_.size(); }

    // Packet counters over every stream and link, the ended calls' included.
    struct Stats {
        rtp::StreamStats streams;
        rtp::StreamLink::Stats links;
    };
    Stats stats() const;

private:
    struct Session;
    struct PartyMedia;
    Result<std::string> offer(std::uint64_t call, Session& s, Party from,
                              const sdp::Session& offer);
    Result<std::string> answer(std::uint64_t call, Session& s, Party from,
                               const sdp::Session& answer);
    Session& session(std::uint64_t call);
    Result<void> ensureStreams(Session& s);
    sdp::Origin originFor(Session& s, PartyMedia& towards);

    MediaOptions options_;
    rtp::PortPool& pool_;
    std::mt19937_64 random_;
    std::unordered_map<std::uint64_t, std::unique_ptr<Session>> sessions_;
    Stats ended_; // what the ended calls counted
};

} // namespace sb::session
