#include "core/trace.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace sb {
namespace {

TEST(CallTag, IsTheCallNumberAloneWithoutATrace) {
    EXPECT_EQ(fmt::format("call {} setup", callTag(7, "")), "call 7 setup");
}

TEST(CallTag, NamesTheTraceWhenTheCallCarriesOne) {
    const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    EXPECT_EQ(fmt::format("call {} setup", callTag(7, trace)),
              "call 7 trace=4bf92f3577b34da6a3ce929d0e0e4736 setup");
}

} // namespace
} // namespace sb
