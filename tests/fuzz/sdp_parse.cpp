// Fuzzes the SDP reader with untrusted bodies, and checks that what it accepts survives a
// write and a second read unchanged (nothing we write back can differ from what we read). The
// SDES key parameters of a=crypto lines go through the SRTP key reader too.
#include "rtp/srtp.hpp"
#include "sdp/parser.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto session = sb::sdp::parse(text);
    if (!session) return 0;
    for (const auto& m : session->media) {
        for (const auto& f : m.formats)
            if (f.size() < 4) (void)m.rtpmap(f[0] - '0');
        for (const auto& crypto : m.cryptos())
            if (auto suite = sb::rtp::srtpSuiteByName(crypto.suite))
                (void)sb::rtp::readKeyParams(*suite, crypto.keyParams);
        (void)m.ptime();
        (void)session->direction(m);
    }
    const std::string written = sb::sdp::write(*session);
    // Written lines end in CRLF where the input may have used LF: allow for the growth.
    auto again =
        sb::sdp::parse(written, {.maxBytes = written.size(), .maxLines = 2048, .maxMedia = 64});
    if (!again || !(*again == *session)) __builtin_trap();
    return 0;
}
