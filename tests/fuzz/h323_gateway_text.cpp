// Fuzzes the text that crosses between an H.323 call and the rest of Switchboard: an H.323 URL
// (an expert's or a route's target), a room's SDP offer taken as a call's codecs and address,
// and a cause as a gateway carries it ("Q.850;cause=17"). The first octet picks which. An offer
// a call can take must also take back the audio the call agrees on any of its codecs; a cause
// read back must be written as it was.
#include "h323/addresses.hpp"
#include "h323/audio_sdp.hpp"
#include "h323/q850.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (data[0] % 3 == 0) {
        (void)sb::h323::parseH323Url(text);
        return 0;
    }
    if (data[0] % 3 == 1) {
        if (const auto cause = sb::h323::q850Of(text); cause && sb::h323::reasonOf(*cause) != text)
            __builtin_trap();
        return 0;
    }
    const auto media = sb::h323::callMediaOf(text);
    if (!media) return 0;
    for (const auto& codec : media->codecs) {
        sb::h323::MediaPath path;
        path.transmit = path.receive = codec;
        path.remoteRtp = {{192, 0, 2, 1}, 5004};
        if (!sb::h323::answerOf(text, path)) __builtin_trap();
    }
    return 0;
}
