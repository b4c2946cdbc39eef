#include "sip/room_legs.hpp"

#include "sip/header_policy.hpp"
#include "sip/headers.hpp"
#include "sip/syntax.hpp"
#include "sip/uri.hpp"

#include <cctype>
#include <fmt/format.h>

namespace sb::sip {

namespace {

// A From for a call placed for another (a gateway's caller, RFC 3261 §20.20): its display name
// quoted and its user part escaped (§25.1: user-unreserved, else %XX), at our own From's host.
std::string fromFor(const room::Caller& caller, std::string_view ours) {
    std::string_view host = "localhost";
    if (auto parsed = parseNameAddr(ours, "From"); parsed && !parsed->uri.host.empty())
        host = parsed->uri.host;
    std::string out;
    if (!caller.display.empty()) {
        out += '"';
        for (char c : caller.display) {
            if (c == '"' || c == '\\') out += '\\';
            if (static_cast<unsigned char>(c) >= 0x20) out += c;
        }
        out += "\" ";
    }
    out += "<sip:";
    std::string_view user = caller.user.empty() ? std::string_view("anonymous") : caller.user;
    for (unsigned char c : user) {
        if (std::isalnum(c) || std::string_view("-_.!~*'()&=+$,;?/").find(static_cast<char>(c)) !=
                                   std::string_view::npos)
            out += static_cast<char>(c);
        else
            out += fmt::format("%{:02X}", c);
    }
    return fmt::format("{}@{}>", out, host);
}

} // namespace

class RoomLegs::CallLeg final : public room::Leg {
public:
    CallLeg(RoomLegs& owner, room::LegId id, room::LegSink& sink)
        : owner_(owner), id_(id), sink_(sink) {
        owner_.legs_.emplace(id_, this);
    }
    ~CallLeg() override {
        hangUp();
        owner_.legs_.erase(id_);
        if (auto a = owner_.answered_.find(call_); a != owner_.answered_.end() && a->second == id_)
            owner_.answered_.erase(a);
    }
    CallLeg(const CallLeg&) = delete;
    CallLeg& operator=(const CallLeg&) = delete;

    void hangUp() override {
        if (call_ && !ended_) owner_.b2bua_.hangUp(call_); // idempotent in the B2BUA
    }
    std::string describe() const override { return fmt::format("sip call {}", call_); }
    room::Caller caller() const override { return owner_.b2bua_.callerOf(call_); }
    Result<void> reoffer(std::string offer, Answered done) override {
        // The answer reaches `done` only while this leg lives (the room that asked may go).
        return owner_.b2bua_.reoffer(
            call_, std::move(offer),
            [&owner = owner_, id = id_, done = std::move(done)](Result<std::string> answer) {
                if (owner.legs_.contains(id)) done(std::move(answer));
            });
    }

    Result<void> sendText(std::string_view text) override {
        return owner_.b2bua_.sendText(call_, text);
    }
    Result<void> sendDigit(char digit, std::chrono::milliseconds duration) override {
        return owner_.b2bua_.sendDigit(call_, digit, duration);
    }

    // A call that waits (ConferenceRooms::bridgeTo): what its room tells its caller.
    void alert(bool, std::string_view earlyAnswer) override {
        if (owner_.b2bua_.ringing(call_, earlyAnswer))
            sink_.onLegEvent(id_, {room::LegEvent::Kind::ringing,
                                   earlyAnswer.empty() ? 180 : 183,
                                   "ringing its caller",
                                   {}});
    }
    void accept(std::string_view answer) override {
        if (owner_.b2bua_.answer(call_, std::string(answer)))
            sink_.onLegEvent(id_, {room::LegEvent::Kind::answered, 200, "answered its caller", {}});
    }
    void release(int status, std::string_view reason, std::string_view cause) override {
        if (!call_ || ended_) return;
        // Still waiting for its answer: the final response; else a BYE (or CANCEL).
        if (!owner_.b2bua_.refuse(call_, status, reason, cause)) owner_.b2bua_.hangUp(call_, cause);
    }

    void bind(std::uint64_t call) { call_ = call; } // the B2BUA's call behind the leg
    room::LegSink& sink() { return sink_; }
    void ended() { ended_ = true; }

private:
    RoomLegs& owner_;
    room::LegId id_;
    room::LegSink& sink_;
    std::uint64_t call_ = 0;
    bool ended_ = false;
};

RoomLegs::~RoomLegs() = default;

bool RoomLegs::securesSignalling(std::string_view target) const {
    auto uri = parseUri(target);
    if (!uri) return false;
    const auto transport = uri->params.get("transport");
    return uri->scheme == UriScheme::sips || (transport && syntax::iequals(*transport, "tls"));
}

Result<std::unique_ptr<room::Leg>> RoomLegs::place(room::LegId id, const room::Dial& dial,
                                                   room::LegSink& sink) {
    OutboundCallSpec spec;
    spec.target = dial.target;
    spec.from = dial.caller.empty() ? from_ : fromFor(dial.caller, from_);
    for (const auto& [name, value] : dial.tags)
        spec.headers.emplace_back("X-IF-" + name, value);
    if (!dial.offer.empty()) {
        spec.body = dial.offer;
        spec.contentType = "application/sdp";
    }
    spec.answerOffer = [this, id](std::string_view offer, OfferAnswered reply) {
        onOffer(id, offer, std::move(reply));
    };
    spec.digit = [this, id](char digit, std::chrono::milliseconds duration) {
        onDigit(id, digit, duration);
    };
    spec.pictureUpdate = [this, id] { onPictureLoss(id); };
    auto leg = std::make_unique<CallLeg>(*this, id, sink);
    auto call = b2bua_.placeCall(
        std::move(spec),
        [this, id](std::uint64_t, const OutboundCallEvent& event) { onEvent(id, event); });
    if (!call) return fail(call.error());
    leg->bind(*call);
    return std::unique_ptr<room::Leg>(std::move(leg));
}

std::unique_ptr<room::Leg> RoomLegs::answered(std::uint64_t call, room::LegId id,
                                              room::LegSink& sink) {
    auto leg = std::make_unique<CallLeg>(*this, id, sink);
    leg->bind(call);
    answered_[call] = id;
    return leg;
}

void RoomLegs::refuse(std::uint64_t call, const Error& why) {
    (void)b2bua_.refuse(call, why.code == Errc::too_large ? 503 : 488, why.message, "");
}

void RoomLegs::offered(std::uint64_t call, std::string_view offer, OfferAnswered reply) {
    auto found = answered_.find(call);
    if (found == answered_.end()) return reply(fail(Errc::closed, "the call has left its room"));
    onOffer(found->second, offer, std::move(reply));
}

void RoomLegs::digit(std::uint64_t call, char digit, std::chrono::milliseconds duration) {
    if (auto found = answered_.find(call); found != answered_.end())
        onDigit(found->second, digit, duration);
}

void RoomLegs::pictureUpdate(std::uint64_t call) {
    if (auto found = answered_.find(call); found != answered_.end()) onPictureLoss(found->second);
}

void RoomLegs::onPictureLoss(room::LegId id) {
    if (auto found = legs_.find(id); found != legs_.end()) found->second->sink().onPictureLoss(id);
}

void RoomLegs::onDigit(room::LegId id, char digit, std::chrono::milliseconds duration) {
    if (auto found = legs_.find(id); found != legs_.end())
        found->second->sink().onDigit(id, digit, duration);
}

void RoomLegs::ended(std::uint64_t call, std::string_view cause) {
    auto found = answered_.find(call);
    if (found == answered_.end()) return;
    onEvent(found->second,
            {OutboundCallEvent::Kind::ended, 0, "the call ended", {}, {}, std::string(cause)});
}

void RoomLegs::onEvent(room::LegId id, const OutboundCallEvent& event) {
    auto found = legs_.find(id);
    if (found == legs_.end()) return;
    CallLeg& leg = *found->second;
    using Kind = OutboundCallEvent::Kind;
    room::LegEvent out{room::LegEvent::Kind::ended, event.status, event.reason, {}, event.cause};
    switch (event.kind) {
    case Kind::ringing: // a 183's answer is early media
        out.kind = room::LegEvent::Kind::ringing;
        out.answer = isSdpType(event.contentType) ? event.body : std::string();
        break;
    case Kind::answered:
        out.kind = room::LegEvent::Kind::answered;
        out.answer = isSdpType(event.contentType) ? event.body : std::string();
        break;
    case Kind::ended:
        leg.ended(); // the B2BUA has let the call go: nothing to hang up any more
        break;
    }
    leg.sink().onLegEvent(id, std::move(out));
}

void RoomLegs::onOffer(room::LegId id, std::string_view offer, OfferAnswered reply) {
    auto found = legs_.find(id);
    if (found == legs_.end()) return reply(fail(Errc::closed, "the call has left its room"));
    found->second->sink().onLegOffer(id, offer, std::move(reply));
}

} // namespace sb::sip
