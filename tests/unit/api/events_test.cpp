#include "unit/api/fixture.hpp"

namespace sb::api::test {
namespace {

using Events = ApiServerTest;

TEST_F(Events, ASubscriberReceivesPublishedTextInOrder) {
    startServer();
    WsClient ws(server_->port(), "/v1/events", "Bearer " + aliceToken);
    ASSERT_TRUE(ws.open()) << ws.error().message();
    // Attached before the handshake's answer: nothing published from here on is lost.
    EXPECT_EQ(server_->events().subscribers(), 1u);
    server_->events().publish("{\"n\":1}");
    server_->events().publish("{\"n\":2}", "e-1");
    EXPECT_EQ(ws.read(), "{\"n\":1}");
    EXPECT_EQ(ws.read(), "{\"n\":2}");
}

TEST_F(Events, AFilteredSubscriberGetsOnlyItsKey) {
    startServer();
    WsClient all(server_->port(), "/v1/events", "Bearer " + aliceToken);
    WsClient one(server_->port(), "/v1/events?escalation=e-1", "Bearer " + bobToken);
    ASSERT_TRUE(all.open());
    ASSERT_TRUE(one.open());
    server_->events().publish("for e-2", "e-2");
    server_->events().publish("unkeyed");
    server_->events().publish("for e-1", "e-1");
    EXPECT_EQ(all.read(), "for e-2");
    EXPECT_EQ(all.read(), "unkeyed");
    EXPECT_EQ(all.read(), "for e-1");
    // Events reach a subscriber in order, so the first it gets shows what it skipped.
    EXPECT_EQ(one.read(), "for e-1");
}

TEST_F(Events, TheTokenMayComeInTheQuery) {
    startServer();
    WsClient ws(server_->port(), "/v1/events?access_token=" + aliceToken + "&escalation=e-7",
                std::nullopt);
    ASSERT_TRUE(ws.open()) << ws.error().message();
    server_->events().publish("other", "e-8");
    server_->events().publish("mine", "e-7");
    EXPECT_EQ(ws.read(), "mine");
}

TEST_F(Events, UpgradesNeedAValidToken) {
    startServer();
    WsClient none(server_->port(), "/v1/events", std::nullopt);
    EXPECT_FALSE(none.open());
    EXPECT_EQ(none.handshakeStatus(), 401);
    WsClient bad(server_->port(), "/v1/events?access_token=wrong", std::nullopt);
    EXPECT_FALSE(bad.open());
    EXPECT_EQ(bad.handshakeStatus(), 401);
    WsClient both(server_->port(), "/v1/events?access_token=" + aliceToken, "Bearer " + aliceToken);
    EXPECT_FALSE(both.open());
    EXPECT_EQ(both.handshakeStatus(), 400);
    EXPECT_EQ(server_->events().subscribers(), 0u);
}

TEST_F(Events, APlainGetOnTheEventsRouteIs426) {
    startServer();
    Client c(server_->port());
    auto r = c.request(http::verb::get, "/v1/events", bearer(aliceToken));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 426);
    EXPECT_EQ((*r)[http::field::upgrade], "websocket");
}

TEST_F(Events, ASlowSubscriberIsClosedWith1013) {
    startServer([](HttpServer::Options& o) { o.events.queueLimit = 8; });
    WsClient slow(server_->port(), "/v1/events", "Bearer " + aliceToken);
    WsClient fast(server_->port(), "/v1/events?escalation=none", "Bearer " + aliceToken);
    ASSERT_TRUE(slow.open());
    ASSERT_TRUE(fast.open());
    // 200 events of 64 KiB, far more than the socket buffers and the queue of 8 hold, while
    // the slow subscriber reads nothing.
    const std::string big(64 * 1024, 'e');
    for (int i = 0; i < 200; ++i)
        server_->events().publish(big);
    ASSERT_TRUE(eventually([&] { return server_->events().overflows() >= 1; }));
    EXPECT_TRUE(eventually([&] { return server_->events().subscribers() == 1; }));
    // What was sent before the close can be read, then the close frame says why.
    int received = 0;
    while (slow.read(std::chrono::milliseconds(5000)))
        ++received;
    EXPECT_LT(received, 200);
    EXPECT_EQ(slow.closeReason().code, websocket::close_code::try_again_later);
    // The other subscriber was not disturbed.
    server_->events().publish("still here", "none");
    EXPECT_EQ(fast.read(), "still here");
}

// A signalling client is read one message at a time: the next only once the application has
// taken the last, so that a client sending faster than the control loop takes its messages
// waits in TCP instead of growing a queue of ours.
TEST_F(ApiServerTest, ASignallingSocketReadsTheNextMessageOnlyWhenTheLastIsTaken) {
    startServer();
    WsClient client(server_->port(), "/v1/signal", std::nullopt);
    ASSERT_TRUE(client.open());
    for (int i = 0; i < 5; ++i)
        ASSERT_TRUE(client.write("message " + std::to_string(i)));
    ASSERT_TRUE(eventually([&] { return signalled().size() == 1; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(100)); // nothing more is read
    ASSERT_EQ(signalled().size(), 1u);
    for (std::size_t taken = 1; taken < 5; ++taken) {
        signalled().back().second(); // taken: read the next
        ASSERT_TRUE(eventually([&] { return signalled().size() == taken + 1; }));
    }
    EXPECT_EQ(signalled().back().first, "message 4");
}

} // namespace
} // namespace sb::api::test
