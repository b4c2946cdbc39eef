// Fuzzes the WebRTC transport of a session description (ICE credentials, options and
// candidates, DTLS fingerprints and role, the SCTP port and message size) with untrusted
// bodies, and checks that what it accepts survives a write and a second read unchanged; and
// the whole offer as a peer's (its DataChannel and Opus audio), answered.
#include "sdp/parser.hpp"
#include "webrtc/data_session.hpp"
#include "webrtc/sdp_transport.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto session = sb::sdp::parse(text);
    if (!session) return 0;
    if (auto offer = sb::webrtc::readDataSession(text)) {
        sb::webrtc::DataSession ours;
        ours.transport.iceUfrag = "Sw1t";
        ours.transport.icePwd = "chboardchboardchboard1";
        ours.audio = sb::webrtc::DataSession::Audio{1, "fuzz"};
        // Our answer is ours to read back: one section for each of the offer's.
        auto answer = sb::webrtc::writeAnswer(ours, *offer);
        if (answer) {
            auto read = sb::sdp::parse(*answer);
            if (!read || read->media.size() != offer->sections.size()) __builtin_trap();
        }
    }
    for (const auto& m : session->media) {
        for (auto value : m.attributes.all("candidate"))
            if (auto c = sb::webrtc::readCandidate(value)) {
                auto again = sb::webrtc::readCandidate(sb::webrtc::writeCandidate(*c));
                if (!again || !(*again == *c)) __builtin_trap();
            }
        (void)sb::webrtc::readSctp(m);
        auto t = sb::webrtc::readTransport(*session, m);
        if (!t) continue;
        sb::sdp::Session out;
        out.connection = sb::sdp::Connection{"IN", "IP4", "0.0.0.0"};
        sb::sdp::Media media;
        media.type = "application";
        media.port = 9;
        media.proto = "UDP/DTLS/SCTP";
        media.formats = {"webrtc-datachannel"};
        sb::webrtc::writeTransport(*t, media);
        out.media.push_back(std::move(media));
        if (t->iceLite) out.attributes.add("ice-lite");
        auto reread = sb::sdp::parse(sb::sdp::write(out));
        if (!reread) __builtin_trap();
        auto again = sb::webrtc::readTransport(*reread, reread->media.front());
        if (!again || !(*again == *t)) __builtin_trap();
    }
    return 0;
}
