// Fuzzes the STUN decoding that every datagram to one of our ICE sockets reaches (RFC 8489,
// with ICE's attributes, RFC 8445 §7): libnice's, which Switchboard relies on rather than a
// parser of its own, driven as its ICE agent drives it — validated with short-term credentials
// and FINGERPRINT, then its attributes read.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stun/stunagent.h>
#include <stun/stunmessage.h>
#include <sys/socket.h>

namespace {

// The password the agent would hold for the message's USERNAME (a seed is signed with it).
constexpr char kPassword[] = "switchboard-fuzz-password";

bool validate(StunAgent*, StunMessage*, uint8_t*, uint16_t, uint8_t** password, size_t* length,
              void*) {
    *password = reinterpret_cast<uint8_t*>(const_cast<char*>(kPassword));
    *length = sizeof kPassword - 1;
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const uint16_t known[] = {
        STUN_ATTRIBUTE_USERNAME,        STUN_ATTRIBUTE_MESSAGE_INTEGRITY,
        STUN_ATTRIBUTE_ERROR_CODE,      STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS,
        STUN_ATTRIBUTE_PRIORITY,        STUN_ATTRIBUTE_USE_CANDIDATE,
        STUN_ATTRIBUTE_FINGERPRINT,     STUN_ATTRIBUTE_ICE_CONTROLLED,
        STUN_ATTRIBUTE_ICE_CONTROLLING, 0};
    (void)stun_message_validate_buffer_length(data, size, true);
    StunAgent agent;
    stun_agent_init(&agent, known, STUN_COMPATIBILITY_RFC5389,
                    static_cast<StunAgentUsageFlags>(STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS |
                                                     STUN_AGENT_USAGE_USE_FINGERPRINT));
    StunMessage message;
    if (stun_agent_validate(&agent, &message, data, size, validate, nullptr) !=
        STUN_VALIDATION_SUCCESS)
        return 0;
    uint32_t priority = 0;
    uint64_t tieBreaker = 0;
    int code = 0;
    char text[256];
    uint16_t length = 0;
    sockaddr_storage address{};
    socklen_t addressLength = sizeof address;
    (void)stun_message_find(&message, STUN_ATTRIBUTE_USERNAME, &length);
    (void)stun_message_find32(&message, STUN_ATTRIBUTE_PRIORITY, &priority);
    (void)stun_message_find64(&message, STUN_ATTRIBUTE_ICE_CONTROLLING, &tieBreaker);
    (void)stun_message_find_flag(&message, STUN_ATTRIBUTE_USE_CANDIDATE);
    (void)stun_message_find_error(&message, &code);
    (void)stun_message_find_string(&message, STUN_ATTRIBUTE_SOFTWARE, text, sizeof text);
    (void)stun_message_find_xor_addr(&message, STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS,
                                     reinterpret_cast<sockaddr_storage*>(&address), &addressLength);
    return 0;
}
