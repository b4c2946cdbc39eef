#include "core/small_vector.hpp"

#include <gtest/gtest.h>
#include <string_view>

namespace sb {
namespace {

struct Item {
    std::string_view text;
    int number = 0;
};

SmallVector<Item, 2> filled(int count) {
    SmallVector<Item, 2> v;
    for (int i = 0; i < count; ++i)
        v.push_back({"x", i});
    return v;
}

TEST(SmallVector, KeepsOrderInlineAndOnTheHeap) {
    auto v = filled(5);
    ASSERT_EQ(v.size(), 5u);
    int expected = 0;
    for (const auto& item : v)
        EXPECT_EQ(item.number, expected++);
    EXPECT_EQ(v[4].number, 4);
    EXPECT_EQ(v.front().number, 0);
}

TEST(SmallVector, CopyAndMoveCarryEveryElement) {
    for (int count : {0, 1, 2, 3, 6}) {
        auto original = filled(count);
        SmallVector<Item, 2> copy(original);
        SmallVector<Item, 2> moved(std::move(original));
        ASSERT_EQ(copy.size(), static_cast<std::size_t>(count));
        ASSERT_EQ(moved.size(), static_cast<std::size_t>(count));
        for (int i = 0; i < count; ++i) {
            EXPECT_EQ(copy[i].number, i);
            EXPECT_EQ(moved[i].number, i);
        }
        SmallVector<Item, 2> assigned;
        assigned = copy;
        EXPECT_EQ(assigned.size(), copy.size());
        assigned.clear();
        EXPECT_TRUE(assigned.empty());
    }
}

} // namespace
} // namespace sb
