#include "app/api_routes.hpp"
#include "app/server.hpp"
#include "core/log.hpp"
#include "support/h323_peer.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <future>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

namespace sb::app {
namespace {

using namespace std::chrono_literals;

// Runs server.run() on a thread and reports whether it returned within a bound, so that a
// broken stop() fails the test instead of hanging it.
bool runReturnsWithin(Server& server, std::chrono::seconds bound) {
    auto done = std::async(std::launch::async, [&] { server.run(); });
    return done.wait_for(bound) == std::future_status::ready;
}

// The default configuration on ephemeral ports and with its files in a fresh temporary folder,
// so that tests running in parallel neither fight over port 5060 nor share a data folder.
struct TempFolder {
    std::string path;
    TempFolder() {
        char name[] = "/tmp/switchboard-server-test-XXXXXX";
        if (mkdtemp(name)) path = name;
    }
    ~TempFolder() { std::filesystem::remove_all(path); }
};

Config testConfig() {
    static const TempFolder folder;
    Config config = defaultConfig();
    EXPECT_FALSE(folder.path.empty());
    config.dataDir = folder.path;
    config.tls.certificate = config.dataDir + "/tls/cert.pem";
    config.tls.privateKey = config.dataDir + "/tls/key.pem";
    for (auto& listen : config.sip.listen)
        listen.port = 0;
    config.api.port = 0;
    config.h323.port = 0;
    config.h323.rasPort = 0;
    config.escalations.storage = "sqlite:" + config.dataDir + "/switchboard.db";
    config.escalations.signingKey = config.dataDir + "/witness/signing-key.pem";
    return config;
}

// start(), with its error in the failure message.
::testing::AssertionResult started(Server& server) {
    auto ok = server.start();
    if (ok) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << ok.error().message;
}

TEST(Server, StopFromAnotherThreadEndsRun) {
    Server server(testConfig());
    ASSERT_TRUE(started(server));
    std::thread stopper([&] {
        std::this_thread::sleep_for(50ms);
        server.stop();
    });
    EXPECT_TRUE(runReturnsWithin(server, 10s));
    stopper.join();
}

// A handler on the control loop that throws loses its own work only: the loop goes on (a later
// handler runs, stop() still ends run()), and the failure is counted.
TEST(Server, AThrowingHandlerDoesNotStopTheControlLoop) {
    Server server(testConfig());
    ASSERT_TRUE(started(server));
    bool later = false;
    asio::post(server.context(), [] { throw std::runtime_error("a handler's bug"); });
    asio::post(server.context(), [] { throw 42; });
    asio::post(server.context(), [&] {
        later = true;
        server.stop();
    });
    EXPECT_TRUE(runReturnsWithin(server, 10s));
    EXPECT_TRUE(later);
    EXPECT_EQ(server.handlerFailures(), 2u);
    EXPECT_NE(server.statsLine().find(" handler_failures=2"), std::string::npos);
}

// An API request whose work throws on the control loop is answered 500 at once, and the
// exception still reaches the loop's boundary to be counted there.
TEST(OnControl, AThrowingRequestIsAnswered500) {
    asio::io_context control;
    std::optional<api::Response> answer;
    onControl(
        control, [&](api::Response r) { answer = std::move(r); },
        [] { throw std::runtime_error("a handler's bug"); });
    EXPECT_THROW(control.run(), std::runtime_error);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 500);
}

// The built-in default answers H.323 calls with an echo test: the scripted H.323 peer
// (tests/interop/h323_peer.erl) calls with Fast Connect, sends a tone over RTP and hears it
// back through the room's media, then hangs up; the server holds no call after.
TEST(Server, AnH323CallerHearsItselfInTheDefaultEchoRoom) {
    const auto dir =
        std::filesystem::temp_directory_path() / fmt::format("sb-server-h323-{}", ::getpid());
    const auto built = test::buildH323Peer(dir, SB_VECTORS_DIR, SB_INTEROP_DIR);
    ASSERT_TRUE(built.succeeded) << built.output;
    Server server(testConfig());
    ASSERT_TRUE(started(server));
    ASSERT_NE(server.h323Port(), 0);
    auto running = std::async(std::launch::async, [&] { server.run(); });
    const auto said = test::runH323Peer(dir, "call-in-audio", server.h323Port());
    server.stop();
    EXPECT_EQ(running.wait_for(10s), std::future_status::ready);
    std::filesystem::remove_all(dir);
    EXPECT_EQ(said, "ok call proceeding\n"
                    "ok the fastStart answer\n"
                    "early media in alerting\n"
                    "ok connect\n"
                    "ok its own tone heard back\n"
                    "ok released\n"
                    "done\n");
    EXPECT_NE(server.statsLine().find(" conference_rooms=0"), std::string::npos)
        << server.statsLine();
}

// An H.323 call goes where the routes send a SIP call to the alias it dialled: here 2002 to
// the echo test, while [h323] would put calls no route takes in a room where a caller alone
// hears nothing.
TEST(Server, AnH323CallFollowsTheRoutesToAConference) {
    const auto dir =
        std::filesystem::temp_directory_path() / fmt::format("sb-server-h323-route-{}", ::getpid());
    const auto built = test::buildH323Peer(dir, SB_VECTORS_DIR, SB_INTEROP_DIR);
    ASSERT_TRUE(built.succeeded) << built.output;
    Config config = testConfig();
    config.h323.conference = "lobby";
    RouteConfig echo;
    echo.user = "^2002$";
    echo.conference = session::kEchoRoom;
    config.routes = {echo};
    Server server(std::move(config));
    ASSERT_TRUE(started(server));
    auto running = std::async(std::launch::async, [&] { server.run(); });
    const auto said = test::runH323Peer(dir, "call-in-audio", server.h323Port());
    server.stop();
    EXPECT_EQ(running.wait_for(10s), std::future_status::ready);
    std::filesystem::remove_all(dir);
    EXPECT_NE(said.find("ok its own tone heard back\n"), std::string::npos) << said;
}

TEST(Server, StopBeforeRunEndsRunAtOnce) {
    Server server(testConfig());
    ASSERT_TRUE(started(server));
    server.stop();
    server.stop(); // twice is harmless
    EXPECT_TRUE(runReturnsWithin(server, 10s));
}

TEST(Server, SigtermEndsRun) {
    Server server(testConfig());
    ASSERT_TRUE(started(server));
    std::raise(SIGTERM); // caught by the server's signal_set, delivered once run() runs
    EXPECT_TRUE(runReturnsWithin(server, 10s));
}

TEST(Server, RunWithoutStartReturns) {
    Server server(testConfig());
    EXPECT_TRUE(runReturnsWithin(server, 10s));
}

TEST(Server, StartAppliesTheLogConfiguration) {
    Config config = testConfig();
    config.log.level = "warning";
    config.log.modules = {{"sip", "debug"}};
    Server server(std::move(config));
    ASSERT_TRUE(started(server));
    EXPECT_EQ(log::get("sip").level(), spdlog::level::debug);
    EXPECT_EQ(log::get("app").level(), spdlog::level::warn);
    EXPECT_FALSE(server.start()) << "a second start() is refused";
    server.stop();
    EXPECT_TRUE(runReturnsWithin(server, 10s));
    ASSERT_TRUE(log::setDefaultLevel("info"));
}

TEST(Server, StartRejectsAnUnknownLevel) {
    Config config = testConfig();
    config.log.level = "loud";
    Server server(std::move(config));
    auto started = server.start();
    ASSERT_FALSE(started);
    EXPECT_EQ(started.error().code, Errc::config);
}

// The OpenAPI document kept in the repository (and served at /v1/openapi.json) describes
// exactly the routes the API has: no route undocumented, no documented route missing.
TEST(Server, TheOpenApiDocumentHasEveryRouteAndNoOther) {
    Server server(testConfig());
    ASSERT_TRUE(started(server));
    std::set<std::string> routes;
    for (const auto& r : server.apiRoutes())
        routes.insert(r.method + " " + r.pattern);
    std::ifstream file(std::string(SB_VECTORS_DIR) + "/../../docs/api/openapi.json");
    const auto doc = nlohmann::json::parse(file);
    std::set<std::string> documented;
    for (const auto& [path, item] : doc.at("paths").items())
        for (const auto& [method, operation] : item.items())
            if (method != "parameters") {
                std::string upper(method);
                for (auto& c : upper)
                    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                documented.insert(upper.append(" ").append(path));
            }
    EXPECT_EQ(routes, documented);
    EXPECT_GE(routes.size(), 20u);
    server.stop();
    EXPECT_TRUE(runReturnsWithin(server, 10s));
}

} // namespace
} // namespace sb::app
