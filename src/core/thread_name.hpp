#pragma once
// The calling thread's name as `top -H`, `ps -L`, perf and gdb show it ("sb-media-1",
// "sb-witness"…), so that an operator can tell which of the gateway's threads is busy. Linux
// keeps 15 bytes of it; the rest is cut.

#include <pthread.h>
#include <string>
#include <string_view>

namespace sb {

inline void nameThisThread(std::string_view name) {
    const std::string kept(name.substr(0, 15));
    (void)pthread_setname_np(pthread_self(), kept.c_str()); // only ERANGE, which cannot happen
}

} // namespace sb
