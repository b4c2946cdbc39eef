#pragma once
// A MessageSender for tests of the SIP layers above the transport: it keeps what would have
// been sent, so that a test can parse it back and assert on it.

#include "sip/message.hpp"
#include "sip/transaction.hpp"

#include <deque>
#include <gtest/gtest.h>
#include <string>

namespace sb::test {

class RecordingSender final : public sip::MessageSender {
public:
    Result<void> send(const sip::Destination& to, std::string bytes) override {
        sent.push_back(std::move(bytes));
        destinations.push_back(to);
        return {};
    }
    bool reply(const sip::InboundMessage& to, std::string bytes) override {
        replies.push_back(std::move(bytes));
        replyPorts.push_back(to.remotePort);
        return to.transport == sip::Transport::udp || !disconnected;
    }
    bool connected(const sip::Destination& to) const override {
        return to.transport == sip::Transport::udp || !disconnected;
    }
    std::deque<std::string> sent;              // requests and ACKs towards destinations
    std::deque<sip::Destination> destinations; // where each of `sent` went
    std::deque<std::string> replies;           // responses on the inbound path
    std::deque<std::uint16_t> replyPorts;      // the port each of `replies` went to
    bool disconnected = false;                 // no TCP or TLS connection is open
};

// Parses what a test sent or built; a parse failure fails the test.
inline sip::Message parsed(const std::string& bytes) {
    auto m = sip::Message::parse(bytes);
    EXPECT_TRUE(m) << (m ? "" : m.error().message);
    return std::move(m).value();
}

} // namespace sb::test
