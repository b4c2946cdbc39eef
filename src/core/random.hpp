#pragma once
// Randomness for values that must be unpredictable enough not to collide, not secret: ids,
// SSRCs, initial RTP sequence numbers and timestamps (RFC 3550 §5.1), report intervals. One
// generator per thread, seeded once: a std::random_device read per call or per stream costs
// more than the rest of setting the stream up.

#include <random>

namespace sb {

std::mt19937_64& threadRandom();

} // namespace sb
