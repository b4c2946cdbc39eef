#include "h323/h245/session.hpp"

#include <fmt/format.h>

namespace sb::h323::h245 {

namespace {
constexpr std::uint32_t kNumbers = 1u << 24; // statusDeterminationNumber's range
} // namespace

Session::Session(Config config, Events events)
    : config_(std::move(config)), events_(std::move(events)),
      lastCapabilities_(config_.capabilities) {}

void Session::send(const Message& message) {
    if (endSent_) return; // nothing follows EndSessionCommand (§C.1)
    auto bytes = encode(message);
    if (!bytes.empty()) events_.send(std::move(bytes));
}

void Session::fail(std::string why) {
    if (events_.failed) events_.failed(std::move(why));
}

void Session::start() {
    sendCapabilities(config_.capabilities);
    sendDetermination();
}

// --- master-slave determination (§C.2) ---

void Session::sendDetermination() {
    number_ = config_.random() % kNumbers;
    determination_ = Determination::outgoing;
    send(MasterSlaveDetermination{config_.terminalType, number_});
    wait(Timer::determination);
}

void Session::wait(Timer timer, std::uint16_t number) {
    if (events_.waiting) events_.waiting(timer, number);
}

void Session::onDetermination(const MasterSlaveDetermination& m) {
    if (determination_ == Determination::incoming) return fail("a second MasterSlaveDetermination");
    if (determination_ == Determination::idle || determination_ == Determination::done)
        number_ = config_.random() % kNumbers;
    // §C.2.2: the higher terminal type is master; between equals, the number that the other's
    // is less than 2^23 past (modulo 2^24) is master's, and 0 or 2^23 apart decide nothing.
    std::optional<bool> weAreMaster;
    if (m.terminalType != config_.terminalType) {
        weAreMaster = config_.terminalType > m.terminalType;
    } else {
        const std::uint32_t apart = (m.statusDeterminationNumber - number_) % kNumbers;
        if (apart != 0 && apart != kNumbers / 2) weAreMaster = apart < kNumbers / 2;
    }
    if (!weAreMaster) {
        if (determination_ == Determination::outgoing) {
            if (++retries_ >= config_.determinationRetries)
                return fail("master-slave determination: identical numbers, retries spent");
            return sendDetermination();
        }
        return send(MasterSlaveDeterminationReject{});
    }
    master_ = *weAreMaster;
    determination_ = Determination::incoming;         // until the peer acknowledges our decision
    send(MasterSlaveDeterminationAck{!*weAreMaster}); // the decision for the peer
    wait(Timer::determination);
}

void Session::onDeterminationAck(const MasterSlaveDeterminationAck& m) {
    const bool weAreMaster = m.master; // the decision for us, the Ack's receiver
    if (determination_ == Determination::outgoing) {
        // The peer decided first: we confirm (§C.2.3).
        send(MasterSlaveDeterminationAck{!weAreMaster});
        return decide(weAreMaster);
    }
    if (determination_ == Determination::incoming) {
        if (master_ != weAreMaster)
            return fail("master-slave determination: the peer's decision contradicts ours");
        return decide(weAreMaster);
    }
}

void Session::onDeterminationReject() {
    if (determination_ != Determination::outgoing) return;
    if (++retries_ >= config_.determinationRetries)
        return fail("master-slave determination: rejected, retries spent");
    sendDetermination();
}

void Session::decide(bool master) {
    master_ = master;
    determination_ = Determination::done;
    retries_ = 0;
    if (events_.determined) events_.determined(master);
}

// --- capability exchange (§C.3) ---

void Session::sendCapabilities(TerminalCapabilitySet capabilities) {
    capabilities.sequenceNumber = ++capabilitySequence_;
    sentCapabilitiesPending_ = true;
    send(capabilities);
    lastCapabilities_ = std::move(capabilities);
    wait(Timer::capabilities);
}

void Session::onCapabilities(const TerminalCapabilitySet& m) {
    // Answered at once: what the set says is for the call to act on (§C.3.3).
    send(TerminalCapabilitySetAck{m.sequenceNumber});
    if (events_.capabilities) events_.capabilities(m);
}

// --- logical channels (§C.4, §C.6) ---

std::uint16_t Session::open(DataType data, const H2250Parameters& parameters) {
    const auto number = nextChannel_++;
    outgoing_[number] = false;
    OpenLogicalChannel m;
    m.number = number;
    m.forward.dataType = std::move(data);
    m.forward.h2250 = parameters;
    send(m);
    wait(Timer::channel, number);
    return number;
}

void Session::onOpen(const OpenLogicalChannel& m) {
    if (m.forward.dataType.kind != DataType::Kind::audio || m.reverse)
        return send(OpenLogicalChannelReject{
            m.number, OpenLogicalChannelReject::Cause::dataTypeNotSupported});
    incoming_[m.number] = false;
    if (events_.openRequested) events_.openRequested(m);
}

void Session::accept(std::uint16_t number, const H2250AckParameters& ack) {
    const auto it = incoming_.find(number);
    if (it == incoming_.end()) return;
    it->second = true;
    send(OpenLogicalChannelAck{number, ack});
}

void Session::reject(std::uint16_t number, OpenLogicalChannelReject::Cause cause) {
    if (incoming_.erase(number) == 0) return;
    send(OpenLogicalChannelReject{number, cause});
}

void Session::close(std::uint16_t number) {
    if (outgoing_.erase(number) == 0) return;
    send(CloseLogicalChannel{number, true});
}

// --- the rest ---

void Session::sendUserInput(const UserInputIndication& input) {
    send(input);
}

void Session::measureRoundTrip() {
    roundTripSent_ = std::chrono::steady_clock::now();
    send(RoundTripDelayRequest{++roundTripSequence_});
}

void Session::end() {
    if (endSent_) return;
    send(EndSessionCommand{});
    endSent_ = true;
}

void Session::expire(Timer timer, std::uint16_t number) {
    switch (timer) {
    case Timer::determination:
        if (determination_ == Determination::outgoing || determination_ == Determination::incoming)
            fail("master-slave determination: no answer (T106)");
        break;
    case Timer::capabilities:
        if (sentCapabilitiesPending_) fail("capability exchange: no answer (T101)");
        break;
    case Timer::channel:
        if (const auto it = outgoing_.find(number); it != outgoing_.end() && !it->second)
            fail(fmt::format("logical channel {}: no answer (T103)", number));
        break;
    }
}

void Session::onUnknown(const Unknown& m, std::span<const std::uint8_t> bytes) {
    using Category = Unknown::Category;
    // §B.14: a request or command not understood goes back in FunctionNotUnderstood when we
    // kept its value (an extension's open type); a root request we do not read (non-standard,
    // or of a later version), and the encryptionCommand we do not do, go back whole in
    // FunctionNotSupported. The other root commands ask nothing of an audio endpoint (its
    // own maintenance loops, flow control of fixed-rate codecs, video's miscellaneous
    // commands, a vendor's non-standard one); an indication or response is dropped.
    constexpr std::uint64_t kEncryptionCommand = 3;
    if (m.category != Category::request && m.category != Category::command) return;
    if (m.extension) return send(FunctionNotUnderstood(Message(m)));
    if (m.category == Category::request || m.index == kEncryptionCommand)
        send(FunctionNotSupported{FunctionNotSupported::Cause::unknownFunction,
                                  {bytes.begin(), bytes.end()}});
}

void Session::receive(std::span<const std::uint8_t> bytes) {
    auto message = decode(bytes);
    if (!message) return fail("H.245: " + message.error().message);
    std::visit(
        [&](const auto& m) {
            using M = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<M, MasterSlaveDetermination>) {
                onDetermination(m);
            } else if constexpr (std::is_same_v<M, MasterSlaveDeterminationAck>) {
                onDeterminationAck(m);
            } else if constexpr (std::is_same_v<M, MasterSlaveDeterminationReject>) {
                onDeterminationReject();
            } else if constexpr (std::is_same_v<M, TerminalCapabilitySet>) {
                onCapabilities(m);
            } else if constexpr (std::is_same_v<M, TerminalCapabilitySetAck>) {
                if (m.sequenceNumber == capabilitySequence_) sentCapabilitiesPending_ = false;
            } else if constexpr (std::is_same_v<M, TerminalCapabilitySetReject>) {
                if (m.sequenceNumber == capabilitySequence_)
                    fail("capability exchange: the peer rejected our capabilities");
            } else if constexpr (std::is_same_v<M, OpenLogicalChannel>) {
                onOpen(m);
            } else if constexpr (std::is_same_v<M, OpenLogicalChannelAck>) {
                const auto it = outgoing_.find(m.number);
                if (it == outgoing_.end() || it->second) return;
                it->second = true;
                if (events_.opened) events_.opened(m.number, m.ack.value_or(H2250AckParameters{}));
            } else if constexpr (std::is_same_v<M, OpenLogicalChannelReject>) {
                if (outgoing_.erase(m.number) != 0 && events_.rejected)
                    events_.rejected(m.number, m.cause);
            } else if constexpr (std::is_same_v<M, CloseLogicalChannel>) {
                send(CloseLogicalChannelAck{m.number});
                if (incoming_.erase(m.number) != 0 && events_.closed) events_.closed(m.number);
            } else if constexpr (std::is_same_v<M, RequestChannelClose>) {
                if (!outgoing_.contains(m.number)) return send(RequestChannelCloseReject{m.number});
                send(RequestChannelCloseAck{m.number});
                close(m.number);
                if (events_.closed) events_.closed(m.number);
            } else if constexpr (std::is_same_v<M, RoundTripDelayRequest>) {
                send(RoundTripDelayResponse{m.sequenceNumber});
            } else if constexpr (std::is_same_v<M, RoundTripDelayResponse>) {
                if (m.sequenceNumber != roundTripSequence_ || !roundTripSent_) return;
                if (events_.roundTrip)
                    events_.roundTrip(std::chrono::steady_clock::now() - *roundTripSent_);
                roundTripSent_.reset();
            } else if constexpr (std::is_same_v<M, UserInputIndication>) {
                if (m.kind != UserInputIndication::Kind::other && events_.userInput)
                    events_.userInput(m);
            } else if constexpr (std::is_same_v<M, EndSessionCommand>) {
                end(); // the answer H.323 §8.5 asks for, unless ours went first
                if (events_.ended) events_.ended();
            } else if constexpr (std::is_same_v<M, MultiplexEntrySend>) {
                send(MultiplexEntrySendReject{m.sequenceNumber, m.entries}); // H.223's only
            } else if constexpr (std::is_same_v<M, RequestMultiplexEntry>) {
                send(RequestMultiplexEntryReject{m.entries});
            } else if constexpr (std::is_same_v<M, RequestMode>) {
                send(RequestModeReject{m.sequenceNumber});
            } else if constexpr (std::is_same_v<M, MaintenanceLoopRequest>) {
                send(MaintenanceLoopReject{m.loop}); // we loop nothing back
            } else if constexpr (std::is_same_v<M, SendTerminalCapabilitySet>) {
                sendCapabilities(lastCapabilities_); // §B.13: our set again, numbered anew
            } else if constexpr (std::is_same_v<M, Unknown>) {
                onUnknown(m, bytes);
            }
            // CloseLogicalChannelAck, RequestChannelCloseAck/Reject, FunctionNotUnderstood and
            // FunctionNotSupported need nothing more from us.
        },
        *message);
}

} // namespace sb::h323::h245
