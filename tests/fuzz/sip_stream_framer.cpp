// Fuzzes RFC 3261 §18.3 stream framing. Invariants: a frame never claims bytes beyond the
// buffer or over the size limit, and feeding the same bytes in two pieces frames the same first
// message as feeding them whole.

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
    if (whole->kind != StreamFrame::Kind::message) return 0;
    // Any prefix that ends before the message does must be incomplete or the same error-free
    // frame start: never a different message.
    const auto prefix = bytes.substr(0, whole->consumed() - 1);
    auto partial = frameStreamMessage(prefix, kLimit);
    if (partial && partial->kind == StreamFrame::Kind::message &&
        partial->consumed() != whole->consumed())
        std::abort();
    return 0;
}
