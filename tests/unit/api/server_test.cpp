#include "unit/api/fixture.hpp"

namespace sb::api::test {
namespace {

using Server = ApiServerTest;

// Every response carries the three fields the server promises.
void expectFraming(const HttpResponse& r) {
    EXPECT_EQ(r[http::field::server], "Switchboard");
    EXPECT_FALSE(r[http::field::content_type].empty());
    EXPECT_EQ(r[http::field::content_length], std::to_string(r.body().size()));
}

void expectProblem(const HttpResponse& r, int status) {
    EXPECT_EQ(r.result_int(), status);
    EXPECT_EQ(r[http::field::content_type], "application/problem+json");
    auto body = nlohmann::json::parse(r.body(), nullptr, false);
    ASSERT_TRUE(body.is_object()) << r.body();
    EXPECT_EQ(body["status"], status);
    EXPECT_TRUE(body["title"].is_string());
    EXPECT_TRUE(body["detail"].is_string());
    EXPECT_TRUE(body["type"].is_string());
    expectFraming(r);
}

TEST_F(Server, RoutesWithPathParametersAndAuthenticatedAgent) {
    startServer();
    Client c(server_->port());
    ASSERT_TRUE(c.connected());
    auto r = c.request(http::verb::get, "/v1/escalations/e%2F1", bearer(aliceToken));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 200);
    expectFraming(*r);
    EXPECT_EQ(json(*r)["id"], "e/1");
    EXPECT_EQ(json(*r)["agent"], "alice");

    r = c.request(http::verb::get, "/v1/escalations/stats", bearer(bobToken));
    ASSERT_TRUE(r);
    EXPECT_EQ(json(*r)["stats"], true);

    r = c.request(http::verb::post, "/v1/escalations", bearer(bobToken), "{\"a\":1}");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 201);
    EXPECT_EQ(json(*r)["bytes"], 7);
    EXPECT_EQ(json(*r)["agent"], "bob");
}

TEST_F(Server, UnknownPathIs404AndWrongMethodIs405WithAllow) {
    startServer();
    Client c(server_->port());
    auto r = c.request(http::verb::get, "/v2/nothing");
    ASSERT_TRUE(r);
    expectProblem(*r, 404);

    r = c.request(http::verb::delete_, "/v1/escalations/e-1", bearer(aliceToken));
    ASSERT_TRUE(r);
    expectProblem(*r, 405);
    EXPECT_EQ((*r)[http::field::allow], "GET");
}

TEST_F(Server, MissingAndBadTokensAre401WithTheirChallenges) {
    startServer();
    Client c(server_->port());
    auto r = c.request(http::verb::get, "/v1/escalations/e-1");
    ASSERT_TRUE(r);
    expectProblem(*r, 401);
    EXPECT_EQ((*r)[http::field::www_authenticate], "Bearer realm=\"switchboard\"");

    r = c.request(http::verb::get, "/v1/escalations/e-1", bearer("not-a-token"));
    ASSERT_TRUE(r);
    expectProblem(*r, 401);
    EXPECT_EQ((*r)[http::field::www_authenticate],
              "Bearer realm=\"switchboard\", error=\"invalid_token\"");

    // A query token is for WebSocket upgrades only (RFC 6750 §2.3 is a last resort).
    r = c.request(http::verb::get, "/v1/escalations/e-1?access_token=" + aliceToken);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 401);
}

TEST_F(Server, QueryIsDecodedAndABadEscapeIs400NamingTheParameter) {
    startServer();
    Client c(server_->port());
    auto r = c.request(http::verb::get, "/v1/query?a=1&b=x+y&a=%41");
    ASSERT_TRUE(r);
    EXPECT_EQ(json(*r), nlohmann::json::parse(R"({"a":["1","A"],"b":["x y"]})"));

    r = c.request(http::verb::get, "/v1/query?a=1&since=%zz");
    ASSERT_TRUE(r);
    expectProblem(*r, 400);
    EXPECT_EQ(json(*r)["parameter"], "since");
    // The connection stays usable after a 400 about the target.
    r = c.request(http::verb::get, "/v1/ping");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 200);
}

TEST_F(Server, BodyOverTheLimitIs413) {
    startServer([](HttpServer::Options& o) { o.maxBodyBytes = 1000; });
    Client c(server_->port());
    ASSERT_TRUE(c.sendRaw("POST /v1/escalations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                          aliceToken + "\r\nContent-Length: 2000\r\n\r\n"));
    auto r = c.readResponse();
    ASSERT_TRUE(r);
    expectProblem(*r, 413);
    EXPECT_FALSE(r->keep_alive());
    EXPECT_TRUE(c.waitClosed());
}

// A body is taken only from a request that may have it: one without a valid token is 401 as
// soon as its header is read, with no 100 Continue (RFC 9110 §10.1.1) and nothing of its body
// read or spooled, and the connection closes.
TEST_F(Server, ARequestWithoutATokenIsRefusedBeforeItsBodyIsRead) {
    startServer();
    Client c(server_->port());
    ASSERT_TRUE(c.sendRaw("POST /v1/escalations HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                          "Content-Type: application/json\r\nContent-Length: 500\r\n\r\n"));
    auto r = c.readResponse();
    ASSERT_TRUE(r);
    expectProblem(*r, 401);
    EXPECT_TRUE(c.waitClosed());
}

TEST_F(Server, ChunkedBodyOverTheLimitIs413) {
    startServer([](HttpServer::Options& o) { o.maxBodyBytes = 1000; });
    Client c(server_->port());
    std::string chunk(600, 'x');
    ASSERT_TRUE(c.sendRaw("POST /v1/escalations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                          aliceToken + "\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n" + chunk +
                          "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n"));
    auto r = c.readResponse();
    ASSERT_TRUE(r);
    expectProblem(*r, 413);
}

// A streamed route's body is hashed and spooled as it arrives, in pieces (chunked here), up to
// the route's own limit, which is above the server's; the connection then serves on.
TEST_F(Server, AStreamedBodyIsHashedAsItArrivesWithinItsRoutesLimit) {
    startServer([](HttpServer::Options& o) { o.maxBodyBytes = 1000; });
    Client c(server_->port());
    const std::string chunk(1250, 'x');
    ASSERT_TRUE(c.sendRaw("POST /v1/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                          "chunked\r\n\r\n4e2\r\n" +
                          chunk + "\r\n4e2\r\n" + chunk + "\r\n0\r\n\r\n"));
    auto r = c.readResponse();
    ASSERT_TRUE(r);
    ASSERT_EQ(r->result_int(), 200) << r->body();
    const auto j = nlohmann::json::parse(r->body());
    EXPECT_EQ(j["streamed"], 2500);
    EXPECT_EQ(j["body"], 0) << "spooled, not also held as the string body";
    EXPECT_EQ(j["tail"], "xxxx");
    EXPECT_EQ(j["sha256"], "63939713c3d57421ab73577dd6d5cb07699deae2ee98de3ada79a5197aa6b915");
    ASSERT_TRUE(c.sendRaw("GET /v1/ping HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto next = c.readResponse();
    ASSERT_TRUE(next);
    EXPECT_EQ(next->result_int(), 200);

    Client over(server_->port());
    ASSERT_TRUE(over.sendRaw("POST /v1/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                             "chunked\r\n\r\n7d0\r\n" +
                             std::string(2000, 'y') + "\r\n7d0\r\n" + std::string(2000, 'y') +
                             "\r\n0\r\n\r\n"));
    auto refused = over.readResponse();
    ASSERT_TRUE(refused);
    expectProblem(*refused, 413);
}

// An upload that cannot be stored (no spool to write) is refused with 507, and closes.
TEST_F(Server, AStreamedBodyThatCannotBeStoredIs507) {
    startServer();
    Client c(server_->port());
    ASSERT_TRUE(c.sendRaw("POST /v1/upload-nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: "
                          "10\r\n\r\n0123456789"));
    auto r = c.readResponse();
    ASSERT_TRUE(r);
    expectProblem(*r, 507);
    EXPECT_TRUE(c.waitClosed());
}

TEST_F(Server, HeaderOverTheLimitIs431) {
    startServer([](HttpServer::Options& o) { o.maxHeaderBytes = 4096; });
    Client c(server_->port());
    ASSERT_TRUE(c.sendRaw("GET /v1/ping HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8000, 'a') +
                          "\r\n\r\n"));
    auto r = c.readResponse();
    ASSERT_TRUE(r);
    expectProblem(*r, 431);
    EXPECT_TRUE(c.waitClosed());
}

// A body where none is taken is refused before it is read; the chunks' extensions and trailers,
// which Beast does not bound, cannot make the server hold more than a header and a read.
TEST_F(Server, ABodyOnAGetAndChunkExtensionsOverTheBufferAre400) {
    startServer();
    {
        Client c(server_->port());
        ASSERT_TRUE(c.sendRaw("GET /v1/ping HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                              "chunked\r\n\r\n1;e=" +
                              std::string(1000, 'e')));
        auto r = c.readResponse();
        ASSERT_TRUE(r);
        expectProblem(*r, 400);
        EXPECT_TRUE(c.waitClosed());
    }
    Client c(server_->port());
    ASSERT_TRUE(c.sendRaw("POST /v1/escalations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                          aliceToken +
                          "\r\nTransfer-Encoding: chunked\r\n\r\n1;e=" + std::string(200000, 'e')));
    auto r = c.readResponse();
    ASSERT_TRUE(r);
    expectProblem(*r, 400);
    EXPECT_TRUE(c.waitClosed());
}

TEST_F(Server, MalformedRequestsAre400AndClose) {
    startServer();
    for (const std::string& bad :
         {std::string("GARBAGE\r\n\r\n"), std::string("GET /v1/ping HTTP/9.9\r\nHost: x\r\n\r\n"),
          std::string("GET /v1/ping HTTP/1.1\r\nBad Header\r\n\r\n"),
          std::string("POST /v1/escalations HTTP/1.1\r\nContent-Length: "
                      "zz\r\n\r\n")}) {
        Client c(server_->port());
        ASSERT_TRUE(c.sendRaw(bad));
        auto r = c.readResponse();
        ASSERT_TRUE(r) << bad;
        expectProblem(*r, 400);
        EXPECT_TRUE(c.waitClosed()) << bad;
    }
}

TEST_F(Server, KeepAliveServesManyRequestsAndPipelinedOnesInOrder) {
    startServer();
    Client c(server_->port());
    for (int i = 0; i < 5; ++i) {
        auto r = c.request(http::verb::get, "/v1/escalations/e-" + std::to_string(i),
                           bearer(aliceToken));
        ASSERT_TRUE(r) << i;
        EXPECT_TRUE(r->keep_alive());
        EXPECT_EQ(json(*r)["id"], "e-" + std::to_string(i));
    }
    // Three requests in one write; the late one first must still be answered first.
    ASSERT_TRUE(c.sendRaw("GET /v1/late HTTP/1.1\r\nHost: x\r\n\r\n"
                          "GET /v1/query?n=2 HTTP/1.1\r\nHost: x\r\n\r\n"
                          "GET /v1/query?n=3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    auto first = c.readResponse();
    ASSERT_TRUE(first);
    EXPECT_EQ(json(*first)["late"], true);
    auto second = c.readResponse();
    ASSERT_TRUE(second);
    EXPECT_EQ(json(*second)["n"][0], "2");
    auto third = c.readResponse();
    ASSERT_TRUE(third);
    EXPECT_EQ(json(*third)["n"][0], "3");
    EXPECT_FALSE(third->keep_alive());
    EXPECT_TRUE(c.waitClosed());
}

TEST_F(Server, RespondFromAnotherThreadAfterADelay) {
    startServer();
    Client c(server_->port());
    auto r = c.request(http::verb::get, "/v1/late");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 200);
    std::ostringstream testThread;
    testThread << std::this_thread::get_id();
    EXPECT_EQ(json(*r)["late"], true);
    EXPECT_NE(json(*r)["thread"], testThread.str());
}

TEST_F(Server, HandlerFaultsFailOnlyTheRequest) {
    startServer();
    Client c(server_->port());
    auto r = c.request(http::verb::get, "/v1/throws");
    ASSERT_TRUE(r);
    expectProblem(*r, 500);
    r = c.request(http::verb::get, "/v1/drops");
    ASSERT_TRUE(r);
    expectProblem(*r, 500);
    r = c.request(http::verb::get, "/v1/twice");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 200);
    EXPECT_EQ(r->body(), "first");
    // Still in step: the ignored second answer did not produce a stray response.
    r = c.request(http::verb::get, "/v1/ping");
    ASSERT_TRUE(r);
    EXPECT_EQ(json(*r)["pong"], true);
}

TEST_F(Server, HeadersFromHandlersCannotSplitTheResponse) {
    startServer();
    Client c(server_->port());
    auto r = c.request(http::verb::get, "/v1/splitting");
    ASSERT_TRUE(r);
    EXPECT_EQ((*r)["X-Good"], "yes");
    EXPECT_EQ((*r)["X-Bad"], "");
    EXPECT_EQ((*r)["Set-Cookie"], "");
    EXPECT_EQ((*r)[http::field::content_length], "1");
    auto e = c.request(http::verb::delete_, "/v1/empty");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->result_int(), 204);
    EXPECT_EQ(e->body(), "");
}

TEST_F(Server, AHandlerThatNeverAnswersTimesOutWith503) {
    startServer([](HttpServer::Options& o) { o.handlerTimeout = std::chrono::seconds(1); });
    Client c(server_->port());
    auto r = c.request(http::verb::get, "/v1/hold");
    ASSERT_TRUE(r);
    expectProblem(*r, 503);
    // Answering late is harmless and does not reach the connection.
    takeHeld()(textResponse(200, "too late"));
    r = c.request(http::verb::get, "/v1/ping");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 200);
}

TEST_F(Server, ASlowClientIsCutOff) {
    startServer([](HttpServer::Options& o) { o.idleTimeout = std::chrono::seconds(1); });
    Client c(server_->port());
    ASSERT_TRUE(c.sendRaw("GET /v1/ping HTTP/1.1\r\nHost: x\r\nX-Slow: "));
    // The header never ends; the server closes after its 1 s limit.
    EXPECT_TRUE(c.waitClosed(std::chrono::milliseconds(5000)));
}

TEST_F(Server, OverTheConnectionLimitIs503) {
    startServer([](HttpServer::Options& o) { o.maxConnections = 1; });
    Client first(server_->port());
    auto r = first.request(http::verb::get, "/v1/ping");
    ASSERT_TRUE(r); // the first connection is surely counted now
    EXPECT_EQ(server_->connections(), 1u);
    Client second(server_->port());
    r = second.request(http::verb::get, "/v1/ping");
    ASSERT_TRUE(r);
    expectProblem(*r, 503);
    EXPECT_EQ((*r)[http::field::retry_after], "1");
    EXPECT_TRUE(second.waitClosed());
    // The first is still served.
    r = first.request(http::verb::get, "/v1/ping");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 200);

    // A request with a body is refused on its header, before a byte of the body is read (an
    // unauthenticated upload is not spooled only to be refused).
    Client third(server_->port());
    ASSERT_TRUE(third.sendRaw("POST /v1/ping HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"));
    r = third.readResponse();
    ASSERT_TRUE(r) << "answered with the body unsent";
    expectProblem(*r, 503);
}

TEST_F(Server, StopClosesOpenConnectionsAndLateAnswersAreDropped) {
    startServer();
    Client idle(server_->port());
    ASSERT_TRUE(idle.request(http::verb::get, "/v1/ping"));
    Client waiting(server_->port());
    ASSERT_TRUE(waiting.sendRaw("GET /v1/hold HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(eventually([&] { return heldCount() == 1; }));
    WsClient subscriber(server_->port(), "/v1/events", "Bearer " + aliceToken);
    ASSERT_TRUE(subscriber.open());

    const auto before = std::chrono::steady_clock::now();
    server_->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(4));
    EXPECT_TRUE(idle.waitClosed());
    EXPECT_TRUE(waiting.waitClosed());
    EXPECT_FALSE(subscriber.read());
    takeHeld()(textResponse(200, "after stop"));
    server_->events().publish("after stop");
    server_->stop(); // idempotent
}

TEST_F(Server, StartFailsCleanly) {
    HttpServer::Options o;
    o.address = "not-an-address";
    HttpServer bad(o, Router(), TokenTable());
    auto r = bad.start();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::config);

    startServer();
    HttpServer::Options taken;
    taken.port = server_->port();
    HttpServer clash(taken, Router(), TokenTable());
    r = clash.start();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::io);

    HttpServer::Options half;
    half.certificate = "/nonexistent/cert.pem";
    HttpServer tls(half, Router(), TokenTable());
    EXPECT_EQ(tls.start().error().code, Errc::config);
}

} // namespace
} // namespace sb::api::test
