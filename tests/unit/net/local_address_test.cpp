#include "net/local_address.hpp"

#include <gtest/gtest.h>

namespace sb::net {
namespace {

TEST(LocalAddressTowards, LoopbackIsReachedFromLoopback) {
    EXPECT_EQ(localAddressTowards(asio::ip::make_address("127.0.0.1")).to_string(), "127.0.0.1");
    EXPECT_EQ(localAddressTowards(asio::ip::make_address("::1")).to_string(), "::1");
}

} // namespace
} // namespace sb::net
