#pragma once
// A B2BUA under test: virtual time, a recording sender, and the caller's and callee's messages
// written out, so that a test stages a call flow message by message and parses back what the
// B2BUA sent. The route "bob" goes to the callee at 127.0.0.1:5090.

#include "sip/b2bua.hpp"
#include "support/recording_sender.hpp"

#include <fmt/format.h>
#include <functional>
#include <gtest/gtest.h>
#include <optional>

namespace sb::test {

using namespace std::chrono_literals;

class B2buaHarness : public ::testing::Test {
protected:
    using Clock = net::TimerWheel::Clock;

    B2buaHarness() : wheel_([this] { return now_; }, 10ms) { make({}); }

    // A new B2BUA with these limits; `adjust` changes any other option.
    void make(sip::CallLimits limits, const std::function<void(sip::B2buaOptions&)>& adjust = {}) {
        sip::B2buaOptions o;
        o.timers.t1 = 50ms;
        o.limits = limits;
        o.limits.sessionExpiresS = 0;
        o.routes = sip::RouteTable::make({{"^bob$", "", "sip:bob@127.0.0.1:5090", "", {}, "", ""}})
                       .value();
        o.listeners = {{sip::Transport::udp, asio::ip::make_address("127.0.0.1"), 5060}};
        if (adjust) adjust(o);
        b2bua_.emplace(wheel_, sender_, std::move(o));
    }

    // The caller's INVITE, from 127.0.0.1:5070, with an SDP offer if given.
    void invite(std::string_view user = "bob", std::string_view extra = "",
                std::string_view branch = "z9hG4bKa1", std::string_view callId = "c1",
                std::string_view sdp = {}) {
        deliver(fmt::format("INVITE sip:{}@127.0.0.1:5060 SIP/2.0\r\n"
                            "Via: SIP/2.0/UDP 127.0.0.1:5070;branch={}\r\n"
                            "From: <sip:alice@127.0.0.1:5070>;tag=a1\r\nTo: <sip:{}@127.0.0.1>\r\n"
                            "Call-ID: {}\r\nCSeq: 1 INVITE\r\n"
                            "Contact: <sip:alice@127.0.0.1:5070>\r\n{}",
                            user, branch, user, callId, extra) +
                    body(sdp),
                5070);
    }
    void cancel() {
        deliver("CANCEL sip:bob@127.0.0.1:5060 SIP/2.0\r\n"
                "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKa1\r\n"
                "From: <sip:alice@127.0.0.1:5070>;tag=a1\r\nTo: <sip:bob@127.0.0.1>\r\n"
                "Call-ID: c1\r\nCSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n",
                5070);
    }
    // A request of the caller's within its dialog, to which we gave the To tag `toTag`, with an
    // SDP body if given.
    static std::string callerRequest(std::string_view method, int cseq, std::string_view toTag,
                                     std::string_view sdp = {}) {
        return fmt::format("{} sip:bob@127.0.0.1:5060 SIP/2.0\r\n"
                           "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKa-{}{}\r\n"
                           "From: <sip:alice@127.0.0.1:5070>;tag=a1\r\n"
                           "To: <sip:bob@127.0.0.1>;tag={}\r\nCall-ID: c1\r\nCSeq: {} {}\r\n"
                           "Contact: <sip:alice@127.0.0.1:5070>\r\nMax-Forwards: 70\r\n",
                           method, method == "ACK" ? "ack" : "", cseq, toTag, cseq, method) +
               body(sdp);
    }
    // The callee's response to `request`, with its To tag, any further header lines, and an SDP
    // body if given.
    void respond(const sip::Message& request, int status, std::string_view tag = "b1",
                 std::string_view extra = {}, std::string_view sdp = {}) {
        std::string text = fmt::format("SIP/2.0 {} Whatever\r\n", status);
        for (const auto& v : request.vias())
            text += fmt::format("Via: {}\r\n", v.text);
        const std::string to = request.to().tag().empty()
                                   ? fmt::format("{};tag={}", request.to().text, tag)
                                   : std::string(request.to().text);
        text += fmt::format("From: {}\r\nTo: {}\r\nCall-ID: {}\r\nCSeq: {} {}\r\n"
                            "Contact: {}\r\n{}",
                            request.from().text, to, request.callId(), request.cseq().number,
                            request.cseq().method, calleeContact_, extra);
        deliver(text + body(sdp), 5090);
    }
    static std::string body(std::string_view sdp) {
        if (sdp.empty()) return "Content-Length: 0\r\n\r\n";
        return fmt::format("Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{}",
                           sdp.size(), sdp);
    }
    // A message from 127.0.0.1:`port`: the caller's (5070) over callerTransport_, others' over
    // UDP.
    void deliver(const std::string& text, std::uint16_t port) {
        const auto transport = port == 5070 ? callerTransport_ : sip::Transport::udp;
        sip::InboundMessage source{"",   transport, asio::ip::make_address("127.0.0.1"), port, {},
                                   5060, 0};
        b2bua_->receive(parsed(text), source);
    }
    int lastStatusToCaller() { return parsed(sender_.replies.back()).status(); }
    // Every message sent towards the callee, in order, by method.
    std::vector<std::string> methodsToCallee() {
        std::vector<std::string> out;
        for (const auto& m : sender_.sent) {
            auto p = parsed(m);
            out.emplace_back(p.isRequest() ? p.method() : std::to_string(p.status()));
        }
        return out;
    }
    void drain() {
        now_ += 10s;
        wheel_.advance();
    }
    void expectIdle() {
        drain();
        EXPECT_EQ(b2bua_->stats().calls, 0u);
        EXPECT_EQ(b2bua_->stats().dialogs, 0u);
        EXPECT_EQ(b2bua_->transactions().active(), 0u);
    }

    Clock::time_point now_ = Clock::now();
    net::TimerWheel wheel_;
    RecordingSender sender_;
    sip::Transport callerTransport_ = sip::Transport::udp;
    std::string calleeContact_ = "<sip:bob@127.0.0.1:5090>"; // in the callee's responses
    std::optional<sip::B2bua> b2bua_;
};

} // namespace sb::test
