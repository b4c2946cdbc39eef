// Fuzzes RFC 3261 §18.3 stream framing. Invariants: a frame never claims bytes beyond the
// buffer or over the size limit, an incomplete one's announced length is the message's, and
// feeding the same bytes in two pieces frames the same first message as feeding them whole.

#include "sip/stream_framer.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sb::sip;
    constexpr std::size_t kLimit = 4096;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    auto whole = frameStreamMessage(bytes, kLimit);
    if (!whole) return 0;
    if (whole->consumed() > bytes.size() || whole->length > kLimit) std::abort();
    // An incomplete frame that knows its length needs more than is there, within the limit.
    if (whole->announced > 0 &&
        (whole->kind != StreamFrame::Kind::incomplete ||
         whole->skip + whole->announced <= bytes.size() || whole->announced > kLimit))
        std::abort();
    if (whole->kind != StreamFrame::Kind::message) return 0;
    // Any prefix that ends before the message does must be incomplete or the same error-free
    // frame start: never a different message.
    const auto prefix = bytes.substr(0, whole->consumed() - 1);
    auto partial = frameStreamMessage(prefix, kLimit);
    if (partial && partial->kind == StreamFrame::Kind::message &&
        partial->consumed() != whole->consumed())
        std::abort();
    // A prefix with the whole header section announces the message's length.
    if (partial && partial->announced > 0 && partial->announced != whole->length) std::abort();
    return 0;
}
