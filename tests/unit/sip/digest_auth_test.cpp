// Digest authentication (RFC 8760, RFC 7616): known answers, challenge/verify round trips,
// stale nonces, replays and the failure limiter; time is passed in, never slept.
#include "sip/digest_auth.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace sb::sip {
namespace {

using namespace std::chrono_literals;
using Clock = DigestChallenger::Clock;

AuthValue auth(std::string_view value) {
    auto parsed = parseAuth(value, "Authorization");
    EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().message);
    return parsed.value();
}

// RFC 7616 §3.9.1: the same request answered with MD5 and with SHA-256.
TEST(DigestResponse, Rfc7616KnownAnswers) {
    DigestInput in;
    in.username = "Mufasa";
    in.realm = "http-auth@example.org";
    in.password = "Circle of Life";
    in.method = "GET";
    in.uri = "/dir/index.html";
    in.nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    in.nc = "00000001";
    in.cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    in.algorithm = DigestAlgorithm::md5;
    EXPECT_EQ(digestResponse(in), "8ca523f5e9506fed4657c9700eebdbec");
    in.algorithm = DigestAlgorithm::sha256;
    in.cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    EXPECT_EQ(digestResponse(in),
              "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

// RFC 2617 §3.5: without qop.
TEST(DigestResponse, Rfc2617WithoutQop) {
    DigestInput in;
    in.username = "Mufasa";
    in.realm = "testrealm@host.com";
    in.password = "Circle Of Life";
    in.method = "GET";
    in.uri = "/dir/index.html";
    in.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
    in.qopAuth = false;
    EXPECT_EQ(digestResponse(in), "670fd8c2df070c60b045671b8b24ff02");
}

class Challenger : public ::testing::Test {
protected:
    Clock::time_point now_ = Clock::time_point(1000000s);
    DigestChallenger challenger_{
        {"switchboard", 300s, {DigestAlgorithm::sha256, DigestAlgorithm::md5}}};
    DigestChallenger::PasswordLookup passwords_ = [](std::string_view user) {
        return user == "alice" ? std::optional<std::string>("secret") : std::nullopt;
    };

    std::string answer(const std::string& challenge, std::string_view password = "secret",
                       std::uint32_t nc = 1) {
        auto value = answerChallenge(auth(challenge), "INVITE", "sip:bob@example.org", "alice",
                                     password, "c0ffee", nc);
        EXPECT_TRUE(value) << (value ? "" : value.error().message);
        return value.value();
    }
    DigestChallenger::Outcome check(const std::string& credentials) {
        return challenger_.verify("INVITE", auth(credentials), passwords_, now_);
    }
};

TEST_F(Challenger, OffersSha256ThenMd5WithQopAuth) {
    const auto challenges = challenger_.challenges(now_);
    ASSERT_EQ(challenges.size(), 2u);
    EXPECT_NE(challenges[0].find("algorithm=SHA-256"), std::string::npos);
    EXPECT_NE(challenges[1].find("algorithm=MD5"), std::string::npos);
    EXPECT_NE(challenges[0].find("qop=\"auth\""), std::string::npos);
    EXPECT_EQ(challenges[0].find("stale"), std::string::npos);
    EXPECT_NE(challenger_.challenges(now_, true)[0].find("stale=true"), std::string::npos);
}

TEST_F(Challenger, RoundTripWithEitherAlgorithm) {
    std::uint32_t nc = 0; // both challenges carry the same nonce: the count must grow
    for (const auto& challenge : challenger_.challenges(now_)) {
        const auto outcome = check(answer(challenge, "secret", ++nc));
        EXPECT_EQ(outcome.verdict, DigestChallenger::Verdict::ok) << outcome.reason;
        EXPECT_EQ(outcome.username, "alice");
    }
}

TEST_F(Challenger, WrongPasswordUnknownUserAndForeignNonceAreBad) {
    const auto challenge = challenger_.challenges(now_)[0];
    EXPECT_EQ(check(answer(challenge, "guess")).reason, "Authorization: wrong response (password)");
    auto unknown = answer(challenge);
    unknown.replace(unknown.find("alice"), 5, "mallory");
    EXPECT_EQ(check(unknown).reason, "Authorization: unknown username");
    DigestChallenger other({"switchboard", 300s, {DigestAlgorithm::sha256}});
    EXPECT_EQ(check(answer(other.challenges(now_)[0])).reason,
              "Authorization: nonce is not one of ours");
}

TEST_F(Challenger, OldNonceIsStaleNotBad) {
    const auto credentials = answer(challenger_.challenges(now_)[0]);
    now_ += 301s;
    EXPECT_EQ(check(credentials).verdict, DigestChallenger::Verdict::stale);
}

TEST_F(Challenger, ReplayedCountIsBad) {
    const auto challenge = challenger_.challenges(now_)[0];
    EXPECT_EQ(check(answer(challenge, "secret", 1)).verdict, DigestChallenger::Verdict::ok);
    EXPECT_EQ(check(answer(challenge, "secret", 1)).reason, "Authorization: nc replayed");
    EXPECT_EQ(check(answer(challenge, "secret", 2)).verdict, DigestChallenger::Verdict::ok);
}

TEST_F(Challenger, MissingParametersAreNamed) {
    const auto good = answer(challenger_.challenges(now_)[0]);
    for (std::string_view name : {"username", "realm", "nonce", "uri", "response", "cnonce"}) {
        std::string cut = good;
        const auto at = cut.find(std::string(name) + "=");
        ASSERT_NE(at, std::string::npos);
        const auto end = cut.find(", ", at);
        cut.erase(at, end == std::string::npos ? std::string::npos : end + 2 - at);
        if (cut.ends_with(", ")) cut.resize(cut.size() - 2);
        EXPECT_EQ(check(cut).reason, fmt::format("Authorization: missing '{}'", name)) << cut;
    }
    EXPECT_EQ(check("Basic realm=\"switchboard\"").reason,
              "Authorization: the scheme is not Digest");
}

TEST_F(Challenger, OtherRealmAndUnofferedAlgorithmAreBad) {
    DigestChallenger md5Only({"switchboard", 300s, {DigestAlgorithm::md5}});
    const auto sha = answer(challenger_.challenges(now_)[0]);
    EXPECT_EQ(md5Only.verify("INVITE", auth(sha), passwords_, now_).reason,
              "Authorization: algorithm is not one we offered");
    auto other = sha;
    other.replace(other.find("realm=\"switchboard\""), 19, "realm=\"elsewhere\"");
    EXPECT_EQ(check(other).reason, "Authorization: realm is not ours");
}

TEST(AnswerChallenge, PrefersSha256AndCopiesOpaque) {
    std::vector<AuthValue> challenges{
        auth("Digest realm=\"r\", nonce=\"n1\", algorithm=MD5, qop=\"auth\""),
        auth("Digest realm=\"r\", nonce=\"n2\", algorithm=SHA-256, qop=\"auth,auth-int\", "
             "opaque=\"xyz\"")};
    const AuthValue* best = preferredChallenge(challenges);
    ASSERT_NE(best, nullptr);
    EXPECT_EQ(best->param("nonce"), "n2");
    auto value = answerChallenge(*best, "INVITE", "sip:b@c", "u", "p", "cn");
    ASSERT_TRUE(value);
    EXPECT_NE(value->find("algorithm=SHA-256"), std::string::npos);
    EXPECT_NE(value->find("opaque=\"xyz\""), std::string::npos);
    EXPECT_NE(value->find("nc=00000001"), std::string::npos);
}

TEST(AnswerChallenge, RefusesWhatItCannotAnswer) {
    EXPECT_FALSE(answerChallenge(auth("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256"),
                                 "INVITE", "sip:b@c", "u", "p", "cn"));
    EXPECT_FALSE(answerChallenge(auth("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\""),
                                 "INVITE", "sip:b@c", "u", "p", "cn"));
    EXPECT_FALSE(answerChallenge(auth("Digest nonce=\"n\""), "INVITE", "sip:b@c", "u", "p", "cn"));
    std::vector<AuthValue> none{auth("Basic realm=\"r\"")};
    EXPECT_EQ(preferredChallenge(none), nullptr);
}

TEST(FailureLimiter, BlocksAfterTheBurstAndRefills) {
    FailureLimiter limiter(3, 10s);
    Clock::time_point now(1000s);
    EXPECT_TRUE(limiter.allowed("192.0.2.1", now));
    for (int i = 0; i < 3; ++i)
        limiter.failed("192.0.2.1", now);
    EXPECT_FALSE(limiter.allowed("192.0.2.1", now));
    EXPECT_TRUE(limiter.allowed("192.0.2.2", now)); // per source
    EXPECT_TRUE(limiter.allowed("192.0.2.1", now + 10s));
}

TEST(FailureLimiter, StaysBounded) {
    FailureLimiter limiter(1, 60s, 2);
    Clock::time_point now(1000s);
    limiter.failed("a", now);
    limiter.failed("b", now + 1s);
    limiter.failed("c", now + 2s); // "a" goes
    EXPECT_TRUE(limiter.allowed("a", now + 2s));
    EXPECT_FALSE(limiter.allowed("c", now + 2s));
}

} // namespace
} // namespace sb::sip
