#include "core/lifetime.hpp"

#include <gtest/gtest.h>
#include <optional>
#include <thread>

namespace sb {
namespace {

TEST(Lifetime, AWatchIsTrueWhileItsObjectLivesAndFalseOnceEndedOrGone) {
    std::optional<Lifetime> lifetime(std::in_place);
    const auto watch = lifetime->watch();
    EXPECT_TRUE(watch);
    Lifetime::Watch carried = watch;
    std::thread([&] { carried = Lifetime::Watch(watch); }).join(); // copied on another thread
    EXPECT_TRUE(carried);
    lifetime->end(); // teardown begins: callbacks it triggers find it gone
    EXPECT_FALSE(watch);
    lifetime->end();
    EXPECT_FALSE(carried);

    std::optional<Lifetime> other(std::in_place);
    const auto later = other->watch();
    other.reset();
    EXPECT_FALSE(later);
}

} // namespace
} // namespace sb
