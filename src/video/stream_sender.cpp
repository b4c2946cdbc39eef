#include "video/stream_sender.hpp"

#include "core/random.hpp"
#include "video/rtp_writer.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fmt/format.h>
#include <netdb.h>
#include <optional>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace sb::video {
namespace {

// A connected UDP socket to host:port.
class UdpTarget {
public:
    ~UdpTarget() {
        if (fd_ >= 0) ::close(fd_);
    }
    Result<void> connect(const std::string& host, std::uint16_t port) {
        addrinfo hints{};
        hints.ai_socktype = SOCK_DGRAM;
        hints.ai_flags = AI_NUMERICSERV;
        addrinfo* found = nullptr;
        const std::string service = std::to_string(port);
        if (const int status = getaddrinfo(host.c_str(), service.c_str(), &hints, &found); status)
            return fail(Errc::config,
                        fmt::format("video target {}: {}", host, gai_strerror(status)));
        fd_ = ::socket(found->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        const int connected = fd_ < 0 ? -1 : ::connect(fd_, found->ai_addr, found->ai_addrlen);
        freeaddrinfo(found);
        if (connected < 0)
            return fail(Errc::io,
                        fmt::format("video target {}:{}: {}", host, port, std::strerror(errno)));
        return {};
    }
    // A datagram the network refuses (no one listening yet: ECONNREFUSED from an ICMP port
    // unreachable) is lost as it would be on the way; the stream goes on.
    void send(std::span<const std::uint8_t> datagram) {
        (void)::send(fd_, datagram.data(), datagram.size(), MSG_NOSIGNAL);
    }

private:
    int fd_ = -1;
};

std::int64_t wallMicros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

Result<StreamReport> sendStream(Source& source, Encoder& encoder, const StreamTarget& target,
                                const StreamOptions& options) {
    UdpTarget rtp, rtcp;
    if (auto c = rtp.connect(target.host, target.port); !c) return fail(c.error());
    if (auto c = rtcp.connect(target.host, static_cast<std::uint16_t>(target.port + 1)); !c)
        return fail(c.error());
    const Codec codec = encoder.settings().codec;
    auto& random = threadRandom();
    RtpWriter writer({target.payloadType, static_cast<std::uint32_t>(random()),
                      static_cast<std::uint32_t>(random()), static_cast<std::uint16_t>(random()),
                      target.cname});

    StreamReport report;
    FrameMetadata metadata = options.metadata;
    std::vector<EncodedFrame> encoded;
    std::optional<std::int64_t> ptsZeroWall;
    std::int64_t lastReport = 0;
    bool announced = false;
    const auto sendDatagram = [&](std::span<const std::uint8_t> datagram) {
        rtp.send(datagram);
        ++report.packets;
        report.octets += datagram.size();
    };
    const auto sendRtcp = [&](const std::vector<std::byte>& compound) {
        rtcp.send({reinterpret_cast<const std::uint8_t*>(compound.data()), compound.size()});
    };
    while (options.frames == 0 || report.frames < options.frames) {
        if (options.stop && options.stop->load()) break;
        auto next = source.next();
        if (!next) return fail(next.error());
        if (!*next) break; // the end of a file
        const Picture picture = **next;
        if (!ptsZeroWall) ptsZeroWall = picture.captureMicros;
        // pts on the 90 kHz clock from the capture times, so that RTP time follows the camera
        // (and the sender reports map it to the same wall clock as the audio's).
        const std::int64_t pts = (picture.captureMicros - *ptsZeroWall) * kVideoClock / 1000000;
        encoded.clear();
        if (auto done = encoder.encode(*picture.frame, pts, report.frames == 0, encoded); !done)
            return fail(done.error());
        for (const auto& frame : encoded) {
            metadata.captureMicros = picture.captureMicros;
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
        // RTCP: a sender report about once a second (RFC 3550 §6.2 allows a video sender more;
        // one a second keeps a receiver's lip sync fresh).
        if (const std::int64_t now = wallMicros(); now - lastReport >= 1000000) {
            sendRtcp(writer.senderReport(now, *ptsZeroWall));
            lastReport = now;
        }
    }
    if (ptsZeroWall) {
        // The BYE one frame period after the last frame: a receiver reads RTP and RTCP from two
        // sockets, and one that saw the BYE first would end before the last frame.
        std::this_thread::sleep_for(std::chrono::milliseconds(1000 / encoder.settings().fps));
        sendRtcp(writer.goodbye(wallMicros(), *ptsZeroWall));
    }
    return report;
}

} // namespace sb::video
