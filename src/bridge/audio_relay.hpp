#pragma once
// A WebRTC peer's audio into its room (ARCHITECTURE.md "The WebRTC bridge"). The media workers
// own their sockets and take each leg's RTP on a UDP port of theirs (session/conference.hpp):
// so the peer's audio, its SRTP removed by the peer connection, enters the room as any leg's
// does, sent from a loopback socket of this relay to the port that the graph's answer gives,
// and what the room sends back arrives on that socket, for the peer connection to protect and
// send. The mixer, jitter buffer and transcoding thus need no WebRTC case; the cost is one
// loopback datagram per packet each way (50 a second each way for 20 ms Opus).
//
// Runs on sb-webrtc, with its peer session; no locks.

#include "core/result.hpp"
#include "webrtc/audio_section.hpp"

#include <array>
#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>
#include <functional>
#include <memory>
#include <span>
#include <string>

namespace sb::bridge {

class AudioRelay {
public:
    // A packet from the room, in the first `length` bytes of `buffer`, which has room after it
    // for SRTP's trailer (rtp::kSrtpMaxOverhead).
    using ToPeer = std::function<void(std::span<std::byte> buffer, std::size_t length)>;
    // Our SSRC towards the peer (its description names it): what the room sends is stamped
    // with it.
    static Result<std::unique_ptr<AudioRelay>> open(asio::io_context& io, std::uint32_t ssrc,
                                                    ToPeer toPeer);
    ~AudioRelay();
    AudioRelay(const AudioRelay&) = delete;
    AudioRelay& operator=(const AudioRelay&) = delete;

    // Our offer to the room's media graph for the peer's audio: plain RTP from our socket,
    // Opus at the peer's payload type, rtcp-mux.
    std::string offer(const webrtc::PeerAudio& audio) const;
    // The graph's answer: where the room takes the audio. Errc::invalid_input for an answer
    // that refuses it or gives no address.
    Result<void> answered(std::string_view answer);
    // A packet of the peer's (RTP or RTCP, in the clear) for the room; dropped until answered.
    void toRoom(std::span<const std::byte> packet);

    struct Stats {
        std::uint64_t toRoom = 0, toPeer = 0;
        std::uint64_t dropped = 0;   // to the room, refused by the socket (its buffer full)
        std::uint64_t strangers = 0; // from a port other than the room's, ignored
    };
    const Stats& stats() const noexcept { return stats_; }

private:
    AudioRelay(asio::io_context& io, std::uint32_t ssrc, ToPeer toPeer);
    void receive();

    asio::ip::udp::socket socket_;
    std::uint32_t ssrc_;
    ToPeer toPeer_;
    std::optional<asio::ip::udp::endpoint> room_;
    asio::ip::udp::endpoint from_;
    std::array<std::byte, 2048> buffer_{};
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    Stats stats_;
};

} // namespace sb::bridge
