// Fuzzes the reader of what a WebRTC peer says on its control channel (bridge/peer_protocol.hpp):
// untrusted text that must be refused with an error naming the member, never crash. What it
// accepts as an acknowledgement is read again from its own payload, to the same values.
#include "bridge/peer_protocol.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto message = sb::bridge::readPeerMessage(text);
    if (!message) {
        if (message.error().message.empty()) __builtin_trap();
        return 0;
    }
    if (message->performative != sb::bridge::Performative::ack) return 0;
    auto ack = sb::bridge::readAck(message->payload);
    if (!ack) return 0;
    nlohmann::json again{{"in_reply_to", ack->inReplyTo}};
    if (ack->next) again["next"] = *ack->next;
    if (!ack->sha256.empty()) again["sha256"] = ack->sha256;
    auto reread = sb::bridge::readAck(again);
    if (!reread || reread->inReplyTo != ack->inReplyTo || reread->next != ack->next ||
        reread->sha256 != ack->sha256)
        __builtin_trap();
    return 0;
}
