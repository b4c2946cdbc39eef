#include "video/sound_sender.hpp"

#include "core/random.hpp"
#include "rtp/media_clock.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtp_packet.hpp"

#include <cstdlib>
#include <cstring>

namespace sb::video {
namespace {

constexpr std::int64_t kPacketMicros = 20000;

} // namespace

Result<std::unique_ptr<SoundSender>> SoundSender::make(media::CodecId codec,
                                                       std::uint8_t payloadType,
                                                       DatagramSocket& socket, std::string cname) {
    auto encoder = media::makeEncoder(codec);
    if (!encoder) return fail(encoder.error());
    std::unique_ptr<media::Resampler> resampler;
    if ((*encoder)->sampleRate() != static_cast<std::uint32_t>(kSoundRate)) {
        auto made = media::Resampler::make(kSoundRate, (*encoder)->sampleRate());
        if (!made) return fail(made.error());
        resampler = std::move(made).value();
    }
    return std::unique_ptr<SoundSender>(new SoundSender(
        std::move(encoder).value(), std::move(resampler), payloadType, socket, std::move(cname)));
}

SoundSender::SoundSender(std::unique_ptr<media::Encoder> encoder,
                         std::unique_ptr<media::Resampler> resampler, std::uint8_t payloadType,
                         DatagramSocket& socket, std::string cname)
    : encoder_(std::move(encoder)), resampler_(std::move(resampler)),
      rtpClock_(media::traitsOf(encoder_->codec()).rtpClock),
      packetSamples_(encoder_->sampleRate() * kPacketMicros / 1000000), payloadType_(payloadType),
      socket_(socket), cname_(std::move(cname)) {
    auto& random = threadRandom(); // RFC 3550 §5.1: random starting points
    ssrc_ = static_cast<std::uint32_t>(random());
    timestampBase_ = static_cast<std::uint32_t>(random());
    sequence_ = static_cast<std::uint16_t>(random());
}

std::uint32_t SoundSender::timestampOf(std::int64_t captureMicros) const {
    const std::int64_t elapsed = captureMicros - *zeroMicros_;
    return timestampBase_ + static_cast<std::uint32_t>(elapsed * rtpClock_ / 1000000);
}

void SoundSender::send(std::vector<Sound> sound) {
    const auto rate = static_cast<std::int64_t>(encoder_->sampleRate());
    for (auto& block : sound) {
        if (!zeroMicros_) zeroMicros_ = block.captureMicros;
        const std::int64_t follows =
            pendingMicros_ + static_cast<std::int64_t>(pending_.size()) * 1000000 / rate;
        // More than a packet away from where the sound waiting ends: the source skipped (or
        // went back); what waits goes as it is, and the timestamps jump with the capture time.
        if (pending_.empty() || std::abs(block.captureMicros - follows) > kPacketMicros) {
            if (!pending_.empty()) {
                pending_.resize(packetSamples_, 0);
                packet(pending_, pendingMicros_);
                pending_.clear();
            }
            pendingMicros_ = block.captureMicros;
        }
        if (resampler_) {
            converted_.clear();
            resampler_->process(block.samples, converted_);
            pending_.insert(pending_.end(), converted_.begin(), converted_.end());
        } else {
            pending_.insert(pending_.end(), block.samples.begin(), block.samples.end());
        }
        std::size_t sent = 0;
        for (; pending_.size() - sent >= packetSamples_; sent += packetSamples_)
            packet(std::span(pending_).subspan(sent, packetSamples_),
                   pendingMicros_ + static_cast<std::int64_t>(sent) * 1000000 / rate);
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(sent));
        pendingMicros_ += static_cast<std::int64_t>(sent) * 1000000 / rate;
    }
    // The room's receiver reports about this stream come on the same socket (RFC 5761); we
    // have no use for them, but they must not pile up.
    std::array<std::uint8_t, 1500> discard{};
    while (socket_.receive(discard)) {
    }
}

void SoundSender::packet(std::span<const std::int16_t> samples, std::int64_t captureMicros) {
    datagram_.resize(rtp::kFixedHeaderBytes + 1500);
    auto payload = std::as_writable_bytes(std::span(datagram_)).subspan(rtp::kFixedHeaderBytes);
    auto n = encoder_->encode(samples, payload);
    if (!n) return;
    rtp::writeRtpHeader(std::as_writable_bytes(std::span(datagram_)),
                        {false, payloadType_, sequence_++, timestampOf(captureMicros), ssrc_});
    datagram_.resize(rtp::kFixedHeaderBytes + *n);
    socket_.send(datagram_);
    ++packets_;
    octets_ += static_cast<std::uint32_t>(*n);
}

void SoundSender::report(std::int64_t wallMicros) {
    if (packets_ == 0) return;
    rtp::RtcpPacket sr;
    sr.type = rtp::RtcpType::senderReport; // RFC 3550 §6.4.1, on the pictures' wall clock
    sr.ssrc = ssrc_;
    sr.sender = {rtp::ntpFromUnixMicros(wallMicros), timestampOf(wallMicros), packets_, octets_};
    rtp::RtcpPacket description;
    description.type = rtp::RtcpType::sourceDescription;
    description.chunks.push_back({ssrc_, {{1, cname_}}});
    const auto compound = rtp::writeRtcp({sr, description});
    socket_.send({reinterpret_cast<const std::uint8_t*>(compound.data()), compound.size()});
}

} // namespace sb::video
