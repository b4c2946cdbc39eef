#pragma once
// WebRTC DataChannels on an SCTP association (RFC 8831), opened in-band with DCEP (RFC 8832):
// each channel is a pair of SCTP streams with the same id, opened by the end whose DTLS role
// owns that id's parity, and closed by resetting both streams. Text and binary messages go by
// their payload protocol identifiers (empty ones as the one-byte "empty" PPIDs, §6.6), never
// larger than the peer's a=max-message-size (RFC 8841 §6).
//
// Used on the thread of its SctpTransport, which the owner feeds; this takes over the
// transport's message and streamClosed handlers.

#include "core/result.hpp"
#include "webrtc/dcep.hpp"
#include "webrtc/sctp_transport.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>

namespace sb::webrtc {

struct DataChannel {
    std::uint16_t id = 0; // the SCTP stream
    DataChannelOpen params;
    enum class State : std::uint8_t { connecting, open, closed } state = State::connecting;
};

class DataChannels {
public:
    struct Handlers {
        std::function<void(const DataChannel& channel)> opened; // by either end, once acknowledged
        std::function<void(const DataChannel& channel, std::span<const std::byte> message,
                           bool binary)>
            message;
        std::function<void(const DataChannel& channel)> closed;
        // Something the peer did that DCEP does not allow (the channel concerned is closed).
        std::function<void(const Error& why)> refused;
    };
    // `role`: our DTLS role, which gives our channels their parity. `peerLargestMessage`: the
    // peer's a=max-message-size as SctpDescription::largestMessage() reads it (0: no limit).
    DataChannels(SctpTransport& sctp, DtlsRole role, std::uint64_t peerLargestMessage,
                 Handlers handlers);

    // Opens a channel on our next free id of our parity. Errc::incomplete before the
    // association is up; Errc::too_large when every id of our parity is taken.
    Result<std::uint16_t> open(DataChannelOpen params);
    // Errc::too_large over the peer's limit (the error names it); Errc::not_found for a channel
    // that is not open or connecting; Errc::incomplete when SCTP's send buffer is full.
    Result<void> send(std::uint16_t channel, std::span<const std::byte> message, bool binary);
    void close(std::uint16_t channel);

    const DataChannel* find(std::uint16_t channel) const;

private:
    void onMessage(std::uint16_t stream, Ppid ppid, std::span<const std::byte> message);
    void onDcep(std::uint16_t stream, std::span<const std::byte> message);
    void onStreamClosed(std::uint16_t stream);
    void refuse(std::uint16_t stream, std::string why);
    SctpTransport::SendOptions sendOptions(const DataChannel& channel) const;

    SctpTransport& sctp_;
    DtlsRole role_;
    std::uint64_t peerLargest_;
    Handlers handlers_;
    std::map<std::uint16_t, DataChannel> channels_;
    std::uint16_t next_; // our next id to try
};

} // namespace sb::webrtc
