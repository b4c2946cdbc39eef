#pragma once
// The transaction layer's MessageSender over the real transports.

#include "sip/transaction.hpp"
#include "sip/transport.hpp"

namespace sb::sip {

class TransportSender final : public MessageSender {
public:
    explicit TransportSender(TransportLayer& transport) : transport_(transport) {}

    Result<void> send(const Destination& to, std::string bytes) override {
        return transport_.send(to.transport, to.address, to.port, std::move(bytes),
                               to.tlsServerName);
    }
    bool reply(const InboundMessage& to, std::string bytes) override {
        return transport_.reply(to, std::move(bytes));
    }
    bool connected(const Destination& to) const override {
        return transport_.connected(to.transport, to.address, to.port);
    }

private:
    TransportLayer& transport_;
};

} // namespace sb::sip
