#include "sdp/offer_answer.hpp"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>
#include <map>

namespace sb::sdp {

std::optional<SrtpPolicy> srtpPolicyByName(std::string_view name) noexcept {
    if (name == "off") return SrtpPolicy::off;
    if (name == "optional") return SrtpPolicy::optional;
    if (name == "required") return SrtpPolicy::required;
    return std::nullopt;
}
namespace {

constexpr std::string_view kTelephoneEventEvents = "0-16"; // RFC 4733 §7.1.1: DTMF digits

// RFC 3551 table 4's numbers for the codecs that have one.
std::optional<int> staticPayloadType(const Codec& c) {
    for (int type : {0, 3, 8, 9, 18}) {
        Media probe;
        if (const auto map = probe.rtpmap(type);
            map && c.sameAs(Codec{map->encoding, map->clockRate, map->channels}))
            return type;
    }
    return std::nullopt;
}

void addRtpmap(Media& m, int type, const Codec& c) {
    // Written for static types too: optional there (RFC 8866 §6.6), but much equipment looks
    // for one.
    m.formats.push_back(std::to_string(type));
    m.attributes.add(
        "rtpmap", c.channels > 1 ? fmt::format("{} {}/{}/{}", type, c.name, c.clockRate, c.channels)
                                 : fmt::format("{} {}/{}", type, c.name, c.clockRate));
}

// Required SRTP is RTP/SAVP; optional is RTP/AVP with crypto lines, which a peer without SRTP
// ignores and one with it takes (the usual "best effort" of SIP equipment).
std::string_view protoFor(SrtpPolicy policy) {
    return policy == SrtpPolicy::required ? "RTP/SAVP" : "RTP/AVP";
}

// The address type of c= for an address (RFC 8866 §5.7).
std::string_view addrType(std::string_view address) {
    return address.find(':') == std::string_view::npos ? "IP4" : "IP6";
}

Media rejected(const Media& offered) {
    // RFC 3264 §6: a rejected stream keeps its type and proto, port 0, and one format.
    Media m;
    m.type = offered.type;
    m.proto = offered.proto;
    m.formats = {offered.formats.empty() ? std::string("0") : offered.formats.front()};
    return m;
}

// RFC 4585 §4.2: the offer's a=rtcp-fb for `type` (or "*") that we take, as the answer's.
void addFeedback(Media& m, const Media& offered, int type, const std::vector<std::string>& ours) {
    const std::string own = std::to_string(type);
    for (const std::string_view line : offered.attributes.all("rtcp-fb")) {
        const auto space = line.find(' ');
        if (space == std::string_view::npos) continue;
        const auto target = line.substr(0, space), value = line.substr(space + 1);
        if ((target == own || target == "*") &&
            std::find(ours.begin(), ours.end(), value) != ours.end())
            m.attributes.add("rtcp-fb", fmt::format("{} {}", type, value));
    }
}

} // namespace

Direction answerDirection(Direction offered, Direction wanted) noexcept {
    const bool weSend = wanted == Direction::sendrecv || wanted == Direction::sendonly;
    const bool weReceive = wanted == Direction::sendrecv || wanted == Direction::recvonly;
    switch (offered) {
    case Direction::sendrecv:
        return wanted;
    case Direction::sendonly: // they send: we may only receive
        return weReceive ? Direction::recvonly : Direction::inactive;
    case Direction::recvonly: // they receive: we may only send
        return weSend ? Direction::sendonly : Direction::inactive;
    case Direction::inactive:
        return Direction::inactive;
    }
    return Direction::inactive;
}

Session makeOffer(const Origin& origin, const std::vector<LocalStream>& streams) {
    Session s;
    s.origin = origin;
    for (const auto& local : streams) {
        Media m;
        m.type = local.type;
        m.port = local.port;
        m.proto = protoFor(local.srtp);
        m.connections.push_back({"IN", std::string(addrType(local.address)), local.address});
        int nextDynamic = 96;
        bool took101 = false;
        for (const auto& c : local.codecs) {
            int type = 0;
            if (const auto fixed = staticPayloadType(c)) {
                type = *fixed;
            } else if (c.isTelephoneEvent() && !took101) {
                type = 101; // the number most equipment uses (the first event clock's)
                took101 = true;
            } else {
                if (nextDynamic == 101) ++nextDynamic;
                type = nextDynamic++;
            }
            addRtpmap(m, type, c);
            if (c.isTelephoneEvent())
                m.attributes.add("fmtp", fmt::format("{} {}", type, kTelephoneEventEvents));
            else if (!c.parameters.empty())
                m.attributes.add("fmtp", fmt::format("{} {}", type, c.parameters));
            if (!c.isTelephoneEvent())
                for (const auto& feedback : local.feedback)
                    m.attributes.add("rtcp-fb", fmt::format("{} {}", type, feedback));
        }
        if (local.ptime) m.attributes.add("ptime", std::to_string(*local.ptime));
        if (local.rtcpMux) m.attributes.add("rtcp-mux");
        if (local.srtp != SrtpPolicy::off) {
            std::uint32_t position = 1;
            for (const auto& key : local.keys) { // its own tag, or its place in the list
                const std::uint32_t tag = key.tag != 0 ? key.tag : position;
                m.attributes.add("crypto", fmt::format("{} {} {}", tag, key.suite, key.keyParams));
                ++position;
            }
        }
        m.attributes.setDirection(local.direction);
        s.media.push_back(std::move(m));
    }
    return s;
}

Result<Session> makeAnswer(const Session& offer, const Origin& origin,
                           const std::vector<LocalStream>& streams) {
    Session answer;
    answer.origin = origin;
    answer.timings = offer.timings; // RFC 3264 §6: the answer's t= equals the offer's
    std::map<std::string, std::size_t, std::less<>> seen; // offered streams of each type so far
    for (std::size_t i = 0; i < offer.media.size(); ++i) {
        const Media& offered = offer.media[i];
        if (offered.port != 0 && offered.isRtp() && !offer.connectionOf(offered))
            return fail(Errc::invalid_input,
                        fmt::format("SDP m= line {} has no c= (and the session has none)", i + 1));
        const LocalStream* local = nullptr;
        for (std::size_t n = seen[offered.type]++; const auto& candidate : streams)
            if (candidate.type == offered.type && n-- == 0) {
                local = &candidate;
                break;
            }
        const bool secure = offered.proto.find("SAVP") != std::string::npos;
        // The SRTP policy decides which offers we can take at all.
        if (!local || local->port == 0 || offered.port == 0 || !offered.isRtp() ||
            (secure && local->srtp == SrtpPolicy::off) ||
            (!secure && local->srtp == SrtpPolicy::required)) {
            answer.media.push_back(rejected(offered));
            continue;
        }
        Media m;
        m.type = offered.type;
        m.port = local->port;
        m.proto = offered.proto;
        m.connections.push_back({"IN", std::string(addrType(local->address)), local->address});

        // §6.1: the offered payload types we accept, with the offer's numbers, ours first.
        bool carries = false; // a codec of the stream's content, not only events or noise
        for (const auto& wanted : local->codecs) {
            for (const auto& format : offered.formats) {
                int type = 0;
                if (std::from_chars(format.data(), format.data() + format.size(), type).ec !=
                    std::errc())
                    continue;
                const auto codec = codecOf(offered, type);
                if (!codec || !codec->sameAs(wanted)) continue;
                if (std::find(m.formats.begin(), m.formats.end(), format) != m.formats.end())
                    continue;
                const auto fmtp = offered.fmtp(type);
                if (!acceptsParameters(wanted, fmtp.value_or(""))) continue;
                addRtpmap(m, type, *codec);
                if (fmtp) m.attributes.add("fmtp", fmt::format("{} {}", type, *fmtp));
                addFeedback(m, offered, type, local->feedback);
                carries |= !codec->isTelephoneEvent() && !codec->isComfortNoise();
                break;
            }
        }
        if (!carries) {
            answer.media.push_back(rejected(offered));
            continue;
        }
        if (local->ptime) m.attributes.add("ptime", std::to_string(*local->ptime));
        if (local->rtcpMux && offered.rtcpMux()) m.attributes.add("rtcp-mux");
        if (secure || local->srtp != SrtpPolicy::off) {
            // RFC 4568 §7.1.2.2: one offered crypto line we accept, answered with its tag and
            // our own key for that suite. In RTP/AVP the crypto lines are optional extras.
            const Crypto* chosen = nullptr;
            const Crypto* ours = nullptr;
            const auto offeredKeys = offered.cryptos();
            for (const auto& key : local->keys) {
                for (const auto& theirs : offeredKeys)
                    if (theirs.suite == key.suite) {
                        chosen = &theirs;
                        ours = &key;
                        break;
                    }
                if (chosen) break;
            }
            if (chosen)
                m.attributes.add(
                    "crypto", fmt::format("{} {} {}", chosen->tag, ours->suite, ours->keyParams));
            else if (secure) {
                answer.media.push_back(rejected(offered)); // no suite in common (§7.1.2.2)
                continue;
            }
        }
        m.attributes.setDirection(answerDirection(offer.direction(offered), local->direction));
        answer.media.push_back(std::move(m));
    }
    return answer;
}

} // namespace sb::sdp
