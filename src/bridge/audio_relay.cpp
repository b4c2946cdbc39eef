#include "bridge/audio_relay.hpp"

#include "rtp/srtp.hpp"
#include "sdp/parser.hpp"

#include <asio/ip/address.hpp>
#include <fmt/format.h>

namespace sb::bridge {
namespace {

// RFC 3550 §5.1 and §6.4.1: the SSRC of an RTP packet is at bytes 8–11, the sender's SSRC of an
// RTCP packet (the first of a compound one) at bytes 4–7; RFC 5761 §4 tells them apart.
void stamp(std::span<std::byte> packet, std::uint32_t ssrc) {
    if (packet.size() < 12) return;
    const auto type = std::to_integer<unsigned>(packet[1]);
    const std::size_t at = type >= 192 && type <= 223 ? 4 : 8;
    for (int i = 0; i < 4; ++i)
        packet[at + i] = static_cast<std::byte>(ssrc >> (24 - 8 * i));
}

} // namespace

AudioRelay::AudioRelay(asio::io_context& io, std::uint32_t ssrc, ToPeer toPeer)
    : socket_(io), ssrc_(ssrc), toPeer_(std::move(toPeer)) {}

AudioRelay::~AudioRelay() {
    *alive_ = false;
}

Result<std::unique_ptr<AudioRelay>> AudioRelay::open(asio::io_context& io, std::uint32_t ssrc,
                                                     ToPeer toPeer) {
    std::unique_ptr<AudioRelay> relay(new AudioRelay(io, ssrc, std::move(toPeer)));
    asio::error_code ec;
    relay->socket_.open(asio::ip::udp::v4(), ec);
    if (!ec) relay->socket_.bind({asio::ip::address_v4::loopback(), 0}, ec);
    // A full socket buffer drops the packet (RTP's loss) rather than hold sb-webrtc up.
    if (!ec) relay->socket_.non_blocking(true, ec);
    if (ec) return fail(Errc::io, "WebRTC audio: no loopback socket: " + ec.message());
    relay->receive();
    return relay;
}

std::string AudioRelay::offer(const webrtc::PeerAudio& audio) const {
    const auto port = socket_.local_endpoint().port();
    return fmt::format("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                       "m=audio {} RTP/AVP {}\r\na=rtpmap:{} opus/48000/2\r\n{}a=ptime:20\r\n"
                       "a=rtcp-mux\r\na={}\r\n",
                       port, audio.payloadType, audio.payloadType,
                       audio.fmtp.empty()
                           ? std::string()
                           : fmt::format("a=fmtp:{} {}\r\n", audio.payloadType, audio.fmtp),
                       sdp::directionName(audio.direction));
}

Result<void> AudioRelay::answered(std::string_view answer) {
    auto session = sdp::parse(answer);
    if (!session) return fail(session.error());
    if (session->media.empty() || session->media.front().port == 0)
        return fail(Errc::invalid_input, "the room refused the audio");
    const auto& m = session->media.front();
    const auto* connection = session->connectionOf(m);
    asio::error_code ec;
    const auto address =
        connection ? asio::ip::make_address(connection->address, ec) : asio::ip::address();
    if (!connection || ec)
        return fail(Errc::invalid_input, "the room's answer gives no address for its audio");
    room_.emplace(address, m.port);
    return {};
}

void AudioRelay::toRoom(std::span<const std::byte> packet) {
    if (!room_) return;
    asio::error_code ec;
    socket_.send_to(asio::buffer(packet.data(), packet.size()), *room_, 0, ec);
    ++(ec ? stats_.dropped : stats_.toRoom);
}

void AudioRelay::receive() {
    // What leaves for the peer needs room for SRTP's trailer after the packet.
    const std::size_t room = buffer_.size() - rtp::kSrtpMaxOverhead;
    socket_.async_receive_from(
        asio::buffer(buffer_.data(), room), from_,
        [this, alive = alive_](const asio::error_code& ec, std::size_t length) {
            if (!*alive || ec == asio::error::operation_aborted) return;
            // Only the room's port speaks to this socket (it sends from the port it took).
            if (!ec && room_ && from_.port() == room_->port()) {
                stamp(std::span(buffer_).first(length), ssrc_);
                ++stats_.toPeer;
                toPeer_(buffer_, length);
            } else if (!ec) {
                ++stats_.strangers;
            }
            receive();
        });
}

} // namespace sb::bridge
