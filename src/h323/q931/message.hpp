#pragma once
// Q.931 messages as H.225.0 (v7, 12/2009) §7 profiles them for H.323 call signalling: the
// protocol discriminator 0x08, a two-octet call reference with its flag (Q.931 §4.3), the
// message type, and information elements in ascending order of their identifiers (§4.5.1).
// Elements are kept as they came (identifier and contents); the ones H.225.0 uses have their
// own writers and readers below. The User-user element, which carries H.225.0's
// H323-UserInformation, has a two-octet length (H.225.0 §7.2.2.9).

#include "core/result.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sb::h323::q931 {

// The message types H.225.0 §7.3 uses (Q.931 §4.4, Table 4-2).
enum class MessageType : std::uint8_t {
    alerting = 0x01,
    callProceeding = 0x02,
    progress = 0x03,
    setup = 0x05,
    connect = 0x07,
    releaseComplete = 0x5a,
    facility = 0x62,
    statusEnquiry = 0x75,
    information = 0x7b,
    status = 0x7d,
};
// "Setup", "ReleaseComplete"…; empty for a type H.225.0 does not use.
std::string_view nameOf(MessageType type);

// Information element identifiers (Q.931 §4.5, Table 4-3).
namespace element {
inline constexpr std::uint8_t bearerCapability = 0x04, cause = 0x08, callState = 0x14,
                              progressIndicator = 0x1e, display = 0x28, callingPartyNumber = 0x6c,
                              calledPartyNumber = 0x70, userUser = 0x7e;
} // namespace element

struct Element {
    std::uint8_t id = 0;
    std::vector<std::uint8_t> contents; // after the identifier and length
};

struct Message {
    MessageType type = MessageType::setup;
    std::uint16_t callReference = 0; // 15 bits
    bool fromDestination = false;    // the flag: sent by the side that did not begin the call
    std::vector<Element> elements;   // ascending identifiers

    const Element* find(std::uint8_t id) const;
    // Replaces the element `id`, or puts it in its place in the order.
    void set(std::uint8_t id, std::vector<std::uint8_t> contents);
};

std::vector<std::uint8_t> write(const Message& message);
// Errc::invalid_input naming what is wrong ("Q.931 Cause: …"): another protocol, a call
// reference of other than two octets, an unknown message type, an element that runs past the
// end, one out of order or twice.
Result<Message> read(std::span<const std::uint8_t> bytes);

// Bearer capability (Q.931 §4.5.5): information transfer capability (0 speech, 8 unrestricted
// digital), rate (0x10: 64 kbit/s) and, for speech, the layer 1 protocol (2 G.711 µ-law, 3 A-law).
struct Bearer {
    std::uint8_t capability = 0x00, rate = 0x10;
    std::optional<std::uint8_t> layer1 = 0x02;
};
std::vector<std::uint8_t> writeBearer(const Bearer& bearer);
Result<Bearer> readBearer(std::span<const std::uint8_t> contents);

// Cause (Q.931 §4.5.12, Q.850): the value (16 normal clearing, 17 busy…) and the location.
struct Cause {
    std::uint8_t value = 16, location = 0;
};
std::vector<std::uint8_t> writeCause(const Cause& cause);
Result<Cause> readCause(std::span<const std::uint8_t> contents);

// Progress indicator (Q.931 §4.5.23): the description (1 not end-to-end ISDN, 8 in-band
// information available) and the location.
struct Progress {
    std::uint8_t description = 8, location = 0;
};
std::vector<std::uint8_t> writeProgress(const Progress& progress);
Result<Progress> readProgress(std::span<const std::uint8_t> contents);

// Calling and called party number (Q.931 §4.5.10, §4.5.8): type of number (0 unknown,
// 1 international, 2 national, 4 subscriber), numbering plan (1 E.164, 9 private), and the
// digits (IA5: 0-9, *, #).
struct PartyNumber {
    std::uint8_t type = 0, plan = 1;
    std::string digits;
};
std::vector<std::uint8_t> writePartyNumber(const PartyNumber& number);
Result<PartyNumber> readPartyNumber(std::span<const std::uint8_t> contents);

// User-user (Q.931 §4.5.30): the protocol discriminator 5 (X.208/X.209 coded user
// information, H.225.0 §7.2.2.9) and H323-UserInformation's PER encoding.
std::vector<std::uint8_t> writeUserUser(std::span<const std::uint8_t> userInformation);
Result<std::span<const std::uint8_t>> readUserUser(std::span<const std::uint8_t> contents);

} // namespace sb::h323::q931
