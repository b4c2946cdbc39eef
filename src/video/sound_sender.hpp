#pragma once
// A source's sound as an RTP stream beside its video (a room's video leg sends both): 20 ms
// packets in the codec the room's offer and our answer settled, their timestamps from the
// sound's capture times (a gap in the sound is a gap in the timestamps, RFC 3550 §5.1), and
// sender reports on the same wall clock as the video's: a receiver that has both puts them in
// sync (§6.4.1). Runs on the leg's video thread.

#include "core/result.hpp"
#include "media/codec.hpp"
#include "media/resampler.hpp"
#include "video/datagram_socket.hpp"
#include "video/source.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sb::video {

class SoundSender {
public:
    // Errors: a codec we cannot encode.
    static Result<std::unique_ptr<SoundSender>> make(media::CodecId codec, std::uint8_t payloadType,
                                                     DatagramSocket& socket, std::string cname);

    // The sound, as whole packets; a part packet waits for the next sound, unless that does
    // not follow on from it (the source skipped), when it goes.
    void send(std::vector<Sound> sound);
    // A sender report (and SDES CNAME) for `wallMicros`, once anything has been sent.
    void report(std::int64_t wallMicros);

private:
    SoundSender(std::unique_ptr<media::Encoder> encoder,
                std::unique_ptr<media::Resampler> resampler, std::uint8_t payloadType,
                DatagramSocket& socket, std::string cname);
    void packet(std::span<const std::int16_t> samples, std::int64_t captureMicros);
    std::uint32_t timestampOf(std::int64_t captureMicros) const;

    std::unique_ptr<media::Encoder> encoder_;
    std::unique_ptr<media::Resampler> resampler_; // to the codec's rate; none at 48 kHz
    std::uint32_t rtpClock_;
    std::size_t packetSamples_;
    std::uint8_t payloadType_;
    DatagramSocket& socket_;
    std::string cname_;
    std::uint32_t ssrc_, timestampBase_;
    std::uint16_t sequence_;
    std::optional<std::int64_t> zeroMicros_; // the capture time of timestampBase_
    std::vector<std::int16_t> pending_;      // at the codec's rate, from pendingMicros_ on
    std::int64_t pendingMicros_ = 0;
    std::vector<std::int16_t> converted_;
    std::vector<std::uint8_t> datagram_;
    std::uint32_t packets_ = 0, octets_ = 0;
};

} // namespace sb::video
