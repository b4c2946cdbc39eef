#include "webrtc/data_transport.hpp"

namespace sb::webrtc {

Result<std::unique_ptr<DataTransport>> DataTransport::make(const DtlsIdentity& identity,
                                                           Options options, Handlers handlers) {
    std::unique_ptr<DataTransport> t(new DataTransport());
    DataTransport* self = t.get();
    t->handlers_ = std::move(handlers);

    SctpTransport::Handlers sctp;
    // RFC 8261 §4: each SCTP packet is the data of one DTLS record.
    sctp.send = [self](std::span<const std::byte> packet) { (void)self->dtls_->send(packet); };
    sctp.connected = [self] {
        if (self->handlers_.ready) self->handlers_.ready();
    };
    sctp.failed = [self](const Error& why) { self->fail(why); };
    sctp.writable = [self] {
        if (self->handlers_.writable) self->handlers_.writable();
    };
    options.sctp.mtu = options.dtls.mtu - kDtlsOverhead;
    auto made = SctpTransport::make(options.sctp, std::move(sctp));
    if (!made) return sb::fail(made.error());
    t->sctp_ = std::move(made).value();
    t->channels_.emplace(*t->sctp_, options.role, options.peerLargestMessage,
                         t->handlers_.channels);

    DtlsTransport::Handlers dtls;
    dtls.send = [self](std::span<const std::byte> d) {
        if (self->handlers_.send) self->handlers_.send(d);
    };
    dtls.connected = [self] { self->sctp_->start(); };
    dtls.received = [self](std::span<const std::byte> packet) { self->sctp_->receive(packet); };
    dtls.failed = [self](const Error& why) { self->fail(why); };
    dtls.closed = [self] { self->fail({Errc::closed, "DTLS: the peer closed the connection"}); };
    auto secured = DtlsTransport::make(identity, options.role, std::move(options.peerFingerprints),
                                       std::move(dtls), options.dtls);
    if (!secured) return sb::fail(secured.error());
    t->dtls_ = std::move(secured).value();
    return t;
}

void DataTransport::fail(const Error& why) {
    if (failed_) return;
    failed_ = true;
    if (handlers_.failed) handlers_.failed(why);
}

} // namespace sb::webrtc
