#include "video/mdns.hpp"

#include <gtest/gtest.h>

namespace sb::video::mdns {
namespace {

using Bytes = std::vector<std::uint8_t>;

void name(Bytes& out, std::initializer_list<std::string_view> labels) {
    for (auto label : labels) {
        out.push_back(static_cast<std::uint8_t>(label.size()));
        out.insert(out.end(), label.begin(), label.end());
    }
    out.push_back(0);
}
void u16(Bytes& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

// A response as Avahi writes one: the PTR answer, then SRV and A as additional records, the
// later names compressed to pointers at the earlier ones.
Bytes response() {
    Bytes m = {0, 7, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 2};
    const std::size_t service = m.size(); // 12
    name(m, {"_ndi", "_tcp", "local"});
    u16(m, 12);
    u16(m, 1);
    m.insert(m.end(), {0, 0, 0, 120});
    const std::size_t lengthAt = m.size();
    u16(m, 0);
    const std::size_t instance = m.size();
    m.push_back(21);
    const std::string_view label = "TESTHOST (Belt Camera)";
    m.back() = static_cast<std::uint8_t>(label.size());
    m.insert(m.end(), label.begin(), label.end());
    m.insert(m.end(), {0xC0, static_cast<std::uint8_t>(service)});
    const auto rdlength = m.size() - lengthAt - 2;
    m[lengthAt + 1] = static_cast<std::uint8_t>(rdlength);
    // SRV, its owner the instance (a pointer), port 5961, target testhost.local
    m.insert(m.end(), {0xC0, static_cast<std::uint8_t>(instance)});
    u16(m, 33);
    u16(m, 0x8001); // the cache-flush bit (RFC 6762 §10.2)
    m.insert(m.end(), {0, 0, 0, 120});
    Bytes srv = {0, 0, 0, 0};
    u16(srv, 5961);
    const std::size_t hostAt = m.size() + 2 + srv.size();
    name(srv, {"testhost", "local"});
    u16(m, static_cast<std::uint16_t>(srv.size()));
    m.insert(m.end(), srv.begin(), srv.end());
    // A for testhost.local (a pointer to the SRV's target)
    m.insert(m.end(), {0xC0, static_cast<std::uint8_t>(hostAt)});
    u16(m, 1);
    u16(m, 0x8001);
    m.insert(m.end(), {0, 0, 0, 120});
    u16(m, 4);
    m.insert(m.end(), {192, 0, 2, 30});
    return m;
}

TEST(Mdns, TheBrowseQueryIsAPtrQuestion) {
    Bytes expected = {0, 9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    name(expected, {"_ndi", "_tcp", "local"});
    expected.insert(expected.end(), {0, 12, 0, 1});
    EXPECT_EQ(browseQuery(kNdiService, 9), expected);
}

TEST(Mdns, AResponseGivesTheInstanceItsHostPortAndAddress) {
    auto found = readResponse(response(), kNdiService);
    ASSERT_TRUE(found) << found.error().message;
    ASSERT_EQ(found->size(), 1u);
    EXPECT_EQ((*found)[0],
              (Instance{"TESTHOST (Belt Camera)", "testhost.local", 5961, "192.0.2.30"}));
    EXPECT_TRUE(readResponse(response(), "_http._tcp.local")->empty()); // another service
}

TEST(Mdns, BadMessagesAreNamedNeverFollowed) {
    auto query = browseQuery(kNdiService);
    EXPECT_NE(readResponse(query, kNdiService).error().message.find("a query"), std::string::npos);
    EXPECT_FALSE(readResponse(Bytes{0, 0, 0x84}, kNdiService));
    auto cut = response();
    cut.resize(cut.size() - 3);
    EXPECT_NE(readResponse(cut, kNdiService).error().message.find("runs past the end"),
              std::string::npos);
    // A pointer to itself: a loop, refused after a bounded number of hops.
    Bytes loop = {0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0xC0, 12};
    EXPECT_NE(readResponse(loop, kNdiService).error().message.find("compression pointer"),
              std::string::npos);
}

} // namespace
} // namespace sb::video::mdns
