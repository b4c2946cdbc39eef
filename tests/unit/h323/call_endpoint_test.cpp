// H.323 calls on the wire, both ways, with the scripted peer (tests/interop/h323_peer.erl,
// Erlang's ASN.1 codec end to end, Q.931 and TPKT of its own): it calls Switchboard's endpoint
// with Fast Connect and tunnelled H.245, sends a digit and hangs up; it calls without either,
// the audio then agreed on a separate H.245 connection; and Switchboard calls it, its
// fastStart answer giving the audio's address, and hangs up.
#include "h323/call_endpoint.hpp"
#include "h323/q931/tpkt.hpp"
#include "support/h323_peer.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <thread>
#include <unistd.h>

namespace sb::h323 {
namespace {

h245::AudioCapability codec(h245::AudioCodec kind) {
    h245::AudioCapability c;
    c.codec = kind;
    return c;
}

class CallEndpointPeer : public testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / fmt::format("sb-call-peer-{}", ::getpid());
        const auto built = test::buildH323Peer(dir_, SB_VECTORS_DIR, SB_INTEROP_DIR);
        ASSERT_TRUE(built.succeeded) << built.output;
        Call::Config base;
        base.aliases = {h225::DialedDigits{"2002"}};
        base.media.codecs = {codec(h245::AudioCodec::g711Ulaw64k),
                             codec(h245::AudioCodec::g711Alaw64k)};
        base.media.rtp = {{127, 0, 0, 1}, 40000};
        base.media.rtcp = {{127, 0, 0, 1}, 40001};
        base.random = [] { return 4242u; };
        auto endpoint =
            CallEndpoint::start(context_, {asio::ip::make_address("127.0.0.1"), 0}, base,
                                [this](std::uint64_t id) { return eventsOf(id); });
        ASSERT_TRUE(endpoint) << endpoint.error().message;
        endpoint_ = std::move(*endpoint);
        worker_ = std::thread([this] { context_.run(); });
    }
    void TearDown() override {
        asio::post(context_, [this] { endpoint_.reset(); });
        work_.reset();
        if (worker_.joinable()) worker_.join();
        std::filesystem::remove_all(dir_);
    }

    Call::Events eventsOf(std::uint64_t id) {
        Call::Events events;
        events.offered = [this, id](const h225::Setup&) {
            asio::post(context_, [this, id] { // answered as a user would: ring, then pick up
                if (auto* call = endpoint_->call(id)) {
                    call->alert();
                    call->answer();
                }
            });
        };
        events.media = [this, id](const MediaPath& path) {
            media_ = path;
            if (hangUpOnMedia_)
                asio::post(context_, [this, id] {
                    if (auto* call = endpoint_->call(id)) call->release();
                });
        };
        events.userInput = [this](const h245::UserInputIndication& input) {
            digits_.push_back(input.signal);
        };
        events.released = [this](std::uint8_t cause) { released_ = cause; };
        return events;
    }

    // Runs the peer; `started` is called with the port it printed, if it prints one.
    std::string runPeer(const std::string& scenario, int port,
                        const std::function<void(int)>& started = {}) {
        return test::runH323Peer(dir_, scenario, port, started);
    }

    asio::io_context context_;
    asio::executor_work_guard<asio::io_context::executor_type> work_ =
        asio::make_work_guard(context_);
    std::thread worker_;
    std::filesystem::path dir_;
    std::unique_ptr<CallEndpoint> endpoint_;
    std::optional<MediaPath> media_;
    std::vector<char> digits_;
    std::optional<std::uint8_t> released_;
    bool hangUpOnMedia_ = false;
};

TEST_F(CallEndpointPeer, ThePeerCallsUsWithFastConnectAndTunnelledH245) {
    const auto said = runPeer("call-in", endpoint_->localEndpoint().port());
    EXPECT_EQ(said, "ok call proceeding\n"
                    "ok alerting with the fastStart answer\n"
                    "ok connect\n"
                    "ok tunnelled capabilities\n"
                    "ok released\n"
                    "done\n");
    ASSERT_TRUE(media_);
    EXPECT_EQ(media_->transmit.codec, h245::AudioCodec::g711Ulaw64k);
    EXPECT_EQ(media_->remoteRtp, (h245::UnicastAddress{{127, 0, 0, 1}, 5000}));
    EXPECT_EQ(digits_, std::vector<char>{'5'});
    EXPECT_EQ(released_, 16);
}

TEST_F(CallEndpointPeer, ThePeerCallsWithoutFastStartOrTunnellingOnASeparateH245Connection) {
    const auto said = runPeer("call-in-h245", endpoint_->localEndpoint().port());
    EXPECT_EQ(said, "ok call proceeding\n"
                    "ok alerting\n"
                    "ok connect with an H.245 address\n"
                    "ok capabilities and determination\n"
                    "ok its channel opened\n"
                    "ok our channel accepted\n"
                    "ok released\n"
                    "done\n");
    ASSERT_TRUE(media_);
    EXPECT_EQ(media_->transmit.codec, h245::AudioCodec::g711Ulaw64k);
    EXPECT_EQ(media_->remoteRtp, (h245::UnicastAddress{{127, 0, 0, 1}, 7000}));
    EXPECT_EQ(released_, 16);
}

TEST_F(CallEndpointPeer, WeCallThePeerAndHangUp) {
    hangUpOnMedia_ = true;
    const auto said = runPeer("call-out", 0, [this](int port) {
        asio::post(context_, [this, port] {
            endpoint_->place(
                {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)},
                {h225::DialedDigits{"3003"}});
        });
    });
    EXPECT_EQ(said, "ok setup with fastStart\n"
                    "ok released by the caller\n"
                    "done\n");
    ASSERT_TRUE(media_);
    EXPECT_EQ(media_->transmit.codec, h245::AudioCodec::g711Ulaw64k);
    EXPECT_EQ(media_->remoteRtp, (h245::UnicastAddress{{127, 0, 0, 1}, 6000}));
    EXPECT_EQ(released_, 16);
}

// An endpoint on a loopback port whose calls tell `released` their cause.
Result<std::unique_ptr<CallEndpoint>>
endpointHearingReleases(asio::io_context& context, const Call::Config& base,
                        std::optional<std::uint8_t>& released) {
    return CallEndpoint::start(context, {asio::ip::make_address("127.0.0.1"), 0}, base,
                               [&released](std::uint64_t) {
                                   Call::Events events;
                                   events.released = [&released](std::uint8_t c) { released = c; };
                                   return events;
                               });
}

// A far end that takes the connection and never answers: T303 releases the call, and the
// connection goes with it.
TEST(CallEndpoint, ASetupNobodyAnswersIsReleasedByT303) {
    asio::io_context context;
    auto silent =
        net::StreamListener::listen(context, {asio::ip::make_address("127.0.0.1"), 0}, nullptr);
    ASSERT_TRUE(silent);
    std::vector<std::shared_ptr<net::StreamConnection>> held;
    (*silent)->start([&](const std::shared_ptr<net::StreamConnection>& c) {
        held.push_back(c);
        c->start({});
    });
    Call::Config base;
    base.media.codecs = {codec(h245::AudioCodec::g711Ulaw64k)};
    base.t303 = std::chrono::milliseconds(300);
    std::optional<std::uint8_t> released;
    auto endpoint = endpointHearingReleases(context, base, released);
    ASSERT_TRUE(endpoint);
    (*endpoint)->place((*silent)->localEndpoint(), {h225::DialedDigits{"2002"}});
    const auto started = std::chrono::steady_clock::now();
    while (!released && std::chrono::steady_clock::now() - started < std::chrono::seconds(5))
        context.run_for(std::chrono::milliseconds(50));
    EXPECT_EQ(released, 102);
    context.run_for(std::chrono::milliseconds(100));
    EXPECT_EQ((*endpoint)->calls(), 0u);
    for (auto& c : held)
        c->close();
    (*silent)->close();
}

// Connections that bring no Setup: one that says nothing and one that stops within its Setup's
// TPKT are closed once the wait is over; one more than may wait is closed as it comes.
TEST(CallEndpoint, AConnectionWithoutItsSetupIsClosed) {
    asio::io_context context;
    Call::Config base;
    base.media.codecs = {codec(h245::AudioCodec::g711Ulaw64k)};
    CallEndpoint::Limits limits;
    limits.setupWait = std::chrono::milliseconds(3000);
    limits.mostWaiting = 2;
    auto endpoint = CallEndpoint::start(
        context, {asio::ip::make_address("127.0.0.1"), 0}, base,
        [](std::uint64_t) { return Call::Events{}; }, limits);
    ASSERT_TRUE(endpoint);
    std::vector<std::shared_ptr<net::StreamConnection>> peers;
    std::vector<bool> closed(3, false);
    const auto connect = [&](std::size_t n) {
        auto peer = net::StreamConnection::outbound(context, nullptr, "127.0.0.1");
        net::StreamConnection::Handlers h;
        h.onClosed = [&closed, n](const std::error_code&) { closed[n] = true; };
        peer->connect((*endpoint)->localEndpoint(), std::move(h));
        peers.push_back(peer);
    };
    const auto runUntil = [&](const std::function<bool()>& done) {
        const auto started = std::chrono::steady_clock::now();
        while (!done() && std::chrono::steady_clock::now() - started < std::chrono::seconds(10))
            context.run_for(std::chrono::milliseconds(20));
        return done();
    };
    connect(0); // says nothing
    connect(1); // a TPKT header for 64 octets, then 4 of them
    peers[1]->write(std::string("\x03\x00\x00\x40\x08\x02\x00\x01", 8));
    ASSERT_TRUE(runUntil([&] { return (*endpoint)->calls() == 2; }));
    connect(2);
    ASSERT_TRUE(runUntil([&] { return closed[2]; })); // the third, as it came
    EXPECT_FALSE(closed[0]);
    EXPECT_FALSE(closed[1]);
    ASSERT_TRUE(runUntil([&] { return closed[0] && closed[1]; })); // the wait is over
    context.run_for(std::chrono::milliseconds(50));
    EXPECT_EQ((*endpoint)->calls(), 0u);
}

// Within a call, a message that cannot be read is answered with Status (its cause, and the
// call's state) and the call goes on (Q.931 §5.8); a ReleaseComplete that cannot be read
// still ends it.
// A far end on a raw TCP connection to an endpoint of ours: what it sends is framed as the
// test says, what it hears is read back.
class CallEndpointWire : public ::testing::Test {
protected:
    CallEndpointWire() {
        Call::Config base;
        base.media.codecs = {codec(h245::AudioCodec::g711Ulaw64k)};
        endpoint_ = std::move(endpointHearingReleases(context_, base, released_).value());
        net::StreamConnection::Handlers h;
        h.onData = [this](std::span<const std::byte> bytes) {
            reader_.add({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
            while (auto next = reader_.next())
                if (*next)
                    heard_.push_back(std::get<h225::SignallingMessage>(h225::read(**next)));
                else
                    break;
        };
        peer_->connect(endpoint_->localEndpoint(), std::move(h));
    }
    ~CallEndpointWire() override { peer_->close(); }

    bool runUntil(const std::function<bool()>& done) {
        const auto started = std::chrono::steady_clock::now();
        while (!done() && std::chrono::steady_clock::now() - started < std::chrono::seconds(5))
            context_.run_for(std::chrono::milliseconds(20));
        return done();
    }
    void sendRaw(const std::vector<std::uint8_t>& bytes) {
        peer_->write(std::string(bytes.begin(), bytes.end()));
    }
    void send(const std::vector<std::uint8_t>& q931) { sendRaw(tpktFrame(q931)); }
    // Our Setup, answered with CallProceeding: the call is in.
    std::vector<std::uint8_t> callIn() {
        h225::SignallingMessage setup;
        setup.q931.type = q931::MessageType::setup;
        setup.q931.callReference = 7;
        h225::Setup body;
        body.callIdentifier[0] = 1;
        setup.userInformation = h225::UserInformation{body, true, {}};
        send(h225::write(setup));
        EXPECT_TRUE(runUntil([&] { return !heard_.empty(); }));
        EXPECT_EQ(heard_.at(0).q931.type, q931::MessageType::callProceeding);
        return h225::write(setup);
    }

    asio::io_context context_;
    std::optional<std::uint8_t> released_;
    std::unique_ptr<CallEndpoint> endpoint_;
    std::shared_ptr<net::StreamConnection> peer_ =
        net::StreamConnection::outbound(context_, nullptr, "127.0.0.1");
    TpktReader reader_;
    std::vector<h225::SignallingMessage> heard_;
};

TEST_F(CallEndpointWire, AMessageNotUnderstoodWithinACallIsAnsweredWithStatus) {
    const auto setup = callIn();
    // An Information message whose User-user element is cut short.
    auto information = setup;
    information[4] = static_cast<std::uint8_t>(q931::MessageType::information);
    information.resize(information.size() - 3);
    send(information);
    ASSERT_TRUE(runUntil([&] { return heard_.size() >= 2; }));
    EXPECT_EQ(heard_[1].q931.type, q931::MessageType::status);
    const auto* state = heard_[1].q931.find(q931::element::callState);
    ASSERT_TRUE(state);
    EXPECT_EQ(state->contents, std::vector<std::uint8_t>{9}) << "incoming call proceeding";
    EXPECT_FALSE(released_);
    EXPECT_EQ(endpoint_->calls(), 1u);

    auto releaseComplete = information; // as unreadable, but a ReleaseComplete
    releaseComplete[4] = static_cast<std::uint8_t>(q931::MessageType::releaseComplete);
    send(releaseComplete);
    ASSERT_TRUE(runUntil([&] { return released_.has_value(); }));
    context_.run_for(std::chrono::milliseconds(50));
    EXPECT_EQ(endpoint_->calls(), 0u);
}

// A keep-alive (an empty TPKT, H.460.18) is passed over; a stream that can no longer be framed
// releases the call (cause 41) as a connection gone would, so that its owner hears of it.
TEST_F(CallEndpointWire, AKeepAliveIsPassedOverAndALostStreamReleasesTheCall) {
    callIn();
    sendRaw({3, 0, 0, 4});
    context_.run_for(std::chrono::milliseconds(100));
    EXPECT_FALSE(released_);
    EXPECT_EQ(endpoint_->calls(), 1u);
    sendRaw({2, 0, 0, 9});
    ASSERT_TRUE(runUntil([&] { return released_.has_value(); }));
    EXPECT_EQ(released_, 41);
    context_.run_for(std::chrono::milliseconds(50));
    EXPECT_EQ(endpoint_->calls(), 0u);
}

} // namespace
} // namespace sb::h323
