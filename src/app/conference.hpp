#pragma once
// Conference rooms for SIP calls (a route with `conference = "name"`): each call that joins a
// room gets its own RTP endpoint, the codec our answer settles on from its offer (SDES-keyed
// SRTP when it offers it), and a place in the room's mixer. Rooms are made when their first
// participant joins and go when their last one leaves. The B2BUA answers the calls itself.
//
// The room named kEchoRoom (a route with `echo = true`) is an echo test: each call that joins it
// gets a room of its own in which it hears itself, through the jitter buffer and its codec.

#include "app/conference_room.hpp"
#include "app/config.hpp"
#include "app/media_anchor.hpp"
#include "sip/b2bua.hpp"

#include <random>
#include <string>
#include <unordered_map>

namespace sb::app {

struct ConferenceOptions {
    MediaOptions media;         // our address, codecs (in order of preference), ptime
    std::uint32_t rate = 48000; // the mixers': 16000 or 48000
};

class Conference final : public sip::ConferenceRooms {
public:
    // Streams take their ports from `pool`, which must outlive the rooms.
    Conference(rtp::PortPool& pool, ConferenceOptions options);
    ~Conference() override;

    Result<std::string> join(std::uint64_t call, std::string_view room, std::string_view offer,
                             std::string_view traceId) override;
    void left(std::uint64_t call) override;

    // Calls we place into a room (an escalation's expert): our offer for call `call`, whose
    // stream waits for the answer; then the answer, which joins it to the room. A call that is
    // never answered leaves with left(). Errors: no ports left (Errc::too_large); an answer
    // without a codec we offered or a usable address (Errc::unsupported, invalid_input).
    Result<std::string> offer(std::uint64_t call, std::string_view room, std::string_view traceId);
    Result<void> answered(std::uint64_t call, std::string_view answer);

    std::size_t rooms() const noexcept { return rooms_.size(); }
    std::size_t participants() const noexcept { return calls_.size(); }
    // Every room's, the closed ones' included.
    ConferenceRoom::Stats stats() const;

private:
    struct Call {
        std::string room;
        std::uint32_t version = 0; // of our o= line
        std::uint64_t sessionId = 0;
        std::unique_ptr<rtp::RtpStream> offered; // our offer's, until the answer comes
        std::string tag;                         // how log lines name the call (callTag)
    };
    sdp::Origin originOf(Call& call, std::string_view address);

    rtp::PortPool& pool_;
    ConferenceOptions options_;
    std::mt19937_64 random_;
    std::unordered_map<std::string, std::unique_ptr<ConferenceRoom>> rooms_;
    std::unordered_map<std::uint64_t, Call> calls_;
    ConferenceRoom::Stats closed_;
};

} // namespace sb::app
