#include "session/sdes.hpp"

#include <fmt/format.h>

namespace sb::session {

std::optional<SdesKeys> acceptOffered(const sdp::Media& offered) {
    for (const auto& line : offered.cryptos()) {
        const auto suite = rtp::srtpSuiteByName(line.suite);
        if (!suite) continue;
        auto theirs = rtp::readKeyParams(*suite, line.keyParams);
        if (!theirs) continue; // §7.1.2.2: an unusable line is skipped, not fatal
        return SdesKeys{*suite, line.tag, std::move(theirs).value(), rtp::makeKeyParams(*suite)};
    }
    return std::nullopt;
}

std::vector<sdp::Crypto> offerKeys() {
    std::vector<sdp::Crypto> keys;
    std::uint32_t tag = 1;
    for (auto suite : {rtp::SrtpSuite::aesCm128HmacSha1_80, rtp::SrtpSuite::aesCm128HmacSha1_32,
                       rtp::SrtpSuite::aeadAes128Gcm})
        keys.push_back(
            {tag++, std::string(rtp::srtpSuiteName(suite)), rtp::makeKeyParams(suite), {}});
    return keys;
}

Result<SdesKeys> acceptAnswered(const sdp::Media& answered, const std::vector<sdp::Crypto>& ours) {
    const auto lines = answered.cryptos();
    if (lines.empty()) return fail(Errc::unsupported, "SRTP: the answer has no a=crypto line");
    const auto& line = lines.front();
    for (const auto& mine : ours) {
        if (mine.tag != line.tag || mine.suite != line.suite) continue;
        const auto suite = rtp::srtpSuiteByName(line.suite);
        auto theirs = rtp::readKeyParams(*suite, line.keyParams);
        if (!theirs) return fail(Errc::invalid_input, theirs.error().message);
        return SdesKeys{*suite, line.tag, std::move(theirs).value(), mine.keyParams};
    }
    return fail(Errc::unsupported,
                fmt::format("SRTP: the answer's a=crypto:{} {} is not one we offered", line.tag,
                            line.suite));
}

Result<void> secure(rtp::RtpStream& stream, const SdesKeys& keys) {
    auto ours = rtp::readKeyParams(keys.suite, keys.oursParams);
    if (!ours) return fail(ours.error());
    auto in =
        rtp::SrtpSession::make(keys.suite, keys.theirs, rtp::SrtpSession::Direction::unprotect);
    if (!in) return fail(in.error());
    auto out = rtp::SrtpSession::make(keys.suite, *ours, rtp::SrtpSession::Direction::protect);
    if (!out) return fail(out.error());
    stream.setSrtp(std::move(in).value(), std::move(out).value());
    return {};
}

} // namespace sb::session
