#pragma once
// Reading past the H.245 (v15) values we do not take. Aligned PER carries no lengths for a
// type's root, so a value can only be stepped over by reading it: these read the root parts of
// the video, data and other audio capabilities a peer may list beside ours, and step over
// extensions as open types. Each names what it skips for the caller to keep.

#include "h323/per/decoder.hpp"

#include <cstdint>
#include <string>

namespace sb::h323::h245::skip {

// Each reads one value of the type and gives the name of the alternative read.
std::string videoCapability(per::Decoder& d);
std::string dataApplicationCapability(per::Decoder& d);
// AudioCapability's root alternatives we do not take, by index (§ AudioCapability).
void audioAlternative(per::Decoder& d, std::uint64_t index);
std::string encryptionMode(per::Decoder& d);
void dataProtocolCapability(per::Decoder& d);
// Every extension addition a SEQUENCE's extension bit announced.
void additions(per::Decoder& d, bool extended);
// An extension alternative's open type.
void openType(per::Decoder& d);

} // namespace sb::h323::h245::skip
