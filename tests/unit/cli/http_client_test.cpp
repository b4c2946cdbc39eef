// The API's base URL as `--url` takes it: scheme, host (IPv6 in brackets), default ports, and
// a clear error for what is not a base URL.
#include "cli/http_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sb::cli {
namespace {

using testing::HasSubstr;

TEST(BaseUrl, HttpWithPort) {
    auto api = parseBaseUrl("http://127.0.0.1:8080");
    ASSERT_TRUE(api) << api.error().message;
    EXPECT_FALSE(api->tls);
    EXPECT_EQ(api->host, "127.0.0.1");
    EXPECT_EQ(api->port, "8080");
}

TEST(BaseUrl, DefaultPortsFollowTheScheme) {
    EXPECT_EQ(parseBaseUrl("http://gateway.example/")->port, "80");
    auto tls = parseBaseUrl("https://gateway.example");
    ASSERT_TRUE(tls);
    EXPECT_TRUE(tls->tls);
    EXPECT_EQ(tls->port, "443");
}

TEST(BaseUrl, Ipv6LiteralInBrackets) {
    auto api = parseBaseUrl("https://[::1]:8443");
    ASSERT_TRUE(api) << api.error().message;
    EXPECT_EQ(api->host, "::1");
    EXPECT_EQ(api->port, "8443");
    EXPECT_EQ(parseBaseUrl("http://[::1]")->port, "80");
}

TEST(BaseUrl, WhatIsNotABaseUrlIsNamed) {
    EXPECT_THAT(parseBaseUrl("ftp://host").error().message, HasSubstr("http:// or https://"));
    EXPECT_THAT(parseBaseUrl("http://host/v1").error().message, HasSubstr("no path"));
    EXPECT_THAT(parseBaseUrl("http://[::1").error().message, HasSubstr("unclosed"));
    EXPECT_THAT(parseBaseUrl("http://[::1]x").error().message, HasSubstr("after ']'"));
    EXPECT_THAT(parseBaseUrl("http://:80").error().message, HasSubstr("no host"));
    EXPECT_THAT(parseBaseUrl("http://host:8o").error().message, HasSubstr("bad port"));
    EXPECT_THAT(parseBaseUrl("http://host:123456").error().message, HasSubstr("bad port"));
}

TEST(Send, AnUnreachableApiIsAnIoErrorNamingTheAddress) {
    // Port 1 on loopback: nothing listens there in a test environment; the kernel refuses at once.
    auto api = parseBaseUrl("http://127.0.0.1:1");
    ASSERT_TRUE(api);
    auto reply = send(*api, "GET", "/healthz");
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().code, Errc::io);
    EXPECT_THAT(reply.error().message, HasSubstr("127.0.0.1:1"));
}

TEST(Send, AnApiThatNeverAnswersEndsAtTheDeadline) {
    // A listening socket that accepts (the kernel's backlog) but never replies.
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(listener, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::listen(listener, 4), 0);
    socklen_t length = sizeof address;
    ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);

    auto api = parseBaseUrl("http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)));
    ASSERT_TRUE(api);
    api->timeout = std::chrono::seconds(1);
    auto reply = send(*api, "GET", "/healthz");
    ::close(listener);
    ASSERT_FALSE(reply);
    EXPECT_THAT(reply.error().message, HasSubstr("no answer within 1 s"));
}

} // namespace
} // namespace sb::cli
