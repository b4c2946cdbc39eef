#include "sip/media_control.hpp"

#include <gtest/gtest.h>

namespace sb::sip {
namespace {

TEST(MediaControl, PictureFastUpdateAsRfc5168WritesIt) {
    // RFC 5168 §3's example, and the forms phones send.
    EXPECT_TRUE(isPictureFastUpdate(
        "application/media_control+xml",
        "<?xml version=\"1.0\" encoding=\"utf-8\" ?>\r\n<media_control>\r\n  <vc_primitive>\r\n"
        "    <to_encoder>\r\n      <picture_fast_update/>\r\n    </to_encoder>\r\n"
        "  </vc_primitive>\r\n</media_control>\r\n"));
    EXPECT_TRUE(isPictureFastUpdate(
        "Application/Media_Control+XML; charset=utf-8",
        "<media_control><vc_primitive><to_encoder><picture_fast_update></picture_fast_update>"
        "</to_encoder></vc_primitive></media_control>"));
    EXPECT_TRUE(isPictureFastUpdate("application/media_control+xml",
                                    "<media_control><vc_primitive><stream_id>1</stream_id>"
                                    "<to_encoder><picture_fast_update /></to_encoder>"
                                    "</vc_primitive></media_control>"));
}

TEST(MediaControl, AnythingElseIsNot) {
    const std::string_view good = "<media_control><vc_primitive><to_encoder>"
                                  "<picture_fast_update/></to_encoder></vc_primitive>"
                                  "</media_control>";
    EXPECT_FALSE(isPictureFastUpdate("application/dtmf-relay", good));
    EXPECT_FALSE(isPictureFastUpdate("application/media_control+xml", ""));
    // Out of place, misspelt, a longer name, unclosed, or an empty parent.
    EXPECT_FALSE(isPictureFastUpdate("application/media_control+xml",
                                     "<media_control><picture_fast_update/></media_control>"));
    EXPECT_FALSE(isPictureFastUpdate("application/media_control+xml",
                                     "<media_control><vc_primitive><to_encoder>"
                                     "<picture_fast_updates/></to_encoder></vc_primitive>"
                                     "</media_control>"));
    EXPECT_FALSE(isPictureFastUpdate("application/media_control+xml",
                                     "<media_control><vc_primitive><to_encoder>"
                                     "<picture_fast_update/>"));
    EXPECT_FALSE(isPictureFastUpdate("application/media_control+xml",
                                     "<media_control><vc_primitive><to_encoder/>"
                                     "<picture_fast_update/></vc_primitive></media_control>"));
    EXPECT_FALSE(isPictureFastUpdate("application/media_control+xml",
                                     "<media_control><vc_primitive><to_encoder>"
                                     "<picture_fast_update></to_encoder>"));
}

} // namespace
} // namespace sb::sip
