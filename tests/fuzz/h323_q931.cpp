// Fuzzes TPKT framing and Q.931 with an untrusted TCP stream: the input goes to the TPKT
// reader in two pieces, each payload is read as Q.931 and its known elements by their readers,
// and as an H.225.0 call signalling message (User-user and all), whose refusal is answered.
// A message that reads is written again and must read to the same message.
#include "h323/h225/signalling.hpp"
#include "h323/q931/message.hpp"
#include "h323/q931/tpkt.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

namespace {

using namespace sb::h323;

void readElements(const q931::Message& m) {
    for (const auto& e : m.elements) {
        switch (e.id) {
        case q931::element::bearerCapability:
            (void)q931::readBearer(e.contents);
            break;
        case q931::element::cause:
            (void)q931::readCause(e.contents);
            break;
        case q931::element::progressIndicator:
            (void)q931::readProgress(e.contents);
            break;
        case q931::element::callingPartyNumber:
        case q931::element::calledPartyNumber:
            (void)q931::readPartyNumber(e.contents);
            break;
        case q931::element::userUser:
            (void)q931::readUserUser(e.contents);
            break;
        default:
            break;
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> input(data, size);
    TpktReader reader;
    for (auto part : {input.first(size / 2), input.subspan(size / 2)}) {
        reader.add(part);
        for (;;) {
            auto payload = reader.next();
            if (!payload || !*payload) break;
            auto signalling = h225::read(**payload);
            if (auto* error = std::get_if<h225::SignallingError>(&signalling))
                (void)h225::write(h225::releaseCompleteFor(*error));
            auto m = q931::read(**payload);
            if (!m) continue;
            readElements(*m);
            auto again = q931::read(q931::write(*m));
            if (!again || again->elements.size() != m->elements.size() ||
                again->callReference != m->callReference || again->type != m->type)
                __builtin_trap();
        }
    }
    return 0;
}
