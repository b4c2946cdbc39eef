// Our WebRTC peer connection against aiortc's (tests/interop/webrtc_dc_peer.py), over real ICE,
// DTLS and SCTP inside a network namespace the test makes: in the offer role and in the answer
// role, channels opened by either end, text echoed, binary messages up to aiortc's 65,536-byte
// limit carried both ways unchanged, and a 3 MiB evidence file whose chunks aiortc's side reads
// and checks with a reader of its own.
#include "support/network_namespace.hpp"
#include "support/posted_work.hpp"
#include "webrtc/evidence.hpp"
#include "webrtc/peer_connection.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

namespace sb::webrtc {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<std::byte>;

Bytes pattern(std::size_t n) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i)
        b[i] = static_cast<std::byte>((i * 31) % 251);
    return b;
}

std::span<const std::byte> text(std::string_view s) {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

class Aiortc : public testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(test::enterNamespaceWithVethPair("sbrtc", "10.78.0.1", "10.78.0.2"));
        loop_.emplace();
        PeerConnection::Handlers h;
        h.gathered = [this] { gathered_ = true; };
        h.ready = [this] { ready_ = true; };
        h.failed = [this](const Error& e) { failure_ = e.message; };
        h.channels.opened = [this](const DataChannel& c) { opened_.push_back(c.params.label); };
        h.channels.message = [this](const DataChannel& c, std::span<const std::byte> m,
                                    bool binary) {
            if (binary)
                binary_.emplace_back(m.begin(), m.end());
            else
                text_.push_back(c.params.label + ": " +
                                std::string(reinterpret_cast<const char*>(m.data()), m.size()));
        };
        pc_.emplace(*loop_, identity_, work_.post(), PeerConnection::Options{}, std::move(h));
        file_ =
            std::filesystem::temp_directory_path() / ("sb-webrtc-" + std::to_string(::getpid()));
    }
    void TearDown() override {
        if (peer_) ::pclose(peer_);
        pc_.reset();
        loop_.reset();
        std::filesystem::remove(file_);
        std::filesystem::remove(file_.string() + ".done");
    }
    void startPeer(const std::string& mode) {
        const std::string command = "timeout 40 /usr/bin/python3 " SB_INTEROP_DIR
                                    "/webrtc_dc_peer.py " +
                                    mode + " " + file_.string();
        peer_ = ::popen(command.c_str(), "r");
        ASSERT_NE(peer_, nullptr);
    }
    // What aiortc printed up to its line END: its description.
    std::string peerDescription() {
        std::string sdp;
        char line[4096];
        while (std::fgets(line, sizeof line, peer_) && std::string_view(line) != "END\n")
            sdp += line;
        return sdp;
    }
    void give(const std::string& description) {
        std::ofstream(file_) << description;
        std::ofstream(file_.string() + ".done") << "";
    }
    bool run(const std::function<bool()>& done, std::chrono::milliseconds limit = 20s) {
        return work_.runUntil(done, limit, [this] {
            pc_->tick();
            SctpTransport::advanceTimers(10ms);
        });
    }
    // Our channel to aiortc: text echoed, then binary up to its limit, unchanged.
    void exchange() {
        auto id = pc_->channels()->open({ChannelType::reliable, 0, 0, "switchboard", ""});
        ASSERT_TRUE(id);
        ASSERT_TRUE(pc_->channels()->send(*id, text("ping"), false));
        for (std::size_t size : {1u, 1200u, 65535u, 65536u})
            ASSERT_TRUE(pc_->channels()->send(*id, pattern(size), true));
        ASSERT_TRUE(run([&] { return binary_.size() == 4 && !text_.empty(); }))
            << (failure_.empty() ? "no echo" : failure_);
        EXPECT_NE(std::find(text_.begin(), text_.end(), "switchboard: echo: ping"), text_.end());
        EXPECT_EQ(binary_[0], pattern(1));
        EXPECT_EQ(binary_[3], pattern(65536));
        // Over aiortc's a=max-message-size: refused here, never sent.
        EXPECT_EQ(pc_->channels()->send(*id, pattern(65537), true).error().code, Errc::too_large);

        // Evidence: 3 MiB in chunks that fit aiortc's limit, each checked by its own reader,
        // which answers with the SHA-256 of the file it put together.
        EvidenceSender evidence({7, 7, 7}, "scan.pdf", pattern(3 * 1024 * 1024), 65535);
        while (auto chunk = evidence.next()) {
            for (int tries = 0;; ++tries) { // the SCTP buffer fills: wait for room, then again
                auto sent = pc_->channels()->send(*id, *chunk, true);
                if (sent) break;
                ASSERT_EQ(sent.error().code, Errc::incomplete) << sent.error().message;
                ASSERT_LT(tries, 500);
                run([] { return false; }, 20ms);
            }
        }
        const std::string expected =
            "switchboard: evidence " + hexOf(evidence.description().digest);
        ASSERT_TRUE(run([&] {
            return !text_.empty() && text_.back().starts_with("switchboard: evidence ");
        })) << "no digest from aiortc";
        EXPECT_EQ(text_.back(), expected);
        // The bye leaves with this thread's next turn (ICE's batch), and aiortc then says done.
        ASSERT_TRUE(pc_->channels()->send(*id, text("bye"), false));
        run([] { return false; }, 100ms);
        char line[256];
        std::string last;
        while (std::fgets(line, sizeof line, peer_))
            last = line;
        EXPECT_EQ(last, "done\n");
    }

    test::PostedWork work_;
    DtlsIdentity identity_ = DtlsIdentity::generate().value();
    std::optional<IceLoop> loop_;
    std::optional<PeerConnection> pc_;
    std::filesystem::path file_;
    FILE* peer_ = nullptr;
    bool gathered_ = false, ready_ = false;
    std::string failure_;
    std::vector<std::string> opened_, text_;
    std::vector<Bytes> binary_;
};

TEST_F(Aiortc, WeOfferAiortcAnswers) {
    ASSERT_TRUE(pc_->gather(true));
    ASSERT_TRUE(run([&] { return gathered_; }));
    give(pc_->offer().value());
    startPeer("answer");
    const std::string answer = peerDescription();
    ASSERT_TRUE(pc_->accept(answer)) << answer;
    ASSERT_TRUE(run([&] { return ready_ || !failure_.empty(); }));
    ASSERT_TRUE(ready_) << failure_;
    exchange();
}

TEST_F(Aiortc, AiortcOffersWeAnswer) {
    startPeer("offer");
    const std::string offer = peerDescription();
    ASSERT_TRUE(pc_->gather(false));
    ASSERT_TRUE(run([&] { return gathered_; }));
    auto answer = pc_->answer(offer);
    ASSERT_TRUE(answer) << answer.error().message << "\n" << offer;
    give(*answer);
    ASSERT_TRUE(run([&] { return !text_.empty() || !failure_.empty(); }));
    ASSERT_TRUE(failure_.empty()) << failure_;
    EXPECT_EQ(text_.front(), "aiortc: hello from aiortc");
    EXPECT_EQ(opened_.front(), "aiortc");
    text_.clear();
    exchange();
}

} // namespace
} // namespace sb::webrtc
