#include "webrtc/dcep.hpp"

#include "core/utf8.hpp"

#include <fmt/format.h>

namespace sb::webrtc {
namespace {

// RFC 8832 §8.2.1: the message types.
constexpr std::uint8_t kOpen = 0x03, kAck = 0x02;
// §5.1: type, channel type, priority, reliability, label length, protocol length.
constexpr std::size_t kOpenHeader = 12;

std::uint16_t read16(std::span<const std::byte> b, std::size_t at) {
    return static_cast<std::uint16_t>((std::to_integer<unsigned>(b[at]) << 8) |
                                      std::to_integer<unsigned>(b[at + 1]));
}

std::uint32_t read32(std::span<const std::byte> b, std::size_t at) {
    return (std::uint32_t{read16(b, at)} << 16) | read16(b, at + 2);
}

bool knownChannelType(std::uint8_t t) {
    switch (static_cast<ChannelType>(t)) {
    case ChannelType::reliable:
    case ChannelType::reliableUnordered:
    case ChannelType::partialReliableRexmit:
    case ChannelType::partialReliableRexmitUnordered:
    case ChannelType::partialReliableTimed:
    case ChannelType::partialReliableTimedUnordered:
        return true;
    }
    return false;
}

Result<DcepMessage> readOpen(std::span<const std::byte> m) {
    if (m.size() < kOpenHeader)
        return fail(Errc::invalid_input,
                    fmt::format("DCEP DATA_CHANNEL_OPEN: {} bytes, shorter than its 12-byte header",
                                m.size()));
    const auto type = std::to_integer<std::uint8_t>(m[1]);
    if (!knownChannelType(type))
        return fail(Errc::invalid_input,
                    fmt::format("DCEP DATA_CHANNEL_OPEN: channel type 0x{:02x} is unknown", type));
    const std::size_t labelLength = read16(m, 8), protocolLength = read16(m, 10);
    const std::size_t body = m.size() - kOpenHeader;
    if (labelLength + protocolLength != body)
        return fail(Errc::invalid_input,
                    fmt::format("DCEP DATA_CHANNEL_OPEN: label length {} and protocol length {} "
                                "do not add up to the {} bytes after the header",
                                labelLength, protocolLength, body));
    DataChannelOpen open;
    open.type = static_cast<ChannelType>(type);
    open.priority = read16(m, 2);
    open.reliability = read32(m, 4);
    const auto* text = reinterpret_cast<const char*>(m.data()) + kOpenHeader;
    open.label.assign(text, labelLength);
    open.protocol.assign(text + labelLength, protocolLength);
    if (!isUtf8(open.label))
        return fail(Errc::invalid_input, "DCEP DATA_CHANNEL_OPEN: the label is not UTF-8");
    if (!isUtf8(open.protocol))
        return fail(Errc::invalid_input, "DCEP DATA_CHANNEL_OPEN: the protocol is not UTF-8");
    return DcepMessage(std::move(open));
}

void put16(std::vector<std::byte>& out, std::uint32_t v) {
    out.push_back(static_cast<std::byte>((v >> 8) & 0xFF));
    out.push_back(static_cast<std::byte>(v & 0xFF));
}

} // namespace

Result<DcepMessage> readDcep(std::span<const std::byte> message) {
    if (message.empty()) return fail(Errc::invalid_input, "DCEP: an empty message");
    const auto type = std::to_integer<std::uint8_t>(message[0]);
    if (type == kOpen) return readOpen(message);
    if (type == kAck) {
        if (message.size() != 1)
            return fail(Errc::invalid_input,
                        fmt::format("DCEP DATA_CHANNEL_ACK: {} bytes after its message type",
                                    message.size() - 1));
        return DcepMessage(DataChannelAck{});
    }
    return fail(Errc::invalid_input, fmt::format("DCEP: message type 0x{:02x} is unknown", type));
}

Result<std::vector<std::byte>> writeDcep(const DcepMessage& message) {
    std::vector<std::byte> out;
    if (std::holds_alternative<DataChannelAck>(message)) {
        out.push_back(std::byte{kAck});
        return out;
    }
    const auto& open = std::get<DataChannelOpen>(message);
    if (open.label.size() > 0xFFFF || open.protocol.size() > 0xFFFF)
        return fail(Errc::too_large,
                    "DCEP DATA_CHANNEL_OPEN: a label or protocol over 65,535 bytes");
    out.reserve(kOpenHeader + open.label.size() + open.protocol.size());
    out.push_back(std::byte{kOpen});
    out.push_back(static_cast<std::byte>(open.type));
    put16(out, open.priority);
    put16(out, open.reliability >> 16);
    put16(out, open.reliability & 0xFFFF);
    put16(out, static_cast<std::uint32_t>(open.label.size()));
    put16(out, static_cast<std::uint32_t>(open.protocol.size()));
    for (char c : open.label)
        out.push_back(static_cast<std::byte>(c));
    for (char c : open.protocol)
        out.push_back(static_cast<std::byte>(c));
    return out;
}

} // namespace sb::webrtc
