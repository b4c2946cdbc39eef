#include "h323/call.hpp"

#include "core/random.hpp"

#include <algorithm>

namespace sb::h323 {

using namespace h225;

namespace {

// Q.850 causes the call sends itself.
constexpr std::uint8_t kNormalClearing = 16, kNoAnswer = 19, kResponseToStatusEnquiry = 30,
                       kServiceNotImplemented = 79, kNotCompatibleWithState = 101,
                       kTimerExpired = 102;

bool sameCodec(const h245::AudioCapability& a, const h245::AudioCapability& b) {
    if (a.codec != b.codec) return false;
    return a.codec != h245::AudioCodec::generic || a.generic.identifier == b.generic.identifier;
}

// H.225.0's ReleaseCompleteReason to Q.850 for a ReleaseComplete without a Cause (H.225.0
// Table 5 read the other way; what it does not list is normal clearing).
std::uint8_t causeOf(const ReleaseComplete& body) {
    if (!body.reason) return kNormalClearing;
    switch (*body.reason) {
    case ReleaseReason::noBandwidth:
        return 34;
    case ReleaseReason::gatekeeperResources:
    case ReleaseReason::gatewayResources:
        return 47;
    case ReleaseReason::unreachableDestination:
        return 3;
    case ReleaseReason::destinationRejection:
        return 21;
    case ReleaseReason::noPermission:
        return 111;
    case ReleaseReason::unreachableGatekeeper:
        return 38;
    case ReleaseReason::badFormatAddress:
        return 28;
    case ReleaseReason::inConf:
        return 17;
    case ReleaseReason::calledPartyNotRegistered:
        return 20;
    default:
        return kNormalClearing;
    }
}

// Who calls, from a Setup: its sourceAddress, or its Calling party number when it has no
// alias; its Display's printable text.
Call::Caller callerOf(const q931::Message& q931, const Setup& setup) {
    Call::Caller caller{setup.sourceAddress, {}};
    if (const auto* number = q931.find(q931::element::callingPartyNumber);
        number && caller.aliases.empty())
        if (auto parsed = q931::readPartyNumber(number->contents);
            parsed && !parsed->digits.empty())
            caller.aliases.emplace_back(DialedDigits{parsed->digits});
    if (const auto* display = q931.find(q931::element::display))
        for (auto c : display->contents)
            if (c >= 0x20 && c < 0x7f) caller.display += static_cast<char>(c);
    return caller;
}

} // namespace

Call::Call(Config config, Events events) : config_(std::move(config)), events_(std::move(events)) {
    if (!config_.random)
        config_.random = [] { return static_cast<std::uint32_t>(threadRandom()()); };
}

SignallingMessage Call::message(q931::MessageType type, MessageBody body) {
    SignallingMessage m;
    m.q931.type = type;
    m.q931.callReference = config_.callReference;
    m.q931.fromDestination = config_.direction == Direction::incoming;
    m.userInformation = UserInformation{std::move(body), config_.tunnelling, {}};
    m.userInformation->h245Control = std::exchange(h245Outbox_, {});
    return m;
}

void Call::send(q931::MessageType type, MessageBody body) {
    events_.send(message(type, std::move(body)));
}

void Call::expireH245(h245::Session::Timer timer, std::uint16_t channel) {
    if (!h245_ || state_ == State::released) return;
    h245Expiring_ = true;
    h245_->expire(timer, channel);
    h245Expiring_ = false;
}

std::vector<Octets> Call::proposals() const {
    std::vector<Octets> out;
    std::uint16_t number = 1;
    for (const auto& codec : config_.media.codecs) {
        h245::OpenLogicalChannel transmit; // §8.1.7.1: what we would send…
        transmit.number = number++;
        transmit.forward.dataType.audio = codec;
        h245::H2250Parameters t;
        t.mediaControlChannel = config_.media.rtcp;
        transmit.forward.h2250 = t;
        out.push_back(h245::encodeFastStart(transmit));
        h245::OpenLogicalChannel receive; // …and what we would receive, and where
        receive.number = number++;
        receive.forward.dataType.kind = h245::DataType::Kind::null;
        h245::ChannelParameters reverse;
        reverse.dataType.audio = codec;
        h245::H2250Parameters r;
        r.mediaChannel = config_.media.rtp;
        r.mediaControlChannel = config_.media.rtcp;
        reverse.h2250 = r;
        receive.reverse = reverse;
        out.push_back(h245::encodeFastStart(receive));
    }
    return out;
}

void Call::place(std::vector<AliasAddress> destination, std::optional<TransportAddress> address,
                 const Caller& caller) {
    Setup setup;
    setup.sourceAddress = caller.aliases.empty() ? config_.aliases : caller.aliases;
    setup.sourceInfo.terminal = false;
    setup.sourceInfo.gateway = true;
    setup.destinationAddress = std::move(destination);
    setup.destCallSignalAddress = address;
    setup.conferenceID = config_.conferenceID;
    setup.callIdentifier = config_.callIdentifier;
    if (config_.fastStart) setup.fastStart = proposals();
    auto m = message(q931::MessageType::setup, setup);
    if (auto tags = tagsData(config_.tags)) m.userInformation->genericData.push_back(*tags);
    m.q931.set(q931::element::bearerCapability, q931::writeBearer({}));
    // Display (Q.931 §4.5.16 as H.225.0 §7.2.2.3 takes it: IA5, at most 82 characters).
    if (!caller.display.empty()) {
        std::vector<std::uint8_t> text;
        for (char c : caller.display)
            if (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f &&
                text.size() < 82)
                text.push_back(static_cast<std::uint8_t>(c));
        if (!text.empty()) m.q931.set(q931::element::display, std::move(text));
    }
    if (!setup.sourceAddress.empty())
        if (const auto* digits = std::get_if<DialedDigits>(&setup.sourceAddress.front()))
            m.q931.set(q931::element::callingPartyNumber,
                       q931::writePartyNumber({0, 1, digits->digits}));
    for (const auto& alias : setup.destinationAddress)
        if (const auto* digits = std::get_if<DialedDigits>(&alias)) {
            m.q931.set(q931::element::calledPartyNumber,
                       q931::writePartyNumber({0, 1, digits->digits}));
            break;
        }
    state_ = State::proceeding;
    timer_ = Timer::t303;
    events_.send(m);
}

std::optional<std::pair<Call::Timer, std::chrono::steady_clock::duration>> Call::timer() const {
    if (state_ == State::connected && !media_) return std::pair{Timer::media, config_.mediaWait};
    if (!timer_ || state_ == State::released) return std::nullopt;
    switch (*timer_) {
    case Timer::t303:
        return std::pair{*timer_, config_.t303};
    case Timer::t310:
        return std::pair{*timer_, config_.t310};
    case Timer::t301:
        return std::pair{*timer_, config_.t301};
    case Timer::media:
        break;
    }
    return std::nullopt;
}

void Call::expire(Timer timer) {
    if (timer == Timer::media) {
        if (state_ == State::connected && !media_) release(kTimerExpired);
        return;
    }
    if (timer_ != timer || state_ == State::released) return;
    timer_.reset();
    release(timer == Timer::t301 ? kNoAnswer : kTimerExpired);
}

void Call::acceptProposals() {
    std::vector<h245::OpenLogicalChannel> channels;
    for (const auto& octets : std::exchange(proposals_, {}))
        if (auto channel = h245::decodeFastStart(octets)) channels.push_back(std::move(*channel));
    const auto isAudio = [](const h245::DataType& t) {
        return t.kind == h245::DataType::Kind::audio;
    };
    for (const auto& codec : config_.media.codecs) {
        // The peer's transmit proposal (forward audio) and receive proposal (reverse audio,
        // with where it receives) for this codec.
        const auto tx = std::find_if(channels.begin(), channels.end(), [&](const auto& c) {
            return isAudio(c.forward.dataType) && sameCodec(c.forward.dataType.audio, codec);
        });
        const auto rx = std::find_if(channels.begin(), channels.end(), [&](const auto& c) {
            return c.reverse && isAudio(c.reverse->dataType) &&
                   sameCodec(c.reverse->dataType.audio, codec) && c.reverse->h2250 &&
                   c.reverse->h2250->mediaChannel;
        });
        if (tx == channels.end() || rx == channels.end()) continue;
        auto theirs = *tx; // they send to us: where we receive
        if (!theirs.forward.h2250) theirs.forward.h2250 = h245::H2250Parameters{};
        theirs.forward.h2250->mediaChannel = config_.media.rtp;
        theirs.forward.h2250->mediaControlChannel = config_.media.rtcp;
        MediaPath path;
        path.transmit = rx->reverse->dataType.audio;
        path.receive = tx->forward.dataType.audio;
        path.remoteRtp = *rx->reverse->h2250->mediaChannel;
        path.remoteRtcp = rx->reverse->h2250->mediaControlChannel;
        media_ = path; // announced when the answer goes out
        fastStartAnswer_ = {h245::encodeFastStart(theirs), h245::encodeFastStart(*rx)};
        return;
    }
}

void Call::takeFastStartAnswer(const std::vector<Octets>& answer) {
    if (fastStartDone_ || answer.empty()) return;
    std::optional<h245::OpenLogicalChannel> forward, reverse;
    for (const auto& octets : answer) {
        auto channel = h245::decodeFastStart(octets);
        if (!channel) continue;
        if (channel->forward.dataType.kind == h245::DataType::Kind::audio)
            forward = *channel;
        else if (channel->reverse)
            reverse = *channel;
    }
    if (!forward || !forward->forward.h2250 || !forward->forward.h2250->mediaChannel) return;
    MediaPath path;
    path.transmit = forward->forward.dataType.audio;
    path.receive = reverse ? reverse->reverse->dataType.audio : path.transmit;
    path.remoteRtp = *forward->forward.h2250->mediaChannel;
    path.remoteRtcp = forward->forward.h2250->mediaControlChannel;
    fastStartDone_ = true;
    agreeMedia(path);
}

void Call::agreeMedia(const MediaPath& path) {
    media_ = path;
    if (events_.media) events_.media(path);
}

void Call::receive(const SignallingMessage& m) {
    if (state_ == State::released) return;
    const auto type = m.q931.type;
    if (type == q931::MessageType::releaseComplete) {
        std::uint8_t cause = kNormalClearing;
        if (const auto* element = m.q931.find(q931::element::cause)) {
            if (auto c = q931::readCause(element->contents)) cause = c->value;
        } else if (m.userInformation) {
            if (const auto* body = std::get_if<ReleaseComplete>(&m.userInformation->body))
                cause = causeOf(*body);
        }
        return finish(cause);
    }
    if (type == q931::MessageType::statusEnquiry) // Q.931 §5.8.10
        return sendStatus(kResponseToStatusEnquiry);
    if (!m.userInformation) return;
    const auto& information = *m.userInformation;
    std::visit(
        [&](const auto& body) {
            using B = std::decay_t<decltype(body)>;
            if constexpr (std::is_same_v<B, Setup>) {
                if (config_.direction != Direction::incoming || state_ != State::idle) return;
                config_.callReference = m.q931.callReference;
                config_.callIdentifier = body.callIdentifier;
                config_.conferenceID = body.conferenceID;
                peerTunnels_ = information.h245Tunnelling;
                if (config_.fastStart) proposals_ = body.fastStart;
                peerTags_ = tagsOf(information.genericData);
                peerCaller_ = callerOf(m.q931, body);
                state_ = State::offered;
                send(q931::MessageType::callProceeding, CallProceeding{});
                if (events_.offered) events_.offered(body);
            } else if constexpr (std::is_same_v<B, CallProceeding> || std::is_same_v<B, Progress> ||
                                 std::is_same_v<B, Alerting>) {
                // Only the callee's answers before its Connect (Q.931 §5.1.5 to §5.1.7). After
                // it, or to a call it did not place, they are out of state (§5.8.4: Status,
                // cause 101, and the call goes on; a Progress says nothing new).
                if (config_.direction != Direction::outgoing ||
                    (state_ != State::proceeding && state_ != State::alerting)) {
                    if constexpr (!std::is_same_v<B, Progress>)
                        notUnderstood(kNotCompatibleWithState);
                    return;
                }
                peerTunnels_ = information.h245Tunnelling;
                takeFastStartAnswer(body.fastStart);
                connectH245To(body.h245Address);
                if (config_.direction == Direction::outgoing && timer_ != Timer::t301)
                    timer_ = std::is_same_v<B, Alerting> ? Timer::t301 : Timer::t310;
                if constexpr (std::is_same_v<B, Alerting>) {
                    if (state_ == State::proceeding) state_ = State::alerting;
                    if (events_.alerting) events_.alerting();
                } else if constexpr (std::is_same_v<B, Progress>) {
                    if (config_.direction == Direction::outgoing && events_.progress)
                        events_.progress();
                }
            } else if constexpr (std::is_same_v<B, Facility>) {
                onFacility(body);
            } else if constexpr (std::is_same_v<B, Connect>) {
                if (config_.direction != Direction::outgoing || state_ == State::connected) return;
                peerTunnels_ = information.h245Tunnelling;
                takeFastStartAnswer(body.fastStart);
                connectH245To(body.h245Address);
                state_ = State::connected;
                timer_.reset();
                if (events_.connected) events_.connected();
                startH245();
            }
        },
        information.body);
    if (state_ != State::released && !information.h245Control.empty())
        onH245(information.h245Control);
    if (!h245Outbox_.empty() && state_ != State::released)
        send(q931::MessageType::facility, Empty{});
}

std::uint8_t Call::q931CallState() const noexcept {
    // Q.931 §4.1 and §4.5.7: N0 null, N3 outgoing call proceeding (our Setup sent; N1 until
    // an answer, which we do not tell apart), N4 call delivered, N9 incoming call proceeding
    // (our CallProceeding answers every Setup), N7 call received, N10 active.
    const bool incoming = config_.direction == Direction::incoming;
    switch (state_) {
    case State::offered:
        return 9;
    case State::proceeding:
        return 3;
    case State::alerting:
        return incoming ? 7 : 4;
    case State::connected:
        return 10;
    case State::idle:
    case State::released:
        break;
    }
    return 0;
}

void Call::sendStatus(std::uint8_t cause) {
    auto status =
        message(q931::MessageType::status, Status{{kProtocolIdentifier, config_.callIdentifier}});
    status.q931.set(q931::element::cause, q931::writeCause({cause, 0}));
    status.q931.set(q931::element::callState, {q931CallState()});
    events_.send(status);
}

void Call::notUnderstood(std::uint8_t cause) {
    if (state_ == State::idle || state_ == State::released) return;
    sendStatus(cause);
}

void Call::onFacility(const Facility& body) {
    switch (body.reason) {
    case FacilityReason::startH245: // the peer asks for H.245 on its own connection, there
        return connectH245To(body.h245Address);
    case FacilityReason::callForwarded:
    case FacilityReason::routeCallToMC: {
        const bool elsewhere =
            body.alternativeAddress.has_value() || !body.alternativeAliasAddress.empty();
        if (config_.direction != Direction::outgoing || state_ == State::connected || !elsewhere)
            return;
        if (events_.forwarded)
            events_.forwarded(body.alternativeAddress, body.alternativeAliasAddress);
        return release(kNormalClearing);
    }
    default:    // undefinedReason (a carrier of tunnelled H.245, which receive() reads) and the
        return; // rest ask nothing of a call
    }
}

void Call::alert() {
    if (state_ != State::offered) return;
    acceptProposals();
    Alerting alerting;
    alerting.callIdentifier = config_.callIdentifier;
    if (!fastStartDone_) alerting.fastStart = fastStartAnswer_;
    state_ = State::alerting;
    send(q931::MessageType::alerting, alerting);
    answering_ = true;
    takeEarlyH245();
    if (!fastStartDone_ && !fastStartAnswer_.empty()) {
        fastStartDone_ = true;
        agreeMedia(*media_); // early media: the answer is out
    }
}

bool Call::progress() {
    if (state_ != State::offered || fastStartDone_) return false;
    acceptProposals();
    if (fastStartAnswer_.empty()) return false;
    Progress progress;
    progress.callIdentifier = config_.callIdentifier;
    progress.fastStart = fastStartAnswer_;
    auto m = message(q931::MessageType::progress, progress);
    // Q.931 §4.5.23: Progress indicator 8, in-band information is now available.
    m.q931.set(q931::element::progressIndicator, q931::writeProgress({}));
    events_.send(m);
    fastStartDone_ = true;
    agreeMedia(*media_);
    answering_ = true;
    takeEarlyH245(); // early media: the caller's H.245 need not wait for the ringing to end
    return true;
}

void Call::answer() {
    if (state_ != State::offered && state_ != State::alerting) return;
    acceptProposals();
    Connect connect;
    connect.callIdentifier = config_.callIdentifier;
    connect.conferenceID = config_.conferenceID;
    const bool fastStartAgreed = fastStartDone_ || !fastStartAnswer_.empty();
    answering_ = true;
    connectEarlyH245(); // the peer's address came before our answer
    if (separateH245() && !fastStartAgreed && !h245Connecting_ && events_.listenH245) {
        connect.h245Address = events_.listenH245();
        h245Connecting_ = connect.h245Address.has_value();
    }
    if (!fastStartDone_) {
        connect.fastStart = fastStartAnswer_;
        connect.fastConnectRefused = fastStartAnswer_.empty();
    }
    state_ = State::connected;
    send(q931::MessageType::connect, connect);
    if (!fastStartDone_ && !fastStartAnswer_.empty()) {
        fastStartDone_ = true;
        agreeMedia(*media_);
    }
    if (events_.connected) events_.connected();
    onH245({}); // starts H.245, and takes the peer's early messages
    if (!h245Outbox_.empty()) send(q931::MessageType::facility, Empty{});
}

void Call::h245Connected() {
    h245Connecting_ = false;
    if (h245_ || state_ == State::released) return;
    createH245();
    h245_->start();
}

void Call::receiveH245(std::span<const std::uint8_t> message) {
    if (h245_) h245_->receive(message);
}

void Call::startH245() {
    if (h245_ || h245Connecting_) return;
    if (!separateH245()) {
        createH245();
        return h245_->start();
    }
    // H.245 on its own connection: needed only when fastStart did not carry the media. Asked
    // for already (an address in our Connect, or a connection to the peer's), or impossible.
    if (!fastStartDone_) release(kServiceNotImplemented);
}

h245::TerminalCapabilitySet Call::capabilities() const {
    h245::TerminalCapabilitySet set;
    std::vector<std::uint16_t> alternatives;
    for (const auto& codec : config_.media.codecs) {
        h245::Capability c;
        c.kind = h245::Capability::Kind::receiveAudio;
        c.audio = codec;
        const auto number = static_cast<std::uint16_t>(set.table.size() + 1);
        set.table.push_back({number, c});
        alternatives.push_back(number);
    }
    if (!alternatives.empty()) set.descriptors.push_back({0, {alternatives}});
    return set;
}

bool Call::hold(bool holds) {
    if (!h245_ || state_ != State::connected) return false;
    h245_->sendCapabilities(holds ? h245::TerminalCapabilitySet{} : capabilities());
    if (!h245Outbox_.empty()) send(q931::MessageType::facility, Empty{});
    return true;
}

void Call::createH245() {
    h245::Session::Config config;
    config.terminalType = config_.terminalType;
    config.random = config_.random;
    config.capabilities = capabilities();
    h245::Session::Events events;
    events.send = [this](std::vector<std::uint8_t> bytes) {
        if (!separateH245()) return h245Outbox_.push_back(std::move(bytes));
        if (events_.sendH245) events_.sendH245(std::move(bytes));
    };
    events.capabilities = [this](const h245::TerminalCapabilitySet& theirs) {
        if (theirs.empty() != peerHolds_) { // H.323 §8.4.6: the empty set holds, the next resumes
            peerHolds_ = theirs.empty();
            if (events_.held) events_.held(peerHolds_);
        }
        if (fastStartDone_ || h245Transmit_ || theirs.empty()) return;
        for (const auto& codec : config_.media.codecs) // ours first that the peer can receive
            for (const auto& entry : theirs.table)
                if (entry.capability && entry.capability->kind != h245::Capability::Kind::other &&
                    entry.capability->kind != h245::Capability::Kind::transmitAudio &&
                    sameCodec(entry.capability->audio, codec)) {
                    h245Transmit_ = codec;
                    h245::DataType data;
                    data.audio = codec;
                    h245::H2250Parameters parameters;
                    parameters.mediaControlChannel = config_.media.rtcp;
                    (void)h245_->open(data, parameters);
                    return;
                }
    };
    events.openRequested = [this](const h245::OpenLogicalChannel& m) {
        const auto& audio = m.forward.dataType.audio;
        const bool ours = std::any_of(config_.media.codecs.begin(), config_.media.codecs.end(),
                                      [&](const auto& c) { return sameCodec(c, audio); });
        if (!ours)
            return h245_->reject(m.number,
                                 h245::OpenLogicalChannelReject::Cause::dataTypeNotSupported);
        h245Receive_ = audio;
        h245::H2250AckParameters ack;
        ack.sessionID = 1;
        ack.mediaChannel = config_.media.rtp;
        ack.mediaControlChannel = config_.media.rtcp;
        h245_->accept(m.number, ack);
        if (h245Transmit_ && h245RemoteRtp_)
            agreeMedia({*h245Transmit_, *h245Receive_, *h245RemoteRtp_, h245RemoteRtcp_});
    };
    events.opened = [this](std::uint16_t, const h245::H2250AckParameters& ack) {
        if (!ack.mediaChannel) return release(kServiceNotImplemented);
        h245RemoteRtp_ = ack.mediaChannel;
        h245RemoteRtcp_ = ack.mediaControlChannel;
        if (h245Receive_)
            agreeMedia({*h245Transmit_, *h245Receive_, *h245RemoteRtp_, h245RemoteRtcp_});
    };
    events.userInput = [this](const h245::UserInputIndication& input) {
        if (events_.userInput) events_.userInput(input);
    };
    events.waiting = [this](h245::Session::Timer timer, std::uint16_t channel) {
        if (events_.h245Timer) events_.h245Timer(timer, channel, config_.h245Answer);
    };
    events.failed = [this](const std::string&) {
        release(h245Expiring_ ? kTimerExpired : kServiceNotImplemented);
    };
    // H.323 §8.5: the peer's EndSessionCommand ends the call; the call signalling channel's
    // ReleaseComplete follows it (the session answered with its own already).
    events.ended = [this] { release(kNormalClearing); };
    h245_ = std::make_unique<h245::Session>(std::move(config), std::move(events));
}

void Call::connectH245To(const std::optional<TransportAddress>& address) {
    if (!address || !separateH245() || fastStartDone_ || h245_ || h245Connecting_ ||
        !events_.connectH245)
        return;
    // Answering, before alert() or answer(): as for tunnelled H.245 (onH245), a session started
    // now would send an empty capability set, a hold; the connection waits for our codecs.
    if (config_.direction == Direction::incoming && !answering_) {
        earlyH245Address_ = address;
        return;
    }
    h245Connecting_ = true;
    events_.connectH245(*address);
}

void Call::connectEarlyH245() {
    // The peer asked for it: connected however the answer goes (alert, progress with early
    // media, or straight to the Connect), fastStart or not.
    if (!earlyH245Address_ || h245_ || h245Connecting_ || !events_.connectH245) return;
    h245Connecting_ = true;
    events_.connectH245(*std::exchange(earlyH245Address_, std::nullopt));
}

void Call::takeEarlyH245() {
    connectEarlyH245();
    if (earlyH245_.empty()) return; // the peer's early H.245, now that our codecs are known
    onH245({});
    if (!h245Outbox_.empty()) send(q931::MessageType::facility, Empty{});
}

void Call::onH245(const std::vector<Octets>& control) {
    // Answering, before alert() or answer(): our codecs are not known yet (the owner gives
    // them as it routes the call), and a capability set sent now would be empty, which H.323
    // §8.4.6 reads as a hold. The peer's messages (its Setup's, tunnelled early) wait for them.
    if (config_.direction == Direction::incoming && !answering_ && !h245_) {
        constexpr std::size_t kMostHeld = 32;
        for (const auto& bytes : control)
            if (earlyH245_.size() < kMostHeld) earlyH245_.push_back(bytes);
        return;
    }
    if (!h245_) startH245(); // the peer began H.245 before we did
    if (!h245_) return;
    for (const auto& bytes : std::exchange(earlyH245_, {}))
        h245_->receive(bytes);
    for (const auto& bytes : control)
        h245_->receive(bytes);
}

void Call::sendDigit(char digit, std::uint16_t milliseconds) {
    if (!h245_ || state_ != State::connected) return;
    h245::UserInputIndication input;
    input.signal = digit;
    input.duration = milliseconds;
    h245_->sendUserInput(input);
    send(q931::MessageType::facility, Empty{});
}

void Call::release(std::uint8_t cause) {
    if (state_ == State::released) return;
    if (h245_) h245_->end();
    ReleaseComplete body;
    body.callIdentifier = config_.callIdentifier;
    auto m = message(q931::MessageType::releaseComplete, body);
    m.q931.set(q931::element::cause, q931::writeCause({cause, 0}));
    events_.send(m);
    finish(cause);
}

void Call::finish(std::uint8_t cause) {
    state_ = State::released;
    timer_.reset();
    if (events_.released) events_.released(cause);
}

} // namespace sb::h323
