// Our WebRTC peer connection against Janus's echotest plugin (PEERS.md), over real ICE, DTLS
// and SCTP inside a network namespace the test makes: Janus answers our offer through its HTTP
// API, and echoes our DataChannel's text (with its own words before it) and binary messages up
// to 65,535 bytes, the largest its plugin carries.
#include "support/child_process.hpp"
#include "support/command_output.hpp"
#include "support/network_namespace.hpp"
#include "support/posted_work.hpp"
#include "webrtc/peer_connection.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <thread>

extern char** environ;

namespace sb::webrtc {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kJanusLibs = "/usr/lib/x86_64-linux-gnu/janus";

class Janus : public testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(test::enterNamespaceWithVethPair("sbjan", "10.79.0.1", "10.79.0.2"));
        dir_ = fs::temp_directory_path() / ("sb-janus-" + std::to_string(::getpid()));
        for (auto sub : {"plugins", "transports", "events", "loggers"})
            fs::create_directories(dir_ / sub);
        // Only the echotest plugin and the HTTP transport (PEERS.md).
        fs::create_symlink(fs::path(kJanusLibs) / "plugins/libjanus_echotest.so",
                           dir_ / "plugins/libjanus_echotest.so");
        fs::create_symlink(fs::path(kJanusLibs) / "transports/libjanus_http.so",
                           dir_ / "transports/libjanus_http.so");
        std::ofstream(dir_ / "janus.jcfg")
            << "general: {\n configs_folder = \"" << dir_.string() << "\"\n plugins_folder = \""
            << (dir_ / "plugins").string() << "\"\n transports_folder = \""
            << (dir_ / "transports").string() << "\"\n events_folder = \""
            << (dir_ / "events").string() << "\"\n loggers_folder = \""
            << (dir_ / "loggers").string() << "\"\n debug_level = 3\n}\n";
        std::ofstream(dir_ / "janus.plugin.echotest.jcfg") << "general: {\n}\n";
        std::ofstream(dir_ / "janus.transport.http.jcfg")
            << "general: {\n base_path = \"/janus\"\n http = true\n port = 18088\n"
               " ip = \"127.0.0.1\"\n https = false\n}\nadmin: {\n admin_http = false\n}\n";
        const std::string config = (dir_ / "janus.jcfg").string(), folder = dir_.string(),
                          log = (dir_ / "janus.log").string();
        // Its console output goes to a file in its folder, not into the test's output.
        ASSERT_TRUE(
            janus_.start({"timeout", "60", "janus", "-C", config, "-F", folder, "-o", "-L", log},
                         (dir_ / "console.log").string()));

        loop_.emplace();
        PeerConnection::Handlers h;
        h.gathered = [this] { gathered_ = true; };
        h.ready = [this] { ready_ = true; };
        h.failed = [this](const Error& e) { failure_ = e.message; };
        h.channels.message = [this](const DataChannel&, std::span<const std::byte> m, bool binary) {
            if (binary)
                binary_.emplace_back(m.begin(), m.end());
            else
                text_.emplace_back(reinterpret_cast<const char*>(m.data()), m.size());
        };
        pc_.emplace(*loop_, identity_, work_.post(), PeerConnection::Options{}, std::move(h));
    }
    void TearDown() override {
        pc_.reset();
        loop_.reset();
        janus_.stop();
        fs::remove_all(dir_);
    }
    // Janus's HTTP API, through curl.
    json call(const std::string& path, const json& body = {}) {
        const std::string command = body.is_null()
                                        ? "curl -s -m 35 http://127.0.0.1:18088/janus" + path
                                        : "curl -s -m 5 -X POST -d '" + body.dump() +
                                              "' http://127.0.0.1:18088/janus" + path;
        return json::parse(test::commandOutput(command), nullptr, false);
    }
    bool run(const std::function<bool()>& done) {
        return work_.runUntil(done, 20s, [this] {
            pc_->tick();
            SctpTransport::advanceTimers(10ms);
        });
    }

    fs::path dir_;
    test::ChildProcess janus_;
    test::PostedWork work_;
    DtlsIdentity identity_ = DtlsIdentity::generate().value();
    std::optional<IceLoop> loop_;
    std::optional<PeerConnection> pc_;
    bool gathered_ = false, ready_ = false;
    std::string failure_;
    std::vector<std::string> text_;
    std::vector<std::vector<std::byte>> binary_;
};

TEST_F(Janus, TheEchotestAnswersOurOfferAndEchoesOurChannel) {
    json session;
    for (int i = 0; i < 50 && !session.is_object(); ++i) { // Janus is up in ~0.25 s
        std::this_thread::sleep_for(100ms);
        session = call("", {{"janus", "create"}, {"transaction", "create"}});
    }
    ASSERT_TRUE(session.is_object()) << "Janus did not answer on HTTP";
    const std::string sessionPath =
        "/" + std::to_string(session["data"]["id"].get<std::uint64_t>());
    const json handle =
        call(sessionPath,
             {{"janus", "attach"}, {"plugin", "janus.plugin.echotest"}, {"transaction", "attach"}});
    const std::string handlePath =
        sessionPath + "/" + std::to_string(handle["data"]["id"].get<std::uint64_t>());

    ASSERT_TRUE(pc_->gather(true));
    ASSERT_TRUE(run([&] { return gathered_; }));
    const json ack =
        call(handlePath, {{"janus", "message"},
                          {"transaction", "offer"},
                          {"body", {{"audio", false}, {"video", false}, {"data", true}}},
                          {"jsep", {{"type", "offer"}, {"sdp", pc_->offer().value()}}}});
    ASSERT_EQ(ack["janus"], "ack") << ack.dump();
    std::string answer;
    for (int i = 0; i < 10 && answer.empty(); ++i) { // the answer comes on the long poll
        const json event = call(sessionPath + "?maxev=1");
        if (event.contains("jsep")) answer = event["jsep"]["sdp"];
    }
    ASSERT_FALSE(answer.empty()) << "no answer from Janus";
    ASSERT_TRUE(pc_->accept(answer)) << answer;
    ASSERT_TRUE(run([&] { return ready_ || !failure_.empty(); }));
    ASSERT_TRUE(ready_) << failure_;

    auto id = pc_->channels()->open({ChannelType::reliable, 0, 0, "switchboard", ""});
    ASSERT_TRUE(id);
    std::vector<std::byte> big(65535);
    for (std::size_t i = 0; i < big.size(); ++i)
        big[i] = static_cast<std::byte>(i % 249);
    const std::string ping = "ping from switchboard";
    ASSERT_TRUE(pc_->channels()->send(
        *id, {reinterpret_cast<const std::byte*>(ping.data()), ping.size()}, false));
    ASSERT_TRUE(pc_->channels()->send(*id, big, true));
    ASSERT_TRUE(run([&] { return !text_.empty() && !binary_.empty(); }))
        << (failure_.empty() ? "no echo" : failure_);
    EXPECT_NE(text_.front().find(ping), std::string::npos) << text_.front();
    EXPECT_EQ(binary_.front(), big);
}

} // namespace
} // namespace sb::webrtc
