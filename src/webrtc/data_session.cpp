#include "webrtc/data_session.hpp"

#include "sdp/parser.hpp"

#include <fmt/format.h>

namespace sb::webrtc {
namespace {

std::string write(const DataSession& ours, bool bundled) {
    sdp::Session s;
    s.origin.sessionId = fmt::format("{}", ours.sessionId);
    s.origin.sessionVersion = "2";
    if (bundled && ours.transport.mid) s.attributes.add("group", "BUNDLE " + *ours.transport.mid);
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
    s.media.push_back(std::move(m));
    return sdp::write(s);
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
    return write(ours, true);
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
        PeerDataSession peer{std::move(transport).value(), *sctp, "", false};
        if (peer.transport.mid) {
            peer.mid = *peer.transport.mid;
            // RFC 8843 §7.1: a=group:BUNDLE lists the mids of the bundle.
            for (auto group : session->attributes.all("group")) {
                if (!group.starts_with("BUNDLE ")) continue;
                const std::string list = " " + std::string(group.substr(7)) + " ";
                peer.bundled = peer.bundled || list.find(" " + peer.mid + " ") != std::string::npos;
            }
        }
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
    return write(ours, offer.bundled);
}

} // namespace sb::webrtc
