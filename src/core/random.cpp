#include "core/random.hpp"

namespace sb {

std::mt19937_64& threadRandom() {
    thread_local std::mt19937_64 random{std::random_device{}()};
    return random;
}

} // namespace sb
