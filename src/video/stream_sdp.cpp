#include "video/stream_sdp.hpp"

#include <fmt/format.h>

namespace sb::video {

std::string profileLevelId(std::span<const Nal> units) {
    for (const Nal nal : units)
        if (nalType(Codec::h264, nal) == h264::kSps && nal.size() >= 4)
            return fmt::format("{:02x}{:02x}{:02x}", nal[1], nal[2], nal[3]);
    return {};
}

std::string streamSdp(const StreamDescription& stream) {
    const bool v6 = stream.address.find(':') != std::string::npos;
    const char* family = v6 ? "IP6" : "IP4";
    std::string fmtp;
    if (stream.codec == Codec::h264) {
        fmtp = "packetization-mode=1";
        if (const auto id = profileLevelId(stream.parameterSets); !id.empty())
            fmtp += ";profile-level-id=" + id;
    }
    std::string sdp = fmt::format("v=0\r\n"
                                  "o=- 0 0 IN {0} {1}\r\n"
                                  "s=Switchboard video\r\n"
                                  "c=IN {0} {1}\r\n"
                                  "t=0 0\r\n"
                                  "m=video {2} RTP/AVP {3}\r\n"
                                  "a=rtpmap:{3} {4}/{5}\r\n",
                                  family, stream.address, stream.port, stream.payloadType,
                                  codecName(stream.codec), kVideoClock);
    if (!fmtp.empty()) sdp += fmt::format("a=fmtp:{} {}\r\n", stream.payloadType, fmtp);
    sdp += "a=recvonly\r\n"; // the receiver's side of it: it only listens
    return sdp;
}

} // namespace sb::video
