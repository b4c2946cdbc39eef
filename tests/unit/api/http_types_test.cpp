// HTTP's small rules (api/http_types.hpp).
#include "api/http_types.hpp"

#include <gtest/gtest.h>

namespace sb::api {
namespace {

// RFC 9110 §8.3.1: a media type's case does not matter, nor the white space before its
// parameters.
TEST(MediaType, IsNamedWhateverItsCaseSpacesAndParameters) {
    EXPECT_TRUE(isMediaType("application/json", "application/json"));
    EXPECT_TRUE(isMediaType("Application/JSON", "application/json"));
    EXPECT_TRUE(isMediaType("application/json ; charset=utf-8", "application/json"));
    EXPECT_TRUE(isMediaType(" application/json;charset=UTF-8", "application/json"));
    EXPECT_FALSE(isMediaType("application/jsonx", "application/json"));
    EXPECT_FALSE(isMediaType("text/plain; x=application/json", "application/json"));
    EXPECT_FALSE(isMediaType("", "application/json"));
}

} // namespace
} // namespace sb::api
