#include "webrtc/data_channels.hpp"

#include <fmt/format.h>

namespace sb::webrtc {

DataChannels::DataChannels(SctpTransport& sctp, DtlsRole role, std::uint64_t peerLargestMessage,
                           Handlers handlers)
    : sctp_(sctp), role_(role), peerLargest_(peerLargestMessage), handlers_(std::move(handlers)),
      next_(role == DtlsRole::client ? 0 : 1) {
    sctp_.onMessages([this](std::uint16_t stream, Ppid ppid,
                            std::span<const std::byte> m) { onMessage(stream, ppid, m); },
                     [this](std::uint16_t stream) { onStreamClosed(stream); });
}

const DataChannel* DataChannels::find(std::uint16_t channel) const {
    auto found = channels_.find(channel);
    return found == channels_.end() ? nullptr : &found->second;
}

Result<std::uint16_t> DataChannels::open(DataChannelOpen params) {
    if (!sctp_.connected()) return fail(Errc::incomplete, "DataChannel: SCTP is not up yet");
    std::optional<std::uint16_t> id;
    for (std::uint16_t tried = 0; tried < SctpTransport::kStreams / 2 && !id; ++tried) {
        if (!channels_.contains(next_)) id = next_;
        next_ = static_cast<std::uint16_t>((next_ + 2) % SctpTransport::kStreams);
    }
    if (!id) return fail(Errc::too_large, "DataChannel: every stream of our parity is in use");
    auto open = writeDcep(params);
    if (!open) return fail(open.error());
    // RFC 8832 §6: the open goes reliably and in order, like everything before its ack.
    if (auto sent = sctp_.send(*id, Ppid::dcep, *open, {}); !sent) return fail(sent.error());
    channels_[*id] = DataChannel{*id, std::move(params), DataChannel::State::connecting};
    return *id;
}

SctpTransport::SendOptions DataChannels::sendOptions(const DataChannel& c) const {
    SctpTransport::SendOptions how;
    // §6: until the ack comes, messages go in order (they must not overtake the open).
    how.ordered = c.params.ordered() || c.state == DataChannel::State::connecting;
    switch (c.params.type) {
    case ChannelType::partialReliableRexmit:
    case ChannelType::partialReliableRexmitUnordered:
        how.maxRetransmits = c.params.reliability;
        break;
    case ChannelType::partialReliableTimed:
    case ChannelType::partialReliableTimedUnordered:
        how.maxLifetime = std::chrono::milliseconds(c.params.reliability);
        break;
    default:
        break;
    }
    return how;
}

Result<void> DataChannels::send(std::uint16_t channel, std::span<const std::byte> message,
                                bool binary) {
    auto found = channels_.find(channel);
    if (found == channels_.end() || found->second.state == DataChannel::State::closed)
        return fail(Errc::not_found, fmt::format("DataChannel {}: not open", channel));
    if (peerLargest_ != 0 && message.size() > peerLargest_)
        return fail(Errc::too_large,
                    fmt::format("DataChannel {}: a message of {} bytes is over the peer's "
                                "max-message-size of {} (RFC 8841 §6)",
                                channel, message.size(), peerLargest_));
    const auto how = sendOptions(found->second);
    if (message.empty()) { // RFC 8831 §6.6: SCTP cannot send nothing; one byte stands for it
        const std::byte zero{0};
        return sctp_.send(channel, binary ? Ppid::binaryEmpty : Ppid::stringEmpty, {&zero, 1}, how);
    }
    return sctp_.send(channel, binary ? Ppid::binary : Ppid::string, message, how);
}

void DataChannels::close(std::uint16_t channel) {
    auto found = channels_.find(channel);
    if (found == channels_.end() || found->second.state == DataChannel::State::closed) return;
    // RFC 8831 §6.7: our outgoing stream is reset; the channel is closed when the peer's reset
    // of its own comes back (onStreamClosed).
    found->second.state = DataChannel::State::closed;
    sctp_.closeStream(channel);
}

void DataChannels::onStreamClosed(std::uint16_t stream) {
    auto found = channels_.find(stream);
    if (found == channels_.end()) return;
    if (found->second.state != DataChannel::State::closed) sctp_.closeStream(stream); // §6.7
    const DataChannel closed = found->second;
    channels_.erase(found);
    if (handlers_.closed) handlers_.closed(closed);
}

void DataChannels::onMessage(std::uint16_t stream, Ppid ppid, std::span<const std::byte> m) {
    if (ppid == Ppid::dcep) return onDcep(stream, m);
    auto found = channels_.find(stream);
    if (found == channels_.end() || found->second.state == DataChannel::State::closed)
        return refuse(stream, fmt::format("DataChannel {}: a message on a stream with no "
                                          "channel",
                                          stream));
    DataChannel& c = found->second;
    if (c.state == DataChannel::State::connecting) {
        // RFC 8832 §6: a message from the peer on a channel we opened tells that it was
        // opened there, as the ack would.
        c.state = DataChannel::State::open;
        if (handlers_.opened) handlers_.opened(c);
    }
    switch (ppid) {
    case Ppid::string:
    case Ppid::binary:
        if (handlers_.message) handlers_.message(c, m, ppid == Ppid::binary);
        return;
    case Ppid::stringEmpty:
    case Ppid::binaryEmpty:
        if (handlers_.message) handlers_.message(c, {}, ppid == Ppid::binaryEmpty);
        return;
    default:
        return refuse(stream, fmt::format("DataChannel {}: payload protocol {} is not a "
                                          "DataChannel's",
                                          stream, static_cast<std::uint32_t>(ppid)));
    }
}

void DataChannels::onDcep(std::uint16_t stream, std::span<const std::byte> m) {
    auto message = readDcep(m);
    if (!message) return refuse(stream, message.error().message);
    auto found = channels_.find(stream);
    if (std::holds_alternative<DataChannelAck>(*message)) {
        // The ack of a channel of ours that the peer's first message opened already (RFC 8832
        // §6: on an unordered channel the message can overtake it) says nothing new.
        if (found != channels_.end() && found->second.state == DataChannel::State::open &&
            mayOpen(role_, stream))
            return;
        if (found == channels_.end() || found->second.state != DataChannel::State::connecting)
            return refuse(stream,
                          fmt::format("DCEP: an ack on stream {}, which awaits none", stream));
        found->second.state = DataChannel::State::open;
        if (handlers_.opened) handlers_.opened(found->second);
        return;
    }
    // RFC 8832 §6: the DTLS client opens even ids, the server odd ones.
    if (mayOpen(role_, stream))
        return refuse(stream, fmt::format("DCEP: the peer opened stream {}, whose parity is "
                                          "ours (RFC 8832 §6)",
                                          stream));
    if (found != channels_.end())
        return refuse(stream, fmt::format("DCEP: stream {} is open already", stream));
    auto ack = writeDcep(DataChannelAck{});
    if (!ack || !sctp_.send(stream, Ppid::dcep, *ack, {})) return;
    DataChannel& c = channels_[stream];
    c = DataChannel{stream, std::get<DataChannelOpen>(std::move(*message)),
                    DataChannel::State::open};
    if (handlers_.opened) handlers_.opened(c);
}

void DataChannels::refuse(std::uint16_t stream, std::string why) {
    if (handlers_.refused) handlers_.refused({Errc::invalid_input, std::move(why)});
    if (auto found = channels_.find(stream); found != channels_.end())
        close(stream);
    else
        sctp_.closeStream(stream);
}

} // namespace sb::webrtc
