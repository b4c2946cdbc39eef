// Digest authentication at the B2BUA's two edges (RFC 3261 §22): inbound calls are challenged
// when configured, with failed attempts limited per source address; a far end's 401 or 407 is
// answered once with the credentials configured for its realm.

#include "core/log.hpp"
#include "sip/b2bua.hpp"
#include "sip/b2bua_call.hpp"

#include <fmt/format.h>

namespace sb::sip {
namespace {

spdlog::logger& logger() {
    return log::get("sip");
}

} // namespace

bool B2bua::authenticateCaller(TransactionId server, const Message& invite,
                               const std::string& source) {
    if (!challenger_) return true;
    const auto now = DigestChallenger::Clock::now();
    if (!authFailures_.allowed(source, now)) {
        ++stats_.failuresByStatus[403];
        respondSimple(server, invite, 403, "Forbidden (too many failed authentications)");
        return false;
    }
    auto challenge = [&](bool stale) {
        auto w = responseTo(invite, 401, "Unauthorized", newToken());
        for (const auto& value : challenger_->challenges(now, stale))
            w.header(HeaderId::www_authenticate, value);
        w.header(HeaderId::server, options_.userAgent);
        layer_.respond(server, 401, w.finish());
        return false;
    };
    const auto header = invite.header(HeaderId::authorization);
    if (!header) return challenge(false);
    auto credentials = parseAuth(*header, "Authorization");
    if (!credentials) {
        respondSimple(server, invite, 400,
                      sanitizeReason("Bad Request (" + credentials.error().message + ")"));
        return false;
    }
    const auto& users = options_.auth.users;
    const auto outcome = challenger_->verify(
        "INVITE", *credentials,
        [&](std::string_view user) -> std::optional<std::string> {
            auto found = users.find(std::string(user));
            if (found == users.end()) return std::nullopt;
            return found->second;
        },
        now);
    switch (outcome.verdict) {
    case DigestChallenger::Verdict::ok:
        return true;
    case DigestChallenger::Verdict::stale:
        return challenge(true); // RFC 7616 §3.3: the same credentials, a new nonce
    case DigestChallenger::Verdict::bad:
        break;
    }
    authFailures_.failed(source, now);
    ++stats_.authFailures;
    SB_WARN_RATE_LIMITED(logger(), "authentication from {} failed: {}", source, outcome.reason);
    return challenge(false);
}

bool B2bua::retryWithCredentials(Call& call, const Message& response) {
    if (call.bAuthTried) return false;
    // A bridged call's INVITE is built from its caller's again; a placed call's from its spec.
    const Message* invite =
        call.placed() || call.aInvite == 0 ? nullptr : layer_.request(call.aInvite);
    if (!call.placed() && !invite) return false;
    const bool proxy = response.status() == 407;
    const HeaderId challengeHeader =
        proxy ? HeaderId::proxy_authenticate : HeaderId::www_authenticate;
    std::vector<AuthValue> challenges;
    for (const auto& f : response.headers())
        if (f.id == challengeHeader)
            if (auto parsed = parseAuth(f.value, canonicalName(f.id)))
                challenges.push_back(*parsed);
    const AuthValue* challenge = preferredChallenge(challenges);
    if (!challenge) return false;
    const std::string_view realm = challenge->param("realm").value_or("");
    const auto& credentials = options_.auth.credentials;
    const auto credential = std::find_if(credentials.begin(), credentials.end(), [&](auto& c) {
        return c.realm.empty() || c.realm == realm;
    });
    if (credential == credentials.end()) {
        logger().info("call {}: no credentials for realm '{}'", call.tag(), realm);
        return false;
    }
    // §22.2: the same request again, from the start of B's path, with the next CSeq.
    rewindOutboundLeg(call);
    auto answer = answerChallenge(*challenge, "INVITE", call.bTarget, credential->username,
                                  credential->password, newToken());
    if (!answer) {
        logger().info("call {}: cannot answer the challenge: {}", call.tag(),
                      answer.error().message);
        return false;
    }
    call.bAuthTried = true;
    logger().info("call {}: answering the {} challenge for realm '{}'", call.tag(),
                  response.status(), realm);
    const HeaderId header = proxy ? HeaderId::proxy_authorization : HeaderId::authorization;
    return invite ? sendOutboundInvite(call, *invite, std::move(answer).value(), header)
                  : sendPlacedInvite(call, std::move(answer).value(), header);
}

} // namespace sb::sip
