#include "core/result.hpp"

#include <gtest/gtest.h>

namespace sb {
namespace {

Result<int> half(int v) {
    if (v % 2) return fail(Errc::invalid_input, "value is odd");
    return v / 2;
}

TEST(Result, CarriesValueOrError) {
    auto ok = half(4);
    ASSERT_TRUE(ok);
    EXPECT_EQ(*ok, 2);
    auto bad = half(3);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Errc::invalid_input);
    EXPECT_EQ(bad.error().message, "value is odd");
}

TEST(Result, VoidResult) {
    Result<void> ok;
    EXPECT_TRUE(ok);
    Result<void> bad = fail(Errc::closed, "gone");
    EXPECT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Errc::closed);
    EXPECT_STREQ(errcName(Errc::closed), "closed");
}

} // namespace
} // namespace sb
