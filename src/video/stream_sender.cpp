#include "video/stream_sender.hpp"

#include "core/clock.hpp"
#include "core/random.hpp"
#include "rtp/rtcp_packet.hpp"
#include "video/rtp_writer.hpp"

#include <algorithm>
#include <chrono>
#include <future>
#include <optional>
#include <thread>

namespace sb::video {
namespace {

using Clock = std::chrono::steady_clock;

// The bitrate the receiver's loss reports allow: down by a fifth when more than a tenth is
// lost (at most once a second), back up by 8% after five calm seconds (under 2% lost).
class BitrateControl {
public:
    explicit BitrateControl(int startKbps) : most_(startKbps), now_(startKbps) {}
    void restart(int startKbps) { most_ = now_ = startKbps; }
    std::optional<int> onLoss(std::uint8_t fractionLost, Clock::time_point at) {
        constexpr int kLeastKbps = 150;
        if (fractionLost > 25) { // of 256: 10%
            calmSince_ = at;
            if (at - lastChange_ < std::chrono::seconds(1) || now_ <= kLeastKbps) return {};
            lastChange_ = at;
            return now_ = std::max(kLeastKbps, now_ * 4 / 5);
        }
        if (fractionLost >= 5) { // 2%: neither
            calmSince_ = at;
            return {};
        }
        if (at - calmSince_ < std::chrono::seconds(5) || now_ >= most_) return {};
        calmSince_ = lastChange_ = at;
        return now_ = std::min(most_, now_ * 108 / 100 + 1);
    }

private:
    int most_, now_;
    Clock::time_point lastChange_{}, calmSince_ = Clock::now();
};

// What a receiver's RTCP asks of the sender: a key frame (PLI, FIR), and the loss it reports
// about our stream.
struct Feedback {
    bool keyFrame = false;
    std::optional<std::uint8_t> loss;
};

Feedback feedbackOf(std::span<const std::uint8_t> datagram, std::uint32_t ourSsrc) {
    Feedback f;
    auto packets = rtp::parseRtcp(std::as_bytes(datagram));
    if (!packets) return f;
    for (const auto& packet : *packets) {
        if (packet.type == rtp::RtcpType::payloadFeedback && !packet.raw.empty()) {
            const int format = std::to_integer<int>(packet.raw[0]) & 0x1F;
            f.keyFrame |= format == 1 || format == 4; // PLI (RFC 4585), FIR (RFC 5104)
        }
        for (const auto& block : packet.reports)
            if (block.ssrc == ourSsrc) f.loss = std::max(f.loss.value_or(0), block.fractionLost);
    }
    return f;
}

} // namespace

Result<StreamReport> sendStream(std::unique_ptr<Source> source, Encoder& encoder,
                                const StreamTarget& target, const StreamOptions& options) {
    const Codec codec = encoder.settings().codec;
    const int fps = encoder.settings().fps;
    auto& random = threadRandom();
    RtpWriter writer({target.payloadType, static_cast<std::uint32_t>(random()),
                      static_cast<std::uint32_t>(random()), static_cast<std::uint16_t>(random()),
                      target.cname});
    DatagramSocket& rtcp = target.rtcp ? *target.rtcp : *target.rtp;
    BitrateControl bitrate(encoder.settings().bitrateKbps);

    StreamReport report;
    FrameMetadata metadata = options.metadata;
    std::vector<EncodedFrame> encoded;
    std::optional<std::int64_t> ptsZeroWall;
    std::int64_t lastReport = 0, lastPts = -1;
    bool announced = false, keyFrameAsked = false;
    // The last picture, sent again while the source is away.
    FramePtr last = allocatePicture(encoder.settings().width, encoder.settings().height);
    if (!last) return fail(Errc::io, "out of memory for a video picture");
    bool haveLast = false;
    std::int64_t lastCapture = 0;
    Clock::time_point nextAttempt{}, nextRepeat{};
    // A source opened again on a thread of its own: opening a camera may wait ten seconds, in
    // which this one goes on sending the last picture (and RTCP) at the frame rate. Its
    // destructor waits for the opening, which the leg's stop cuts short.
    std::future<Result<std::unique_ptr<Source>>> reopening;
    std::array<std::uint8_t, 1500> feedback{};

    const auto sendDatagram = [&](std::span<const std::uint8_t> datagram) {
        target.rtp->send(datagram);
        ++report.packets;
        report.octets += datagram.size();
    };
    const auto sendRtcp = [&](const std::vector<std::byte>& compound) {
        rtcp.send({reinterpret_cast<const std::uint8_t*>(compound.data()), compound.size()});
    };
    while (options.frames == 0 || report.frames < options.frames) {
        if (options.stop && options.stop->load()) break;
        if (const auto preset = options.presetChange ? options.presetChange() : std::nullopt) {
            if (auto resized = encoder.resize(preset->width, preset->height, preset->bitrateKbps);
                !resized)
                return fail(resized.error());
            if (source) source->resize(preset->width, preset->height);
            bitrate.restart(preset->bitrateKbps);
            last = allocatePicture(preset->width, preset->height);
            if (!last) return fail(Errc::io, "out of memory for a video picture");
            haveLast = false; // a source away meanwhile shows black, not a picture of old size
            keyFrameAsked = true;
            ++report.bitrateChanges;
        }
        AVFrame* picture = nullptr;
        std::int64_t capture = 0;
        if (source) {
            auto next = source->next();
            if (!next || !*next) { // the source failed, or a file ended
                if (options.stop && options.stop->load()) break; // its wait cut short by stop
                if (!options.reopen) {
                    if (!next) return fail(next.error());
                    break;
                }
                if (options.degraded)
                    options.degraded(next ? "the source ended" : next.error().message);
                source.reset();
                nextAttempt = nextRepeat = Clock::now();
                continue;
            }
            picture = (*next)->frame;
            capture = (*next)->captureMicros;
            if (options.sound) options.sound->send(source->takeSound());
            av_frame_make_writable(last.get());
            av_frame_copy(last.get(), picture);
            haveLast = true;
            lastCapture = capture;
        } else {
            if (reopening.valid() &&
                reopening.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
                if (auto fresh = reopening.get(); fresh) {
                    source = std::move(fresh).value();
                    source->resize(last->width, last->height); // a preset may have changed
                    if (options.recovered) options.recovered();
                    continue;
                }
                nextAttempt = Clock::now() + std::chrono::seconds(2);
            }
            if (!reopening.valid() && Clock::now() >= nextAttempt)
                reopening = std::async(std::launch::async, options.reopen);
            std::this_thread::sleep_until(nextRepeat);
            nextRepeat =
                std::max(nextRepeat + std::chrono::microseconds(1000000 / fps), Clock::now());
            if (!haveLast) { // away before its first picture: black (BT.601 limited range)
                av_frame_make_writable(last.get());
                for (int plane = 0; plane < 3; ++plane)
                    std::fill_n(last->data[plane],
                                last->linesize[plane] *
                                    (plane == 0 ? last->height : last->height / 2),
                                plane == 0 ? 16 : 128);
                haveLast = true;
                lastCapture = unixTimeMicros();
            }
            picture = last.get();
            capture = lastCapture; // the picture's own capture time, not this repeat's
            ++report.repeated;
        }
        const std::int64_t now = unixTimeMicros();
        if (!ptsZeroWall) ptsZeroWall = now;
        // pts on the 90 kHz clock from the picture's capture (a repeated one: from now), on the
        // wall clock the sender reports map to RTP time too, so that the receiver can put the
        // video beside the call's audio; always forward, for the encoder.
        const std::int64_t taken = source ? capture : now;
        lastPts = std::max(lastPts + 1, (taken - *ptsZeroWall) * kVideoClock / 1000000);
        encoded.clear();
        const bool key = report.frames == 0 || std::exchange(keyFrameAsked, false);
        if (auto done = encoder.encode(*picture, lastPts, key, encoded); !done)
            return fail(done.error());
        for (const auto& frame : encoded) {
            metadata.captureMicros = capture;
            const auto unit = withMetadata(codec, frame.annexB, metadata);
            const auto nals = splitAnnexB(unit);
            if (!announced) {
                if (options.beforeFirstPacket) options.beforeFirstPacket(nals);
                announced = true;
            }
            writer.write(packetize(codec, nals, target.maxPayload), frame.pts, sendDatagram);
            ++report.frames;
            report.keyframes += frame.keyframe ? 1 : 0;
        }
        // The receiver's feedback, for the next picture.
        while (auto n = rtcp.receive(feedback)) {
            const auto f = feedbackOf(std::span(feedback).first(*n), writer.ssrc());
            if (f.keyFrame) {
                keyFrameAsked = true;
                ++report.keyFrameRequests;
            }
            if (const auto kbps = f.loss ? bitrate.onLoss(*f.loss, Clock::now()) : std::nullopt) {
                if (auto changed = encoder.setBitrate(*kbps); !changed)
                    return fail(changed.error());
                ++report.bitrateChanges;
                if (options.bitrateChanged) options.bitrateChanged(*kbps, *f.loss);
            }
        }
        // RTCP: a sender report about once a second (RFC 3550 §6.2 allows a video sender more;
        // one a second keeps a receiver's lip sync fresh).
        if (now - lastReport >= 1000000) {
            sendRtcp(writer.senderReport(now, *ptsZeroWall));
            if (options.sound) options.sound->report(now);
            lastReport = now;
        }
    }
    if (ptsZeroWall) {
        // The BYE one frame period after the last frame: a receiver reads RTP and RTCP from two
        // sockets, and one that saw the BYE first would end before the last frame.
        std::this_thread::sleep_for(std::chrono::milliseconds(1000 / fps));
        sendRtcp(writer.goodbye(unixTimeMicros(), *ptsZeroWall));
    }
    return report;
}

} // namespace sb::video
