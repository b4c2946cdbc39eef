#pragma once
// Shared by the net and sip tests: drives an io_context on the test thread until a condition
// holds or a time limit passes.

#include <asio/io_context.hpp>
#include <chrono>

namespace sb::test {

template <class Pred>
bool runUntil(asio::io_context& io, Pred pred,
              std::chrono::milliseconds limit = std::chrono::milliseconds(2000)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        io.restart();
        io.run_one_for(std::chrono::milliseconds(10));
    }
    return true;
}

} // namespace sb::test
