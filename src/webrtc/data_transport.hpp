#pragma once
// The DataChannel transport of one WebRTC peer connection: DTLS (dtls_transport.hpp) carrying
// SCTP (sctp_transport.hpp) carrying DataChannels (data_channels.hpp), wired together. Below it
// is ICE, which the owner runs: it hands each DTLS datagram that ICE received to receive() and
// sends what Handlers::send gives it. The SCTP association starts once DTLS is up.
//
// One thread, the owner's (that of every SctpTransport of the process).

#include "webrtc/data_channels.hpp"
#include "webrtc/dtls_transport.hpp"
#include "webrtc/sctp_transport.hpp"

#include <memory>
#include <optional>

namespace sb::webrtc {

class DataTransport {
public:
    struct Options {
        DtlsRole role = DtlsRole::client; // from a=setup (RFC 8842 §5.2)
        std::vector<Fingerprint> peerFingerprints;
        SctpTransport::Options sctp;              // ports from a=sctp-port, our max-message-size
        std::uint64_t peerLargestMessage = 65536; // the peer's a=max-message-size (0: no limit)
        DtlsTransport::Options dtls;
    };
    struct Handlers {
        std::function<void(std::span<const std::byte> datagram)> send; // to ICE
        std::function<void()> ready; // the DataChannels can be opened
        // SCTP's send buffer has room again after a send was refused for want of it
        // (Errc::incomplete): the bufferedAmount back-pressure of a sender.
        std::function<void()> writable;
        DataChannels::Handlers channels;
        std::function<void(const Error& why)> failed; // DTLS or SCTP failed; once
    };
    // DTLS 1.2's largest record overhead among the suites we allow (AEAD only): a 13-byte
    // header, and for AES-GCM an 8-byte explicit nonce and a 16-byte tag (RFC 5288 §3).
    static constexpr std::size_t kDtlsOverhead = 37;
    // Options::sctp.mtu is set from Options::dtls.mtu, less that overhead.
    static Result<std::unique_ptr<DataTransport>> make(const DtlsIdentity& identity,
                                                       Options options, Handlers handlers);

    void start() { dtls_->start(); }
    void receive(std::span<const std::byte> datagram) { dtls_->receive(datagram); }
    DataChannels& channels() { return *channels_; }
    DtlsTransport& dtls() { return *dtls_; }
    SctpTransport& sctp() { return *sctp_; }

private:
    DataTransport() = default;
    void fail(const Error& why);

    Handlers handlers_;
    // Destroyed in reverse: the channels, then SCTP (whose ABORT still goes out through DTLS),
    // then DTLS.
    std::unique_ptr<DtlsTransport> dtls_;
    std::unique_ptr<SctpTransport> sctp_;
    std::optional<DataChannels> channels_;
    bool failed_ = false;
};

} // namespace sb::webrtc
