// RFC 3629's well-formed UTF-8 (core/utf8.hpp), and what JSON text makes of the rest.
#include "core/json_text.hpp"
#include "core/utf8.hpp"

#include <gtest/gtest.h>

namespace sb {
namespace {

TEST(Utf8, WellFormedTextIsTaken) {
    EXPECT_TRUE(isUtf8(""));
    EXPECT_TRUE(isUtf8("scan.pdf"));
    EXPECT_TRUE(isUtf8("Gr\xc3\xbc\xc3\x9f\x65")); // Grüße
    EXPECT_TRUE(isUtf8("\xe2\x82\xac"));           // U+20AC
    EXPECT_TRUE(isUtf8("\xf4\x8f\xbf\xbf"));       // U+10FFFF, the last
}

TEST(Utf8, WhatRfc3629ForbidsIsRefused) {
    EXPECT_FALSE(isUtf8("\xff.pdf"));         // never in UTF-8
    EXPECT_FALSE(isUtf8("\xc3"));             // cut short
    EXPECT_FALSE(isUtf8("\xc0\xaf"));         // an overlong '/'
    EXPECT_FALSE(isUtf8("\xed\xa0\x80"));     // a surrogate, U+D800
    EXPECT_FALSE(isUtf8("\xf4\x90\x80\x80")); // past U+10FFFF
    EXPECT_FALSE(isUtf8("a\x80"));            // a continuation alone
}

TEST(JsonText, BytesThatAreNotUtf8BecomeReplacementCharacters) {
    const nlohmann::json value = {{"name", "\xff.pdf"}};
    EXPECT_ANY_THROW((void)value.dump());
    EXPECT_EQ(jsonText(value), "{\"name\":\"\xef\xbf\xbd.pdf\"}");
}

} // namespace
} // namespace sb
