#include "h323/q931/message.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace sb::h323::q931 {
namespace {

constexpr std::uint8_t kProtocolDiscriminator = 0x08; // Q.931 §4.2
constexpr std::uint8_t kUserUserX208 = 0x05;          // H.225.0 §7.2.2.9

Unexpected bad(std::string_view what) {
    return fail(Errc::invalid_input, fmt::format("Q.931: {}", what));
}

bool known(std::uint8_t type) {
    return !nameOf(static_cast<MessageType>(type)).empty();
}

const char* elementName(std::uint8_t id) {
    switch (id) {
    case element::bearerCapability:
        return "Bearer capability";
    case element::cause:
        return "Cause";
    case element::callState:
        return "Call state";
    case element::progressIndicator:
        return "Progress indicator";
    case element::display:
        return "Display";
    case element::callingPartyNumber:
        return "Calling party number";
    case element::calledPartyNumber:
        return "Called party number";
    case element::userUser:
        return "User-user";
    default:
        return "an element";
    }
}

} // namespace

std::string_view nameOf(MessageType type) {
    switch (type) {
    case MessageType::alerting:
        return "Alerting";
    case MessageType::callProceeding:
        return "CallProceeding";
    case MessageType::progress:
        return "Progress";
    case MessageType::setup:
        return "Setup";
    case MessageType::connect:
        return "Connect";
    case MessageType::releaseComplete:
        return "ReleaseComplete";
    case MessageType::facility:
        return "Facility";
    case MessageType::statusEnquiry:
        return "StatusEnquiry";
    case MessageType::information:
        return "Information";
    case MessageType::status:
        return "Status";
    }
    return {};
}

const Element* Message::find(std::uint8_t id) const {
    for (const auto& e : elements)
        if (e.id == id) return &e;
    return nullptr;
}

void Message::set(std::uint8_t id, std::vector<std::uint8_t> contents) {
    auto at = std::find_if(elements.begin(), elements.end(),
                           [id](const Element& e) { return e.id >= id; });
    if (at != elements.end() && at->id == id) {
        at->contents = std::move(contents);
        return;
    }
    elements.insert(at, Element{id, std::move(contents)});
}

std::vector<std::uint8_t> write(const Message& message) {
    std::vector<std::uint8_t> out;
    out.reserve(16);
    out.push_back(kProtocolDiscriminator);
    out.push_back(2); // the call reference's length (H.225.0 §7.2.1: two octets)
    out.push_back(static_cast<std::uint8_t>((message.fromDestination ? 0x80 : 0) |
                                            ((message.callReference >> 8) & 0x7F)));
    out.push_back(static_cast<std::uint8_t>(message.callReference & 0xFF));
    out.push_back(static_cast<std::uint8_t>(message.type));
    for (const auto& e : message.elements) {
        out.push_back(e.id);
        if (e.id & 0x80) continue; // a single-octet element (§4.5.1) has no length
        if (e.id == element::userUser)
            out.push_back(static_cast<std::uint8_t>(e.contents.size() >> 8));
        out.push_back(static_cast<std::uint8_t>(e.contents.size() & 0xFF));
        out.insert(out.end(), e.contents.begin(), e.contents.end());
    }
    return out;
}

Result<Message> read(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < 5) return bad(fmt::format("a message of {} octets", bytes.size()));
    if (bytes[0] != kProtocolDiscriminator)
        return bad(fmt::format("protocol discriminator 0x{:02x}, not 0x08", bytes[0]));
    if (bytes[1] != 2)
        return bad(fmt::format("a call reference of {} octets, not 2", bytes[1] & 0x0F));
    Message m;
    m.fromDestination = (bytes[2] & 0x80) != 0;
    m.callReference = static_cast<std::uint16_t>(((bytes[2] & 0x7F) << 8) | bytes[3]);
    if (!known(bytes[4])) return bad(fmt::format("message type 0x{:02x}", bytes[4]));
    m.type = static_cast<MessageType>(bytes[4]);
    std::size_t at = 5;
    int last = -1;
    while (at < bytes.size()) {
        const std::uint8_t id = bytes[at++];
        if (id & 0x80) { // single-octet (§4.5.1): Shift and the like, kept as they came
            m.elements.push_back({id, {}});
            continue;
        }
        const auto name = elementName(id);
        if (id <= last) return bad(fmt::format("{} (0x{:02x}) out of order or repeated", name, id));
        last = id;
        const std::size_t lengthSize = id == element::userUser ? 2 : 1;
        if (bytes.size() - at < lengthSize) return bad(fmt::format("{}: no length", name));
        std::size_t length = bytes[at];
        if (lengthSize == 2) length = (length << 8) | bytes[at + 1];
        at += lengthSize;
        if (bytes.size() - at < length)
            return bad(fmt::format("{}: {} octets said, {} left", name, length, bytes.size() - at));
        m.elements.push_back({id,
                              {bytes.begin() + static_cast<std::ptrdiff_t>(at),
                               bytes.begin() + static_cast<std::ptrdiff_t>(at + length)}});
        at += length;
    }
    return m;
}

std::vector<std::uint8_t> writeBearer(const Bearer& b) {
    // Octet 3: extension, coding standard ITU-T (00), the capability; octet 4: circuit mode
    // and the rate; octet 5: layer 1 identification (01) and its protocol.
    std::vector<std::uint8_t> out{static_cast<std::uint8_t>(0x80 | (b.capability & 0x1F)),
                                  static_cast<std::uint8_t>(0x80 | (b.rate & 0x1F))};
    if (b.layer1) out.push_back(static_cast<std::uint8_t>(0xA0 | (*b.layer1 & 0x1F)));
    return out;
}

Result<Bearer> readBearer(std::span<const std::uint8_t> c) {
    if (c.size() < 2) return bad("Bearer capability: fewer than 2 octets");
    if (c[0] & 0x60) return bad("Bearer capability: a coding standard other than ITU-T");
    Bearer b{static_cast<std::uint8_t>(c[0] & 0x1F), static_cast<std::uint8_t>(c[1] & 0x1F),
             std::nullopt};
    // Octet 4a/4b (multirate) may follow octet 4 when its extension bit is clear.
    std::size_t at = 2;
    while (at < c.size() && !(c[at - 1] & 0x80))
        ++at;
    if (at < c.size() && (c[at] & 0x60) == 0x20) b.layer1 = static_cast<std::uint8_t>(c[at] & 0x1F);
    return b;
}

std::vector<std::uint8_t> writeCause(const Cause& cause) {
    return {static_cast<std::uint8_t>(0x80 | (cause.location & 0x0F)),
            static_cast<std::uint8_t>(0x80 | (cause.value & 0x7F))};
}

Result<Cause> readCause(std::span<const std::uint8_t> c) {
    if (c.size() < 2) return bad("Cause: fewer than 2 octets");
    // Octet 3a (a recommendation) follows octet 3 when its extension bit is clear.
    const std::size_t value = (c[0] & 0x80) ? 1 : 2;
    if (c.size() <= value) return bad("Cause: no cause value");
    return Cause{static_cast<std::uint8_t>(c[value] & 0x7F),
                 static_cast<std::uint8_t>(c[0] & 0x0F)};
}

std::vector<std::uint8_t> writeProgress(const Progress& p) {
    return {static_cast<std::uint8_t>(0x80 | (p.location & 0x0F)),
            static_cast<std::uint8_t>(0x80 | (p.description & 0x7F))};
}

Result<Progress> readProgress(std::span<const std::uint8_t> c) {
    if (c.size() != 2) return bad("Progress indicator: not 2 octets");
    return Progress{static_cast<std::uint8_t>(c[1] & 0x7F), static_cast<std::uint8_t>(c[0] & 0x0F)};
}

std::vector<std::uint8_t> writePartyNumber(const PartyNumber& n) {
    std::vector<std::uint8_t> out;
    out.reserve(1 + n.digits.size());
    out.push_back(static_cast<std::uint8_t>(0x80 | ((n.type & 0x07) << 4) | (n.plan & 0x0F)));
    out.insert(out.end(), n.digits.begin(), n.digits.end());
    return out;
}

Result<PartyNumber> readPartyNumber(std::span<const std::uint8_t> c) {
    if (c.empty()) return bad("party number: empty");
    PartyNumber n{
        static_cast<std::uint8_t>((c[0] >> 4) & 0x07), static_cast<std::uint8_t>(c[0] & 0x0F), {}};
    // Octet 3a (presentation and screening, calling party) when octet 3's extension is clear.
    const std::size_t digits = (c[0] & 0x80) ? 1 : 2;
    if (c.size() < digits) return bad("party number: octet 3a missing");
    for (auto d : c.subspan(digits)) {
        if (!((d >= '0' && d <= '9') || d == '*' || d == '#'))
            return bad(fmt::format("party number: the digit 0x{:02x}", d));
        n.digits += static_cast<char>(d);
    }
    return n;
}

std::vector<std::uint8_t> writeUserUser(std::span<const std::uint8_t> userInformation) {
    std::vector<std::uint8_t> out;
    out.reserve(1 + userInformation.size());
    out.push_back(kUserUserX208);
    out.insert(out.end(), userInformation.begin(), userInformation.end());
    return out;
}

Result<std::span<const std::uint8_t>> readUserUser(std::span<const std::uint8_t> c) {
    if (c.empty() || c[0] != kUserUserX208)
        return bad("User-user: not X.208/X.209 coded user information (5)");
    return c.subspan(1);
}

} // namespace sb::h323::q931
