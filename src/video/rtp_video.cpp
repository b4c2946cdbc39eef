#include "video/rtp_video.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace sb::video {
namespace {

// H.265's NAL unit header fields (§7.3.1.2): F, type, nuh_layer_id, nuh_temporal_id_plus1.
int layerId(Nal nal) {
    return ((nal[0] & 1) << 5) | (nal[1] >> 3);
}
int temporalIdPlus1(Nal nal) {
    return nal[1] & 7;
}

// An aggregation packet of `nals`, each behind its 16-bit size: RFC 6184 §5.7.1 (STAP-A: F is
// the OR of the units' F bits, NRI their highest) or RFC 7798 §4.4.2 (AP: F the OR, LayerId
// and TID the lowest of the units').
std::vector<std::uint8_t> aggregate(Codec codec, std::span<const Nal> nals) {
    std::vector<std::uint8_t> out;
    if (codec == Codec::h264) {
        std::uint8_t f = 0, nri = 0;
        for (const Nal nal : nals) {
            f |= nal[0] & 0x80;
            nri = std::max<std::uint8_t>(nri, nal[0] & 0x60);
        }
        out.push_back(static_cast<std::uint8_t>(f | nri | h264::kStapA));
    } else {
        std::uint8_t f = 0;
        int layer = 63, tid = 7;
        for (const Nal nal : nals) {
            f |= nal[0] & 0x80;
            layer = std::min(layer, layerId(nal));
            tid = std::min(tid, temporalIdPlus1(nal));
        }
        out.push_back(static_cast<std::uint8_t>(f | h265::kAp << 1 | layer >> 5));
        out.push_back(static_cast<std::uint8_t>((layer & 0x1F) << 3 | tid));
    }
    for (const Nal nal : nals) {
        out.push_back(static_cast<std::uint8_t>(nal.size() >> 8));
        out.push_back(static_cast<std::uint8_t>(nal.size()));
        out.insert(out.end(), nal.begin(), nal.end());
    }
    return out;
}

// A unit too large for one packet as fragments: RFC 6184 §5.8 (FU-A: the FU indicator keeps F
// and NRI, the FU header the type) or RFC 7798 §4.4.3 (FU: the payload header keeps F,
// LayerId and TID, the FU header the type). The unit's own header is not sent.
void fragment(Codec codec, Nal nal, std::size_t maxPayload, Payloads& out) {
    const std::size_t header = nalHeaderBytes(codec);
    const std::size_t prefix = header + 1;
    const auto body = nal.subspan(header);
    const std::size_t chunk = maxPayload - prefix;
    const int type = nalType(codec, nal);
    for (std::size_t at = 0; at < body.size(); at += chunk) {
        const std::size_t n = std::min(chunk, body.size() - at);
        std::vector<std::uint8_t> packet;
        packet.reserve(prefix + n);
        if (codec == Codec::h264) {
            packet.push_back(static_cast<std::uint8_t>((nal[0] & 0xE0) | h264::kFuA));
        } else {
            packet.push_back(static_cast<std::uint8_t>((nal[0] & 0x81) | h265::kFu << 1));
            packet.push_back(nal[1]);
        }
        const bool start = at == 0, end = at + n == body.size();
        packet.push_back(static_cast<std::uint8_t>((start ? 0x80 : 0) | (end ? 0x40 : 0) | type));
        packet.insert(packet.end(), body.begin() + static_cast<std::ptrdiff_t>(at),
                      body.begin() + static_cast<std::ptrdiff_t>(at + n));
        out.push_back(std::move(packet));
    }
}

} // namespace

Payloads packetize(Codec codec, std::span<const Nal> nals, std::size_t maxPayload) {
    Payloads out;
    const std::size_t header = nalHeaderBytes(codec);
    std::vector<Nal> units; // a unit needs a header and something after it to be sent
    units.reserve(nals.size());
    for (const Nal nal : nals)
        if (nal.size() > header) units.push_back(nal);
    for (std::size_t i = 0; i < units.size();) {
        // As many units from i as fit one aggregation packet: two or more are worth it.
        std::size_t size = header, j = i;
        while (j < units.size() && size + 2 + units[j].size() <= maxPayload)
            size += 2 + units[j++].size();
        if (j - i >= 2) {
            out.push_back(aggregate(codec, std::span(units).subspan(i, j - i)));
            i = j;
        } else if (units[i].size() <= maxPayload) {
            out.emplace_back(units[i].begin(), units[i].end());
            ++i;
        } else {
            fragment(codec, units[i++], maxPayload, out);
        }
    }
    return out;
}

bool beginsRandomAccess(Codec codec, std::span<const std::uint8_t> payload) {
    const std::size_t header = nalHeaderBytes(codec);
    if (payload.size() <= header) return false;
    const bool h264 = codec == Codec::h264;
    int type = nalType(codec, payload);
    if (h264 ? type == h264::kStapA : type == h265::kAp) {
        if (payload.size() < header + 2 + header) return false;
        type = nalType(codec, payload.subspan(header + 2)); // the first aggregated unit's
    } else if (h264 ? type == h264::kFuA : type == h265::kFu) {
        const std::uint8_t fu = payload[header];
        if (!(fu & 0x80)) return false; // not the fragment a unit starts with
        type = fu & (h264 ? 0x1F : 0x3F);
    }
    if (h264) return type == h264::kSps || type == h264::kIdr;
    return type == h265::kVps || type == h265::kSps || isRandomAccess(codec, type);
}

void Depacketizer::push(std::uint16_t sequence, std::uint32_t timestamp, bool marker,
                        std::span<const std::uint8_t> payload, std::vector<AccessUnit>& done) {
    // A gap in the sequence (a loss, or a packet out of order: both leave a unit incomplete).
    const bool gap = lastSequence_ && sequence != static_cast<std::uint16_t>(*lastSequence_ + 1);
    lastSequence_ = sequence;
    if (open_ && timestamp != timestamp_) {
        if (gap) damaged_ = true; // the last packets of that unit, its marker among them
        close(done);
    }
    if (!open_) {
        open_ = true;
        timestamp_ = timestamp;
        damaged_ = false;
        inFragment_ = false;
        unit_.clear();
    }
    if (gap) {
        damaged_ = true;
        inFragment_ = false;
    }
    if (auto taken = take(payload); !taken) {
        ++malformed_;
        lastError_ = taken.error().message;
        damaged_ = true;
        inFragment_ = false;
    }
    if (marker) close(done);
}

void Depacketizer::close(std::vector<AccessUnit>& done) {
    open_ = false;
    if (damaged_ || unit_.empty() || inFragment_) {
        ++spoiled_;
        unit_.clear();
        return;
    }
    done.push_back({timestamp_, std::move(unit_)});
    unit_ = {};
}

Result<void> Depacketizer::append(std::span<const std::uint8_t> header,
                                  std::span<const std::uint8_t> body, bool startCode) {
    if (unit_.size() + 4 + header.size() + body.size() > maxAccessUnit_)
        return fail(Errc::too_large, fmt::format("an access unit over {} octets", maxAccessUnit_));
    if (startCode) unit_.insert(unit_.end(), {0, 0, 0, 1});
    unit_.insert(unit_.end(), header.begin(), header.end());
    unit_.insert(unit_.end(), body.begin(), body.end());
    return {};
}

Result<void> Depacketizer::take(std::span<const std::uint8_t> payload) {
    const std::size_t header = nalHeaderBytes(codec_);
    if (payload.size() <= header) return fail(Errc::invalid_input, "a payload of its header alone");
    if ((payload[0] & 0x80) != 0)
        return fail(Errc::invalid_input, "the forbidden_zero_bit (F) is set");
    const int type = nalType(codec_, payload);
    const bool h264 = codec_ == Codec::h264;
    if (h264 ? type >= 1 && type <= 23 : type < h265::kAp) // a single NAL unit packet
        return append({}, payload);
    if (h264 ? type == h264::kStapA : type == h265::kAp) {
        auto rest = payload.subspan(header);
        int count = 0;
        while (!rest.empty()) {
            if (rest.size() < 2)
                return fail(Errc::invalid_input, "an aggregated unit's size is cut");
            const std::size_t n = std::size_t{rest[0]} << 8 | rest[1];
            if (n < header || n > rest.size() - 2)
                return fail(Errc::invalid_input,
                            fmt::format("aggregated unit {}: a size of {} with {} octets left",
                                        count + 1, n, rest.size() - 2));
            if (auto added = append({}, rest.subspan(2, n)); !added) return added;
            rest = rest.subspan(2 + n);
            ++count;
        }
        if (count == 0) return fail(Errc::invalid_input, "an aggregation packet with no unit");
        return {};
    }
    if (h264 ? type == h264::kFuA : type == h265::kFu) {
        if (payload.size() < header + 2)
            return fail(Errc::invalid_input, "a fragment with no fragment data");
        const std::uint8_t fu = payload[header];
        const bool start = fu & 0x80, end = fu & 0x40;
        if (start && end)
            return fail(Errc::invalid_input, "a fragment with both its start and end bits set");
        const auto body = payload.subspan(header + 1);
        if (!start) {
            if (!inFragment_) {
                if (damaged_) return {}; // the rest of a unit a loss spoiled already
                return fail(Errc::invalid_input, "a fragment whose start was lost");
            }
            if (auto added = append({}, body, false); !added) return added;
        } else {
            if (inFragment_) return fail(Errc::invalid_input, "a fragment started twice");
            // The unit's header, rebuilt from the payload header and the FU header's type.
            std::uint8_t rebuilt[2];
            if (h264) {
                rebuilt[0] = static_cast<std::uint8_t>((payload[0] & 0xE0) | (fu & 0x1F));
            } else {
                rebuilt[0] = static_cast<std::uint8_t>((payload[0] & 0x81) | (fu & 0x3F) << 1);
                rebuilt[1] = payload[1];
            }
            if (auto added = append(std::span(rebuilt, header), body); !added) return added;
            inFragment_ = true;
        }
        if (end) inFragment_ = false;
        return {};
    }
    return fail(Errc::invalid_input,
                h264 ? fmt::format("NAL unit type {} is not allowed in packetization-mode 1", type)
                     : fmt::format("payload type {} (PACI or reserved) is not taken", type));
}

} // namespace sb::video
