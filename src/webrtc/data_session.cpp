#include "webrtc/data_session.hpp"

#include "sdp/parser.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace sb::webrtc {
namespace {

sdp::Media dataSection(const DataSession& ours) {
    sdp::Media m;
    m.type = "application";
    m.port = 9; // RFC 8839 §4.3.3: the "discard" port; ICE gives the real one
    if (ours.sctp.legacy) {
        m.proto = "DTLS/SCTP";
        m.formats = {fmt::format("{}", ours.sctp.port)};
    } else {
        m.proto = "UDP/DTLS/SCTP";
        m.formats = {"webrtc-datachannel"};
    }
    m.connections.push_back({"IN", "IP4", "0.0.0.0"});
    writeTransport(ours.transport, m);
    writeSctp(ours.sctp, m);
    return m;
}

sdp::Session sessionOf(const DataSession& ours) {
    sdp::Session s;
    s.origin.sessionId = fmt::format("{}", ours.sessionId);
    s.origin.sessionVersion = "2";
    return s;
}

} // namespace

Result<DtlsSetup> answerSetup(DtlsSetup offered) {
    switch (offered) {
    case DtlsSetup::actpass:
    case DtlsSetup::passive:
        return DtlsSetup::active;
    case DtlsSetup::active:
        return DtlsSetup::passive;
    case DtlsSetup::holdconn:
        break;
    }
    return fail(Errc::unsupported, "a=setup:holdconn: the offer asks for no connection");
}

DtlsRole roleOfOurs(DtlsSetup ours) {
    return ours == DtlsSetup::active ? DtlsRole::client : DtlsRole::server;
}

DtlsRole roleLeftByAnswer(DtlsSetup theirs) {
    return theirs == DtlsSetup::active ? DtlsRole::server : DtlsRole::client;
}

std::string writeOffer(DataSession ours) {
    ours.transport.setup = DtlsSetup::actpass;
    if (!ours.transport.mid) ours.transport.mid = "0";
    sdp::Session s = sessionOf(ours);
    s.attributes.add("group", "BUNDLE " + *ours.transport.mid);
    s.media.push_back(dataSection(ours));
    return sdp::write(s);
}

Result<PeerDataSession> readDataSession(std::string_view text) {
    auto session = sdp::parse(text);
    if (!session) return fail(session.error());
    for (const auto& m : session->media) {
        auto sctp = readSctp(m);
        if (!sctp && sctp.error().code == Errc::unsupported) continue;
        if (!sctp) return fail(sctp.error());
        auto transport = readTransport(*session, m);
        if (!transport) return fail(transport.error());
        // RFC 4145 §4: holdconn asks that no connection be made, and a DataChannel is nothing
        // but its DTLS connection: refused as the description is read, before any leg exists.
        if (transport->setup == DtlsSetup::holdconn)
            return fail(Errc::invalid_input,
                        "a=setup:holdconn: a DataChannel needs its DTLS connection (actpass, "
                        "active or passive)");
        PeerDataSession peer;
        peer.transport = std::move(transport).value();
        peer.sctp = *sctp;
        peer.dataSection = static_cast<std::size_t>(&m - session->media.data());
        // RFC 8843 §7.1: a=group:BUNDLE lists the mids of the bundle.
        for (auto group : session->attributes.all("group")) {
            if (!group.starts_with("BUNDLE ") || !peer.bundle.empty()) continue;
            std::string_view list = group.substr(7);
            while (!list.empty()) {
                const auto space = list.find(' ');
                if (space != 0) peer.bundle.emplace_back(list.substr(0, space));
                list = space == std::string_view::npos ? "" : list.substr(space + 1);
            }
        }
        auto inBundle = [&](std::string_view mid) {
            return std::find(peer.bundle.begin(), peer.bundle.end(), mid) != peer.bundle.end();
        };
        if (peer.transport.mid) {
            peer.mid = *peer.transport.mid;
            peer.bundled = inBundle(peer.mid);
        }
        // Audio shares the DataChannel's transport, so it must be in the same bundle.
        if (auto audio = findOpusAudio(*session); audio && peer.bundled) {
            const auto mid = session->media[audio->section].attributes.get("mid");
            if (mid && inBundle(*mid)) peer.audio = audio;
        }
        peer.sections = std::move(session->media);
        return peer;
    }
    return fail(Errc::unsupported, "no DataChannel section (m=application … webrtc-datachannel)");
}

Result<std::string> writeAnswer(DataSession ours, const PeerDataSession& offer) {
    auto setup = answerSetup(offer.transport.setup.value_or(DtlsSetup::actpass));
    if (!setup) return fail(setup.error());
    ours.transport.setup = *setup;
    ours.transport.mid = offer.mid.empty() ? std::nullopt : std::optional(offer.mid);
    ours.sctp.legacy = offer.sctp.legacy;
    sdp::Session s = sessionOf(ours);
    if (offer.sections.empty()) { // a DataChannel section alone, described without its offer
        if (offer.bundled && ours.transport.mid)
            s.attributes.add("group", "BUNDLE " + *ours.transport.mid);
        s.media.push_back(dataSection(ours));
        return sdp::write(s);
    }
    // Every section of the offer has its answer, in order (RFC 3264 §6); those we take share
    // the DataChannel's transport, whose attributes each repeats (RFC 8843 §7.3.1 lets an
    // answer give them in the tagged section only; browsers take them in each).
    std::vector<std::string> taken;
    for (std::size_t i = 0; i < offer.sections.size(); ++i) {
        const sdp::Media& offered = offer.sections[i];
        const auto mid = offered.attributes.get("mid");
        if (i == offer.dataSection) {
            s.media.push_back(dataSection(ours));
        } else if (ours.audio && offer.audio && i == offer.audio->section) {
            sdp::Media m = answerAudio(*offer.audio, ours.audio->ssrc, ours.audio->cname);
            WebRtcTransport t = ours.transport;
            t.mid = mid ? std::optional<std::string>(*mid) : std::nullopt;
            auto attributes = std::move(m.attributes);
            m.attributes = {};
            writeTransport(t, m);
            for (auto& a : attributes.list)
                m.attributes.add(std::move(a.name), std::move(a.value));
            s.media.push_back(std::move(m));
        } else {
            s.media.push_back(refuse(offered));
            continue;
        }
        if (mid) taken.emplace_back(*mid);
    }
    // RFC 8843 §7.3.1: the answer's bundle lists the sections it takes, from the offer's.
    std::string group;
    for (const auto& mid : offer.bundle)
        if (std::find(taken.begin(), taken.end(), mid) != taken.end()) group += " " + mid;
    if (offer.bundled && !group.empty()) s.attributes.add("group", "BUNDLE" + group);
    return sdp::write(s);
}

} // namespace sb::webrtc
