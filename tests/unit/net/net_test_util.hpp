#pragma once
// Helpers shared by the net tests: drive an io_context on the test thread until a condition holds.

#include <asio/io_context.hpp>
#include <chrono>

namespace sb::net::test {

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

} // namespace sb::net::test
