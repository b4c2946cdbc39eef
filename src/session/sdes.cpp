#include "session/sdes.hpp"

#include "core/log.hpp"

#include <fmt/format.h>

namespace sb::session {
namespace {

spdlog::logger& logger() {
    return log::get("media");
}

} // namespace

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

Result<void> secure(rtp::RtpStream& stream, const SdesKeys& keys,
                    const std::optional<SdesKeys>& before) {
    // A direction whose suite and master key stay keeps its context: a new one would start
    // the key's indices again (RFC 3711 §9.1: keystream reused) and its rollover counter at 0
    // (§3.3.1: every packet refused once the numbers had wrapped).
    const bool sameSuite = before && before->suite == keys.suite;
    const bool keepIn = sameSuite && before->theirs == keys.theirs;
    const bool keepOut = sameSuite && before->oursParams == keys.oursParams;
    std::unique_ptr<rtp::SrtpSession> in, out;
    if (!keepIn) {
        auto made =
            rtp::SrtpSession::make(keys.suite, keys.theirs, rtp::SrtpSession::Direction::unprotect);
        if (!made) return fail(made.error());
        in = std::move(made).value();
    }
    if (!keepOut) {
        auto ours = rtp::readKeyParams(keys.suite, keys.oursParams);
        if (!ours) return fail(ours.error());
        auto made = rtp::SrtpSession::make(keys.suite, *ours, rtp::SrtpSession::Direction::protect);
        if (!made) return fail(made.error());
        out = std::move(made).value();
    }
    if (in) stream.setSrtpIn(std::move(in));
    if (out) stream.setSrtpOut(std::move(out));
    return {};
}

void StreamKeys::offerOn(sdp::LocalStream& local) {
    if (settled_) {
        local.srtp = settledAs_;
        local.keys = {{settled_->tag,
                       std::string(rtp::srtpSuiteName(settled_->suite)),
                       settled_->oursParams,
                       {}}};
    } else {
        local.srtp = policy_;
        local.keys = policy_ == sdp::SrtpPolicy::off ? std::vector<sdp::Crypto>{} : offerKeys();
    }
    offeredPolicy_ = local.srtp;
    offeredKeys_ = local.keys;
}

Result<std::optional<SdesKeys>> StreamKeys::answered(const sdp::Media& answer) {
    pendingAs_ = offeredPolicy_;
    if (offeredPolicy_ == sdp::SrtpPolicy::off ||
        (offeredPolicy_ == sdp::SrtpPolicy::optional && answer.cryptos().empty()))
        return std::optional<SdesKeys>();
    auto keys = acceptAnswered(answer, offeredKeys_);
    if (!keys) return fail(keys.error());
    return std::optional(std::move(keys).value());
}

std::optional<SdesKeys> StreamKeys::offered(const sdp::Media& offer) {
    pendingAs_ = offer.proto.find("SAVP") != std::string::npos ? sdp::SrtpPolicy::required
                                                               : sdp::SrtpPolicy::optional;
    if (settled_)
        for (const auto& line : offer.cryptos()) {
            if (line.tag != settled_->tag || line.suite != rtp::srtpSuiteName(settled_->suite))
                continue;
            auto theirs = rtp::readKeyParams(settled_->suite, line.keyParams);
            if (theirs && *theirs == settled_->theirs) return settled_;
        }
    return acceptOffered(offer);
}

void StreamKeys::answerOn(sdp::LocalStream& local, const SdesKeys& keys) {
    // Its suite and tag, our key (RFC 4568 §7.1.2.2).
    local.srtp = sdp::SrtpPolicy::optional;
    local.keys = {{keys.tag, std::string(rtp::srtpSuiteName(keys.suite)), keys.oursParams, {}}};
}

Result<void> StreamKeys::key(rtp::RtpStream& stream, const std::optional<SdesKeys>& keys,
                             std::string_view name) {
    if (keys != settled_) {
        if (!keys) {
            stream.setSrtp(nullptr, nullptr);
        } else if (auto ok = secure(stream, *keys, settled_); !ok) {
            return ok;
        }
        logger().info("{}: {}", name,
                      keys ? fmt::format("SRTP {}", rtp::srtpSuiteName(keys->suite)) : "plain RTP");
    }
    settle(keys);
    return {};
}

bool StreamKeys::settle(const std::optional<SdesKeys>& keys) {
    const bool changed = keys != settled_;
    settled_ = keys;
    settledAs_ = keys ? pendingAs_ : sdp::SrtpPolicy::off;
    return changed;
}

} // namespace sb::session
