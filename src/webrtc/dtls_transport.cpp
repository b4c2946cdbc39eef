#include "webrtc/dtls_transport.hpp"

#include "webrtc/demux.hpp"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace sb::webrtc {
namespace {

// RFC 5764 §4.1.2: the profiles we offer, the ones our SRTP (libsrtp2) protects with: a 128-bit
// AES key and a 112-bit salt each (§4.2), 80-bit tags first as every browser prefers.
constexpr const char* kSrtpProfiles = "SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32";
constexpr std::size_t kSrtpKey = 16, kSrtpSalt = 14;
// A DTLS record carries at most 2^14 bytes of data (RFC 6347 §4.1, RFC 5246 §6.2.1).
constexpr std::size_t kLargestRecord = 16384;

Error sslError(std::string_view what) {
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    char text[256] = "no detail";
    if (code != 0) ERR_error_string_n(code, text, sizeof text);
    return {Errc::invalid_input, fmt::format("DTLS: {}: {}", what, text)};
}

// Each BIO_write of OpenSSL's DTLS is one datagram: the handlers get them one by one.
BIO_METHOD* datagramMethod(int (*write)(BIO*, const char*, int),
                           long (*control)(BIO*, int, long, void*)) {
    static BIO_METHOD* method = [&] {
        BIO_METHOD* m =
            BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "switchboard DTLS datagrams");
        BIO_meth_set_write(m, write);
        BIO_meth_set_ctrl(m, control);
        BIO_meth_set_create(m, [](BIO* b) {
            BIO_set_init(b, 1);
            return 1;
        });
        return m;
    }();
    return method;
}

} // namespace

std::vector<std::uint8_t> SrtpKeying::localKeyAndSalt(DtlsRole role) const {
    auto out = role == DtlsRole::client ? clientKey : serverKey;
    const auto& salt = role == DtlsRole::client ? clientSalt : serverSalt;
    out.insert(out.end(), salt.begin(), salt.end());
    return out;
}

std::vector<std::uint8_t> SrtpKeying::remoteKeyAndSalt(DtlsRole role) const {
    return localKeyAndSalt(role == DtlsRole::client ? DtlsRole::server : DtlsRole::client);
}

void DtlsTransport::FreeSsl::operator()(SSL* s) const noexcept {
    SSL_free(s);
}

void DtlsTransport::FreeContext::operator()(SSL_CTX* c) const noexcept {
    SSL_CTX_free(c);
}

DtlsTransport::DtlsTransport(DtlsRole role, std::vector<Fingerprint> peer, Handlers handlers)
    : role_(role), peer_(std::move(peer)), handlers_(std::move(handlers)) {}

DtlsTransport::~DtlsTransport() = default;

Result<std::unique_ptr<DtlsTransport>> DtlsTransport::make(const DtlsIdentity& identity,
                                                           DtlsRole role,
                                                           std::vector<Fingerprint> peer,
                                                           Handlers handlers, Options options) {
    std::unique_ptr<DtlsTransport> t(new DtlsTransport(role, std::move(peer), std::move(handlers)));
    t->options_ = options;
    t->context_.reset(SSL_CTX_new(DTLS_method()));
    SSL_CTX* ctx = t->context_.get();
    if (!ctx) return sb::fail(sslError("a context"));
    // RFC 8827 §6.5: DTLS 1.2 at least, and TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, which
    // every WebRTC stack implements; AEAD suites only, so that a record's overhead is at most
    // DataTransport::kDtlsOverhead (an RSA-certified peer, as Janus can be, is also taken).
    // The peer's self-signed certificate is accepted by the handshake and then held against its
    // described fingerprint (handshakeDone()).
    if (SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) != 1 ||
        SSL_CTX_use_certificate(ctx, identity.certificate()) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, identity.key()) != 1 ||
        SSL_CTX_set_cipher_list(ctx,
                                "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
                                "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:"
                                "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305") != 1 ||
        SSL_CTX_set_tlsext_use_srtp(ctx, kSrtpProfiles) != 0) // 0 is success here
        return sb::fail(sslError("the context's settings"));
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       [](int, X509_STORE_CTX*) { return 1; });
    t->ssl_.reset(SSL_new(ctx));
    SSL* ssl = t->ssl_.get();
    if (!ssl) return sb::fail(sslError("a session"));
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(datagramMethod(&DtlsTransport::writeDatagram, &DtlsTransport::control));
    if (!in || !out) {
        BIO_free(in);
        BIO_free(out);
        return sb::fail(sslError("its BIOs"));
    }
    BIO_set_mem_eof_return(in, -1); // nothing to read yet: try again, not end of file
    BIO_set_data(out, t.get());
    SSL_set_bio(ssl, in, out);
    t->incoming_ = in;
    // Our MTU, not the kernel's: there is no socket to ask.
    SSL_set_options(ssl, SSL_OP_NO_QUERY_MTU);
    DTLS_set_link_mtu(ssl, static_cast<long>(options.mtu));
    SSL_set_app_data(ssl, t.get());
    DTLS_set_timer_cb(ssl, [](SSL* s, unsigned int previousUs) -> unsigned int {
        const auto* self = static_cast<const DtlsTransport*>(SSL_get_app_data(s));
        const auto first = static_cast<unsigned int>(
            std::chrono::microseconds(self->options_.firstRetransmit).count());
        return previousUs == 0 ? first : std::min(previousUs * 2, 60'000'000u);
    });
    if (role == DtlsRole::client)
        SSL_set_connect_state(ssl);
    else
        SSL_set_accept_state(ssl);
    return t;
}

int DtlsTransport::writeDatagram(BIO* bio, const char* data, int size) {
    auto* self = static_cast<DtlsTransport*>(BIO_get_data(bio));
    if (size <= 0) return 0;
    if (self->handlers_.send)
        self->handlers_.send(
            {reinterpret_cast<const std::byte*>(data), static_cast<std::size_t>(size)});
    return size;
}

long DtlsTransport::control(BIO* bio, int command, long, void*) {
    auto* self = static_cast<DtlsTransport*>(BIO_get_data(bio));
    switch (command) {
    case BIO_CTRL_FLUSH:
        return 1;
    case BIO_CTRL_DGRAM_QUERY_MTU:
    case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
        return static_cast<long>(self->options_.mtu);
    default:
        return 0; // nothing pending, no overhead to report, no peer address to set
    }
}

void DtlsTransport::start() {
    if (state_ != State::idle) return;
    state_ = State::handshaking;
    if (role_ == DtlsRole::client) drive();
}

void DtlsTransport::receive(std::span<const std::byte> datagram) {
    if (state_ == State::idle) state_ = State::handshaking; // a server's first ClientHello
    if (state_ != State::handshaking && state_ != State::connected) return;
    if (!checkDtlsRecords(datagram)) {
        ++dropped_;
        return;
    }
    if (BIO_write(incoming_, datagram.data(), static_cast<int>(datagram.size())) <= 0)
        return fail(sslError("taking a datagram in"));
    drive();
}

void DtlsTransport::drive() {
    SSL* ssl = ssl_.get();
    if (state_ == State::handshaking) {
        const int r = SSL_do_handshake(ssl);
        if (r != 1) {
            const int e = SSL_get_error(ssl, r);
            if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
                fail(sslError("the handshake failed"));
            return;
        }
        handshakeDone();
    }
    std::byte buffer[kLargestRecord];
    while (state_ == State::connected) {
        const int n = SSL_read(ssl, buffer, sizeof buffer);
        if (n > 0) {
            if (handlers_.received) handlers_.received({buffer, static_cast<std::size_t>(n)});
            continue;
        }
        const int e = SSL_get_error(ssl, n);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return;
        if (e == SSL_ERROR_ZERO_RETURN) { // the peer's close_notify
            state_ = State::closed;
            if (handlers_.closed) handlers_.closed();
            return;
        }
        return fail(sslError("reading"));
    }
}

void DtlsTransport::handshakeDone() {
    SSL* ssl = ssl_.get();
    if (auto ok = verifyFingerprint(SSL_get0_peer_certificate(ssl), peer_); !ok) {
        // RFC 8122 §5: the association must not be used; tell the peer why it ends.
        SSL_shutdown(ssl);
        return fail(ok.error());
    }
    if (const SRTP_PROTECTION_PROFILE* profile = SSL_get_selected_srtp_profile(ssl)) {
        std::uint8_t material[2 * (kSrtpKey + kSrtpSalt)];
        static constexpr char kLabel[] = "EXTRACTOR-dtls_srtp"; // RFC 5764 §4.2
        if (SSL_export_keying_material(ssl, material, sizeof material, kLabel, sizeof kLabel - 1,
                                       nullptr, 0, 0) != 1)
            return fail(sslError("exporting the SRTP keys"));
        // §4.2: client key, server key, client salt, server salt.
        const std::uint8_t* at = material;
        auto take = [&at](std::size_t n) {
            std::vector<std::uint8_t> v(at, at + n);
            at += n;
            return v;
        };
        SrtpKeying keys;
        keys.profile = profile->name;
        keys.clientKey = take(kSrtpKey);
        keys.serverKey = take(kSrtpKey);
        keys.clientSalt = take(kSrtpSalt);
        keys.serverSalt = take(kSrtpSalt);
        srtp_ = std::move(keys);
    }
    state_ = State::connected;
    if (handlers_.connected) handlers_.connected();
}

Result<void> DtlsTransport::send(std::span<const std::byte> data) {
    if (state_ != State::connected) return sb::fail(Errc::incomplete, "DTLS: not connected");
    if (data.size() > kLargestRecord)
        return sb::fail(Errc::too_large,
                        fmt::format("DTLS: {} bytes, more than a record holds", data.size()));
    if (SSL_write(ssl_.get(), data.data(), static_cast<int>(data.size())) <= 0) {
        Error why = sslError("writing");
        fail(why);
        return sb::fail(std::move(why));
    }
    return {};
}

std::optional<std::chrono::milliseconds> DtlsTransport::nextTimeout() const {
    timeval tv{};
    if (state_ != State::handshaking || DTLSv1_get_timeout(ssl_.get(), &tv) != 1)
        return std::nullopt;
    return std::chrono::milliseconds(tv.tv_sec * 1000 + tv.tv_usec / 1000);
}

void DtlsTransport::onTimeout() {
    if (state_ != State::handshaking) return;
    // RFC 6347 §4.2.4: the flight again, with the timer doubled; OpenSSL gives up after 12.
    if (DTLSv1_handle_timeout(ssl_.get()) < 0) fail(sslError("the peer did not answer"));
}

void DtlsTransport::close() {
    if (state_ == State::connected) SSL_shutdown(ssl_.get());
    if (state_ != State::failed) state_ = State::closed;
}

void DtlsTransport::fail(const Error& why) {
    if (state_ == State::failed) return;
    state_ = State::failed;
    if (handlers_.failed) handlers_.failed(why);
}

} // namespace sb::webrtc
