#pragma once
// The media between a call's two streams, as codec negotiation chose it (ARCHITECTURE.md
// "Codec negotiation"): relayed untouched but for the RTP header when both legs use one codec,
// or transcoded, each direction decoded and encoded again, when they do not. DTMF as RFC 4733
// telephone-events crosses either way where both legs agreed to it, re-stamped into the
// outgoing stream's numbering.

#include "media/transcoder.hpp"
#include "rtp/forwarder.hpp"
#include "rtp/rtp_stream.hpp"

#include <memory>
#include <optional>
#include <random>

namespace sb::rtp {

struct BridgePlan {
    struct Side {
        std::uint8_t payloadType = 0;
        std::uint32_t clockRate = 8000;              // the RTP clock (relaying needs no more)
        media::CodecId codec = media::CodecId::pcmu; // for transcoding
        std::optional<std::uint8_t> telephoneEvent;  // its payload type, if agreed
    };
    Side a, b;
    bool transcode = false;
    std::uint32_t packetMs = 20; // of what we encode when transcoding
};

class Bridge {
public:
    Bridge(RtpStream& a, RtpStream& b);
    ~Bridge();
    Bridge(const Bridge&) = delete;
    Bridge& operator=(const Bridge&) = delete;

    // (Re)wires both directions. Errors: the transcoder's (a codec it cannot make).
    Result<void> configure(const BridgePlan& plan);

    struct Stats {
        std::uint64_t relayed = 0, transcoded = 0, dropped = 0, concealed = 0;

        Stats& operator+=(const Stats& s) noexcept {
            relayed += s.relayed;
            transcoded += s.transcoded;
            dropped += s.dropped;
            concealed += s.concealed;
            return *this;
        }
    };
    const Stats& stats() const noexcept { return stats_; }

private:
    // One direction: what arrives on `from` goes out on `to`.
    struct Path;
    std::unique_ptr<Path> makePath(RtpStream& to, const BridgePlan::Side& in,
                                   const BridgePlan::Side& out, const BridgePlan& plan);

    RtpStream &a_, &b_;
    std::unique_ptr<Path> aToB_, bToA_;
    std::mt19937 random_;
    Stats stats_;
};

} // namespace sb::rtp
