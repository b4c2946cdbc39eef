#pragma once
// H.245 messages a peer may send that an audio endpoint does not make, written bit by bit from
// the types of H.245 v15 (tshark checks them in h245_test): the requests we refuse, a
// SendTerminalCapabilitySet, and a non-standard request.

#include "h323/per/encoder.hpp"

#include <cstdint>
#include <vector>

namespace sb::test::h245 {

// MultimediaSystemControlMessage request (of 4) and its RequestMessage alternative (of 11).
inline void request(h323::per::Encoder& e, std::uint64_t index) {
    e.choice(0, 4, true);
    e.choice(index, 11, true);
}

// MultiplexEntrySend { sequenceNumber 4, descriptors { entry 1 with elementList { {
// logicalChannelNumber 0, untilClosingFlag }, { subElementList { {channel 1, finite 2},
// {channel 2, finite 3} }, untilClosingFlag } }, entry 2 without } }
inline std::vector<std::uint8_t> multiplexEntrySend() {
    h323::per::Encoder e;
    request(e, 6);
    e.bit(false);
    e.integer(4, 0, 255);
    e.constrainedLength(2, 1, 15);
    e.bit(true); // elementList
    e.integer(1, 1, 15);
    e.constrainedLength(2, 1, 256);
    e.choice(0, 2, false);
    e.integer(0, 0, 65535);
    e.choice(1, 2, false); // untilClosingFlag
    e.choice(1, 2, false); // subElementList
    e.constrainedLength(2, 2, 255);
    for (std::int64_t channel : {1, 2}) {
        e.choice(0, 2, false);
        e.integer(channel, 0, 65535);
        e.choice(0, 2, false); // finite
        e.integer(channel + 1, 1, 65535);
    }
    e.choice(1, 2, false);
    e.bit(false);
    e.integer(2, 1, 15);
    return e.finish();
}

// RequestMultiplexEntry { entryNumbers { 1, 3 } }
inline std::vector<std::uint8_t> requestMultiplexEntry() {
    h323::per::Encoder e;
    request(e, 7);
    e.bit(false);
    e.constrainedLength(2, 1, 15);
    e.integer(1, 1, 15);
    e.integer(3, 1, 15);
    return e.finish();
}

// RequestMode { sequenceNumber 5, requestedModes { { { type audioMode g711Ulaw64k } } } }
inline std::vector<std::uint8_t> requestMode() {
    h323::per::Encoder e;
    request(e, 8);
    e.bit(false);
    e.integer(5, 0, 255);
    e.constrainedLength(1, 1, 256); // requestedModes
    e.constrainedLength(1, 1, 256); // a ModeDescription
    e.bit(false);                   // ModeElement: extension bit
    e.bit(false);                   // h223ModeParameters
    e.choice(2, 5, true);           // audioMode
    e.choice(3, 14, true);          // g711Ulaw64k
    return e.finish();
}

// MaintenanceLoopRequest { type mediaLoop 101 }
inline std::vector<std::uint8_t> maintenanceLoopRequest() {
    h323::per::Encoder e;
    request(e, 10);
    e.bit(false);
    e.choice(1, 3, true);
    e.integer(101, 1, 65535);
    return e.finish();
}

// command sendTerminalCapabilitySet genericRequest
inline std::vector<std::uint8_t> sendTerminalCapabilitySet() {
    h323::per::Encoder e;
    e.choice(2, 4, true);
    e.choice(2, 7, true);
    e.choice(1, 2, true);
    return e.finish();
}

// request nonStandard { nonStandardData { h221NonStandard { 181, 0, 18 }, data 'ABCD'H } }
inline std::vector<std::uint8_t> nonStandardRequest() {
    h323::per::Encoder e;
    request(e, 0);
    e.bit(false);
    e.choice(1, 2, false);
    e.integer(181, 0, 255);
    e.integer(0, 0, 255);
    e.integer(18, 0, 65535);
    const std::vector<std::uint8_t> data{0xAB, 0xCD};
    e.octetString(data, 0, h323::per::kUnbounded);
    return e.finish();
}

} // namespace sb::test::h245
