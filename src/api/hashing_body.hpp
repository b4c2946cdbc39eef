#pragma once
// A request body taken as it arrives (Router::setBodyLimit with a spool directory): each piece
// the parser reads is added to the SHA-256 and written to a spool file (core/spool_file.hpp)
// that the handler then owns, so that a large upload (an evidence file) is hashed while it is
// received and never held in memory, rather than read whole into a string and hashed after.
// A Body of Boost.Beast's (its reader is what the parser feeds); the parser's body limit still
// holds. The writes are the API thread's, which serves no packets and no control loop.

#include "api/http_types.hpp"

#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>
#include <cstddef>
#include <memory>
#include <openssl/evp.h>
#include <string>

namespace sb::api {

struct HashingBody {
    using value_type = StreamedBody;

    class reader {
    public:
        template <bool isRequest, class Fields>
        reader(boost::beast::http::header<isRequest, Fields>&, value_type& body) : body_(body) {}

        void init(const boost::optional<std::uint64_t>& length, boost::system::error_code& ec) {
            if (!context_ || EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr) != 1) {
                ec = make_error_code(boost::system::errc::not_enough_memory);
                return;
            }
            auto spool = SpoolFile::create(body_.directory);
            if (!spool) return refuse(spool.error().message, ec);
            body_.spool = std::make_shared<SpoolFile>(std::move(spool).value());
            ec = {};
        }

        template <class ConstBufferSequence>
        std::size_t put(const ConstBufferSequence& buffers, boost::system::error_code& ec) {
            std::size_t taken = 0;
            for (const auto buffer : boost::beast::buffers_range_ref(buffers)) {
                const auto* data = static_cast<const std::byte*>(buffer.data());
                EVP_DigestUpdate(context_.get(), data, buffer.size());
                if (auto written = body_.spool->append({data, buffer.size()}); !written) {
                    refuse(written.error().message, ec);
                    return taken;
                }
                taken += buffer.size();
            }
            ec = {};
            return taken;
        }

        void finish(boost::system::error_code& ec) {
            unsigned char digest[EVP_MAX_MD_SIZE];
            unsigned int length = 0;
            EVP_DigestFinal_ex(context_.get(), digest, &length);
            static constexpr char kHex[] = "0123456789abcdef";
            body_.sha256.clear();
            for (unsigned int i = 0; i < length; ++i) {
                body_.sha256 += kHex[digest[i] >> 4];
                body_.sha256 += kHex[digest[i] & 15];
            }
            ec = {};
        }

    private:
        // The spool failed (a full disk): the reading stops, and the server answers 507.
        void refuse(std::string why, boost::system::error_code& ec) {
            body_.error = std::move(why);
            ec = make_error_code(boost::system::errc::io_error);
        }
        struct Free {
            void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
        };
        value_type& body_;
        std::unique_ptr<EVP_MD_CTX, Free> context_{EVP_MD_CTX_new()};
    };
};

} // namespace sb::api
