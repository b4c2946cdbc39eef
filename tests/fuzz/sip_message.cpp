// Fuzzes the SIP message parser, the canonical builder and the stateless responder.
// Invariants: nothing crashes or leaks; a message that parses rebuilds into text that parses
// again to the same canonical text.

#include "sip/message.hpp"
#include "sip/message_writer.hpp"
#include "sip/stateless_responder.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sb::sip;
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    if (auto m = Message::parse(bytes)) {
        // The canonical text can be longer than the original (long header names, an added
        // Content-Length), so it is re-parsed without the limits the original had to meet.
        const ParseLimits relaxed{1 << 20, 1 << 12, 1 << 20};
        const std::string canonical = buildCanonical(*m);
        auto again = Message::parse(canonical, relaxed);
        if (!again || buildCanonical(*again) != canonical) std::abort();
        for (const auto& na : m->contacts())
            (void)na.tag();
        for (const auto& f : m->headers()) {
            if (f.id == HeaderId::www_authenticate || f.id == HeaderId::authorization)
                if (auto auth = parseAuth(f.value, f.name)) (void)auth->param("realm");
        }
    }
    static StatelessResponder responder({});
    (void)responder.respond(bytes);
    return 0;
}
