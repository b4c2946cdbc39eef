#include "h323/call_legs.hpp"

#include "h323/audio_sdp.hpp"
#include "h323/q850.hpp"
#include "sdp/offer_answer.hpp"

#include <algorithm>
#include <asio/post.hpp>
#include <cctype>
#include <charconv>
#include <fmt/format.h>
#include <limits>

namespace sb::h323 {

namespace {

// How long a digit is held when the far end does not say (H.245's signal duration is optional).
constexpr std::uint16_t kDigitMs = 250;

bool isDigit(char c) {
    return (c >= '0' && c <= '9') || c == '*' || c == '#' || (c >= 'A' && c <= 'D');
}

// Q.850 causes a leg releases its call with.
constexpr std::uint8_t kNormalClearing = 16, kTemporaryFailure = 41, kBearerNotImplemented = 65;
constexpr int kMostForwards = 5; // a call forwarded more often is in a loop

// An H.225.0 transport address as the endpoint connects to it, and back.
asio::ip::tcp::endpoint endpointOf(const h225::TransportAddress& address) {
    return {asio::ip::address_v4(address.ip), address.port};
}

h225::TransportAddress transportOf(const asio::ip::tcp::endpoint& endpoint) {
    h225::TransportAddress address;
    address.ip = endpoint.address().to_v4().to_bytes();
    address.port = endpoint.port();
    return address;
}

// What an arrived call's admission asks for before its codec is known: G.711 both ways. It is
// told again (BRQ) once the audio is agreed.
constexpr std::uint32_t kAnsweringBandwidth = 1280;

} // namespace

// One call as a room's leg: it answers the room's offer with the audio its call agrees, once
// the call is connected.
class CallLeg final : public room::Leg {
public:
    // `call` 0: none yet (placed() gives it, once admitted).
    CallLeg(CallLegs& legs, std::uint64_t call, room::LegId id, room::LegSink& sink,
            std::string offer, std::string description,
            std::vector<h225::AliasAddress> destination = {}, h225::Tags tags = {},
            Call::Caller caller = {})
        : legs_(legs), call_(call), id_(id), sink_(sink), offer_(std::move(offer)),
          description_(std::move(description)), destination_(std::move(destination)),
          tags_(std::move(tags)), caller_(std::move(caller)) {
        if (call_ != 0) legs_.legs_[call_] = this;
    }
    ~CallLeg() override {
        legs_.legs_.erase(call_); // the room hears nothing more of it
        stopAwaiting();
        release(kNormalClearing);
    }
    CallLeg(const CallLeg&) = delete;
    CallLeg& operator=(const CallLeg&) = delete;

    void hangUp() override {
        hungUp_ = true;
        stopAwaiting();
        release(kNormalClearing);
    }
    // The leg it is joined to ended (a gateway's call): released with that leg's Q.850 cause,
    // or with RFC 3398 §8.2.6.1's for its SIP status.
    void release(int status, std::string_view, std::string_view cause) override {
        hungUp_ = true;
        stopAwaiting();
        release(q850Of(cause).value_or(status >= 300 ? causeOf(status) : kNormalClearing));
    }
    std::string describe() const override {
        return call_ == 0 ? fmt::format("h323 call {}", description_)
                          : fmt::format("h323 call {} {}", call_, description_);
    }
    // An arrived call's caller, as its Setup named it.
    room::Caller caller() const override {
        const Call* call = call_ == 0 ? nullptr : legs_.endpoint_->call(call_);
        if (!call) return {};
        room::Caller out{{}, call->peerCaller().display};
        if (!call->peerCaller().aliases.empty())
            out.user = textOf(call->peerCaller().aliases.front());
        return out;
    }
    // Whom a placed call calls for (Dial::caller).
    const Call::Caller& callingFor() const noexcept { return caller_; }
    // Its admission is asked (CallLegs::awaiting_), then its call placed, or it is refused.
    void awaitAdmission(std::uint64_t token) { awaiting_ = token; }
    void placed(std::uint64_t call) {
        awaiting_ = 0;
        call_ = call;
        legs_.legs_[call_] = this;
    }
    void refused(std::uint8_t cause) {
        awaiting_ = 0;
        released(cause);
    }
    // Hung up or gone while its admission is asked: no call follows, and the admission, when
    // it comes, is given back.
    void stopAwaiting() {
        if (awaiting_ != 0) legs_.awaiting_.erase(std::exchange(awaiting_, 0));
    }
    // An arrived call that waits (CallLegs::adopt's `waits`): Alerting, then Connect, each with
    // the fastStart answer if the call has one (the H.323 leg's audio is agreed by then).
    // The callee rings (SIP 180): Alerting, with the fastStart answer if it has not gone yet.
    // Its media flows before it rings (183 with early media): Progress with the answer, so
    // that the caller hears the media without being told that it rings.
    void alert(bool early, std::string_view) override {
        Call* call = live();
        if (!call) return;
        // Once it has gone in a Progress, a later ring is an Alerting without it.
        if (!early || !call->progress()) call->alert();
        sink_.onLegEvent(id_, {room::LegEvent::Kind::ringing, 0, "alerting its caller", {}});
    }
    void accept(std::string_view) override {
        if (Call* call = live()) call->answer();
    }
    Result<void> sendDigit(char digit, std::chrono::milliseconds duration) override {
        Call* call = live();
        if (!call || !call->isConnected()) return fail(Errc::incomplete, "the call is not up");
        call->sendDigit(digit, static_cast<std::uint16_t>(std::min<std::int64_t>(
                                   duration.count(), std::numeric_limits<std::uint16_t>::max())));
        return {};
    }
    // The far end's user input: a keypad digit (signal, or alphanumeric digits one by one)
    // goes to the room; other input is not DTMF.
    void userInput(const h245::UserInputIndication& input) {
        if (over_) return;
        using Kind = h245::UserInputIndication::Kind;
        const std::chrono::milliseconds held(input.duration.value_or(kDigitMs));
        if (input.kind == Kind::signal && isDigit(input.signal))
            sink_.onDigit(id_, input.signal, held);
        else if (input.kind == Kind::alphanumeric)
            for (char c : input.alphanumeric)
                if (isDigit(c)) sink_.onDigit(id_, c, held);
    }
    // The room's new offer: one that holds (sendonly, inactive) holds the far end with the
    // empty capability set, one that does not resumes it; the answer is the far end's audio as
    // agreed, in the direction RFC 3264 §6.1 gives. The codecs and address stay the call's.
    Result<void> reoffer(std::string offer, Answered done) override {
        if (over_ || !answered_ || !path_)
            return fail(Errc::incomplete, "the call has not agreed its audio yet");
        const auto direction = directionOf(offer);
        if (!direction) return fail(direction.error());
        Call* call = legs_.endpoint_->call(call_);
        const bool holds =
            *direction == sdp::Direction::sendonly || *direction == sdp::Direction::inactive;
        if (!call || !call->hold(holds))
            return fail(Errc::unsupported, "the call has no H.245 to hold or resume it with");
        offer_ = std::move(offer);
        done(answerOf(offer_, *path_, sdp::answerDirection(*direction, sdp::Direction::sendrecv)));
        return {};
    }

    // The far end alerts; with the fastStart answer (H.323 §8.1.7.1), its audio flows already:
    // the room hears of that as early media, once both have come.
    void ringing() {
        alerting_ = true;
        reportRinging();
    }
    // The far end's Progress: with the fastStart answer, early media before it rings.
    void progressed() {
        progressing_ = true;
        if (path_) reportRinging();
    }
    void agreed(const MediaPath& path) {
        path_ = path;
        if ((alerting_ || progressing_) && !connected_) reportRinging();
        answerWhenReady();
    }
    void connected() {
        connected_ = true;
        answerWhenReady();
    }
    // The far end sent the call elsewhere: a new call there takes this one's place (the old
    // one's release is not this leg's end), admitted anew when a gatekeeper admits calls. An
    // alias without an address needs the gatekeeper to locate it; without one, and after a
    // few forwards (a loop), the leg ends with the old call.
    void forwarded(const std::optional<h225::TransportAddress>& address,
                   const std::vector<h225::AliasAddress>& aliases) {
        if (over_ || (!address && !legs_.admissions_) || ++forwards_ > kMostForwards) return;
        auto media = callMediaOf(offer_);
        if (!media) return;
        auto destination = aliases.empty() ? destination_ : aliases;
        legs_.legs_.erase(call_);
        destination_ = destination;
        H323Url there{std::move(destination), std::nullopt};
        if (address) there.host = endpointOf(*address);
        if (legs_.admissions_) {
            call_ = 0;
            return legs_.admitThenPlace(*this, std::move(there), std::move(*media), tags_);
        }
        placed(legs_.endpoint_->place(*there.host, destination_, std::move(*media), tags_,
                                      std::nullopt, caller_));
    }
    // The far end holds (its empty capability set) or resumes: to the room, a new offer of its
    // with the call's audio inactive, or flowing again (RFC 3264 §8.4), as a SIP phone's
    // re-INVITE would be. The room's answer needs nothing sent: H.245 has no answer to it.
    void held(bool holds) {
        if (over_ || !answered_ || !path_) return;
        auto offer =
            answerOf(offer_, *path_, holds ? sdp::Direction::inactive : sdp::Direction::sendrecv);
        if (!offer) return;
        sink_.onLegOffer(id_, *offer, [](const Result<std::string>&) {});
    }
    void released(std::uint8_t cause) {
        if (std::exchange(over_, true)) return;
        using Kind = room::LegEvent::Kind;
        const auto kind = cause == kTemporaryFailure ? Kind::failed : Kind::ended;
        // The status a SIP call would have ended with (RFC 3398), and the cause itself.
        sink_.onLegEvent(id_, {kind,
                               hungUp_ ? 0 : sipStatusOf(cause),
                               hungUp_ ? std::string("hung up")
                                       : fmt::format("released (Q.850 cause {})", cause),
                               {},
                               hungUp_ ? std::string() : reasonOf(cause)});
    }

private:
    Call* live() const {
        return over_ || !legs_.endpoint_ ? nullptr : legs_.endpoint_->call(call_);
    }
    void release(std::uint8_t cause) {
        if (over_ || !legs_.endpoint_) return;
        if (Call* call = legs_.endpoint_->call(call_)) call->release(cause);
    }
    void reportRinging() {
        if (over_ || early_) return;
        std::string early;
        if (path_)
            if (auto answer = answerOf(offer_, *path_)) early = std::move(*answer);
        early_ = !early.empty();
        if (!early_ && !alerting_) return; // a Progress without media says nothing to the room
        sink_.onLegEvent(id_, {room::LegEvent::Kind::ringing, 0,
                               !alerting_ ? "progress, with early media"
                               : early_   ? "alerting, with early media"
                                          : "alerting",
                               early});
    }
    // H.245 may agree the audio after Connect, fastStart before it: the room hears of the
    // answer once both have come.
    void answerWhenReady() {
        if (!connected_ || !path_ || answered_ || over_) return;
        answered_ = true;
        auto answer = answerOf(offer_, *path_);
        if (!answer) return release(kBearerNotImplemented);
        sink_.onLegEvent(id_, {room::LegEvent::Kind::answered, 0, "connected", *answer});
    }

    CallLegs& legs_;
    std::uint64_t call_;
    room::LegId id_;
    room::LegSink& sink_;
    std::string offer_, description_;
    std::vector<h225::AliasAddress> destination_; // whom a placed call is for
    h225::Tags tags_;                             // what its Setup carries
    Call::Caller caller_;                         // whom it calls for
    std::optional<MediaPath> path_;
    int forwards_ = 0;
    std::uint64_t awaiting_ = 0; // its number while its admission is asked
    bool connected_ = false, answered_ = false, over_ = false, hungUp_ = false;
    bool alerting_ = false, early_ = false; // the far end alerts; its early media reported
    bool progressing_ = false;              // the far end sent Progress
};

CallLeg* CallLegs::legOf(std::uint64_t call) const {
    const auto found = legs_.find(call);
    return found == legs_.end() ? nullptr : found->second;
}

CallEndpoint::EventsFor CallLegs::events() {
    return [this](std::uint64_t call) {
        Call::Events e;
        e.offered = [this, call](const h225::Setup& setup) { offered(call, setup); };
        e.alerting = [this, call] {
            if (auto* leg = legOf(call)) leg->ringing();
        };
        e.progress = [this, call] {
            if (auto* leg = legOf(call)) leg->progressed();
        };
        e.media = [this, call](const MediaPath& path) { agreed(call, path); };
        e.connected = [this, call] {
            if (auto* leg = legOf(call)) leg->connected();
        };
        e.forwarded = [this, call](const std::optional<h225::TransportAddress>& address,
                                   const std::vector<h225::AliasAddress>& aliases) {
            if (auto* leg = legOf(call)) leg->forwarded(address, aliases);
        };
        e.userInput = [this, call](const h245::UserInputIndication& input) {
            if (auto* leg = legOf(call)) leg->userInput(input);
        };
        e.held = [this, call](bool holds) {
            if (auto* leg = legOf(call)) leg->held(holds);
        };
        e.released = [this, call](std::uint8_t cause) { released(call, cause); };
        return e;
    };
}

void CallLegs::offered(std::uint64_t call, const h225::Setup& setup) {
    const Call* arrived = endpoint_ ? endpoint_->call(call) : nullptr;
    if (!admissions_ || !arrived) return arrived_(call, setup);
    const auto ids = arrived->ids();
    // The answer may come at once (not registered): it is taken on a later turn, outside the
    // call's own receive().
    admissions_->admit(
        ids, setup.destinationAddress, std::nullopt, true, kAnsweringBandwidth,
        [this, call, ids, setup](const RasClient::Admission& admission) {
            asio::post(endpoint_->context(), [this, call, ids, setup, admission] {
                Call* arrived = endpoint_->call(call);
                if (!arrived) { // the caller went meanwhile: the admission is given back
                    if (admission.admitted) admissions_->disengage(ids, true);
                    return;
                }
                if (!admission.admitted) return arrived->release(causeOfRefusal(admission));
                admitted_[call] = {ids, true, admission.bandWidth};
                arrived_(call, setup);
            });
        });
}

void CallLegs::admitThenPlace(CallLeg& leg, H323Url url, LocalMedia media, h225::Tags tags) {
    const auto token = nextAwaiting_++;
    awaiting_[token] = &leg;
    leg.awaitAdmission(token);
    const auto ids = endpoint_->newIds();
    std::optional<h225::TransportAddress> address;
    if (url.host) address = transportOf(*url.host);
    const auto bandwidth =
        media.codecs.empty() ? kAnsweringBandwidth : bandwidthOf(media.codecs.front());
    auto aliases = url.aliases;
    admissions_->admit(
        ids, std::move(aliases), address, false, bandwidth,
        [this, token, ids, url = std::move(url), media = std::move(media),
         tags = std::move(tags)](const RasClient::Admission& admission) mutable {
            asio::post(endpoint_->context(), [this, token, ids, admission, url = std::move(url),
                                              media = std::move(media),
                                              tags = std::move(tags)]() mutable {
                const auto found = awaiting_.find(token);
                if (found == awaiting_.end()) { // the leg went meanwhile: given back
                    if (admission.admitted) admissions_->disengage(ids, false);
                    return;
                }
                CallLeg& leg = *found->second;
                awaiting_.erase(found);
                if (!admission.admitted) return leg.refused(causeOfRefusal(admission));
                // Where the gatekeeper says the call goes (the ACF's destCallSignalAddress,
                // H.225.0 §7.11.2): the URL's host when it names one, else where it located
                // the alias.
                const auto call =
                    endpoint_->place(endpointOf(admission.destination), url.aliases,
                                     std::move(media), std::move(tags), ids, leg.callingFor());
                admitted_[call] = {ids, false, admission.bandWidth};
                leg.placed(call);
            });
        });
}

void CallLegs::agreed(std::uint64_t call, const MediaPath& path) {
    if (auto* leg = legOf(call)) leg->agreed(path);
    const auto admitted = admitted_.find(call);
    if (admitted == admitted_.end()) return;
    // H.323 §8.4.1: the bandwidth the call takes now that its codecs are known.
    const auto bandwidth = (bandwidthOf(path.transmit) + bandwidthOf(path.receive)) / 2;
    if (bandwidth == admitted->second.bandwidth) return;
    admitted->second.bandwidth = bandwidth;
    admissions_->changeBandwidth(admitted->second.ids, admitted->second.answering, bandwidth);
}

void CallLegs::released(std::uint64_t call, std::uint8_t cause) {
    if (auto admitted = admitted_.extract(call); !admitted.empty())
        admissions_->disengage(admitted.mapped().ids, admitted.mapped().answering);
    if (auto* leg = legOf(call)) leg->released(cause);
}

void CallLegs::dropped(const h225::Guid& callIdentifier) {
    const auto it = std::find_if(admitted_.begin(), admitted_.end(), [&](const auto& a) {
        return a.second.ids.callIdentifier == callIdentifier;
    });
    if (it == admitted_.end()) return;
    const auto call = it->first;
    admitted_.erase(it); // its DRQ is confirmed already: none goes back (H.323 §8.5)
    if (Call* dropped = endpoint_->call(call)) dropped->release(kNormalClearing);
}

Result<std::unique_ptr<room::Leg>> CallLegs::place(room::LegId id, const room::Dial& dial,
                                                   room::LegSink& sink) {
    if (!endpoint_) return fail(Errc::unsupported, "no H.323 endpoint runs");
    auto url = parseH323Url(dial.target);
    if (!url) return fail(url.error());
    if (!url->host && !admissions_)
        return fail(Errc::unsupported,
                    fmt::format("{} names no host, and no gatekeeper is configured", dial.target));
    auto media = callMediaOf(dial.offer);
    if (!media) return fail(media.error());
    Call::Caller caller;
    if (!dial.caller.user.empty()) caller.aliases.push_back(aliasOf(dial.caller.user));
    caller.display = dial.caller.display;
    auto leg =
        std::make_unique<CallLeg>(*this, 0, id, sink, dial.offer, fmt::format("to {}", dial.target),
                                  url->aliases, dial.tags, caller);
    if (admissions_)
        admitThenPlace(*leg, std::move(*url), std::move(*media), dial.tags);
    else
        leg->placed(endpoint_->place(*url->host, url->aliases, std::move(*media), dial.tags,
                                     std::nullopt, caller));
    return std::unique_ptr<room::Leg>(std::move(leg));
}

room::Room::MakeOffered CallLegs::adopt(std::uint64_t call, bool waits) {
    return [this, call, waits](room::LegId id, room::LegSink& sink,
                               std::string offer) -> Result<std::unique_ptr<room::Leg>> {
        Call* arrived = endpoint_ ? endpoint_->call(call) : nullptr;
        if (!arrived) return fail(Errc::closed, "the H.323 call has gone");
        auto media = callMediaOf(offer);
        if (!media) return fail(media.error());
        arrived->setLocalMedia(std::move(*media));
        auto leg =
            std::make_unique<CallLeg>(*this, call, id, sink, std::move(offer), "from a caller");
        if (waits) return std::unique_ptr<room::Leg>(std::move(leg));
        // Answered once the room holds the leg: the answer's events find it there.
        asio::post(endpoint_->context(), [this, call] {
            if (Call* c = endpoint_->call(call)) {
                c->alert();
                c->answer();
            }
        });
        return std::unique_ptr<room::Leg>(std::move(leg));
    };
}

void CallLegs::refuse(std::uint64_t call, std::uint8_t cause) {
    if (Call* arrived = endpoint_ ? endpoint_->call(call) : nullptr) arrived->release(cause);
}

} // namespace sb::h323
