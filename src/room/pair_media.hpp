#pragma once
// The media of pass-through pairs: rooms of two legs that one signalling call joins end to end
// (a B2BUA's bridged call now; a call between SIP and H.323 later). RFC 3264 runs end to end
// across the pair: a description from one leg becomes the one sent to the other, with our
// addresses in it, so the two far ends choose their codec between themselves and the media
// is forwarded without decoding whenever they share one (ARCHITECTURE.md "Codec negotiation",
// stage 1); only what the media layer adds to an offer lets it transcode otherwise.
//
// Synchronous, unlike MediaGraph: a pair's negotiation is a rewrite of the description, with
// ports leased from a pool whose flags are atomics, so it is done on the calling thread (the
// control loop), and the signalling goes on at once with what it returns; the streams it sets
// up run on a media worker, told by posting. A room's mixer, by contrast, lives on its worker
// with the state an answer depends on, so MediaGraph answers later.

#include "core/result.hpp"
#include "room/ids.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace sb::room {

// The two legs of a pair: the one whose request began the call, and the one it went on to.
enum class End : std::uint8_t { arrived, dialled };

constexpr End other(End end) noexcept {
    return end == End::arrived ? End::dialled : End::arrived;
}

class PairMedia {
public:
    virtual ~PairMedia() = default;
    // The description to send to the other end for `description` from `from`, in the order
    // they cross (offers and answers are told apart by that order, RFC 3264 §4). Errors:
    // Errc::invalid_input (a malformed description), Errc::unsupported (no usable codec),
    // Errc::too_large (no media ports left).
    virtual Result<std::string> relay(RoomId pair, End from, std::string_view description) = 0;
    // The pair's streams and ports go. Idempotent.
    virtual void left(RoomId pair) = 0;
};

} // namespace sb::room
