#include "core/result.hpp"

namespace sb {

const char* errcName(Errc code) noexcept {
    switch (code) {
    case Errc::invalid_input:
        return "invalid input";
    case Errc::too_large:
        return "too large";
    case Errc::unsupported:
        return "unsupported";
    case Errc::incomplete:
        return "incomplete";
    case Errc::not_found:
        return "not found";
    case Errc::io:
        return "i/o error";
    case Errc::timeout:
        return "timeout";
    case Errc::closed:
        return "closed";
    case Errc::config:
        return "configuration error";
    }
    return "unknown";
}

} // namespace sb
