#pragma once
// The H.245 control channel of one H.323 call, as the procedures of H.245 Annex C that an audio
// call uses: master-slave determination (MSDSE, §C.2), capability exchange (CESE, §C.3),
// unidirectional logical channels (LCSE, §C.4) with close requests (CLCSE, §C.6), round-trip
// delay (RTDSE, §C.9), user input, end of session; the requests an audio endpoint refuses
// (multiplex table, mode and maintenance loop requests) refused, and FunctionNotUnderstood or
// FunctionNotSupported for what we cannot take. It does no I/O and keeps no time: messages come in
// through receive() and go out through Events::send, tunnelled in H.225.0 (h245Control) or on an
// H.245 TCP connection as the call decides; the session says when it waits for an answer
// (waiting()), and the call runs that timer (T101, T103, T106) and calls expire() when it runs out.

#include "h323/h245/message.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sb::h323::h245 {

class Session {
public:
    // T106, T101 and T103 (H.245 §C.2, §C.3, §C.4): no answer to our MasterSlaveDetermination
    // (or to our Ack of the peer's), to our TerminalCapabilitySet, to our OpenLogicalChannel.
    enum class Timer : std::uint8_t { determination, capabilities, channel };
    struct Config {
        // H.323 Table 1: 50 a terminal, 60 a gateway, 190 an MC (the higher is master).
        std::uint8_t terminalType = 60;
        // A fresh random number in 0..2^24−1 for each determination (§C.2.1).
        std::function<std::uint32_t()> random;
        TerminalCapabilitySet capabilities; // ours; the session numbers each one it sends
        int determinationRetries = 3;       // N100
    };
    struct Events {
        std::function<void(std::vector<std::uint8_t>)> send; // an encoded message, in order
        std::function<void(bool master)> determined;
        // The peer's capability set, acknowledged already. Empty: the peer puts us on hold
        // (H.323 §8.4.6) until its next, non-empty one.
        std::function<void(const TerminalCapabilitySet&)> capabilities;
        // The peer opens a channel to us: answer with accept() or reject(). One whose data is
        // not audio we reject ourselves (dataTypeNotSupported).
        std::function<void(const OpenLogicalChannel&)> openRequested;
        // Our channel is open: where its media goes.
        std::function<void(std::uint16_t number, const H2250AckParameters&)> opened;
        std::function<void(std::uint16_t number, OpenLogicalChannelReject::Cause)> rejected;
        // A channel of the peer's to us is closed (by the peer); or one of ours, at the peer's
        // request (RequestChannelClose), which we have closed.
        std::function<void(std::uint16_t number)> closed;
        std::function<void(const UserInputIndication&)> userInput;
        std::function<void(std::chrono::steady_clock::duration)> roundTrip;
        std::function<void()> ended; // the peer's EndSessionCommand
        // A procedure waits for the peer's answer: run `timer` (for channel `number`) and call
        // expire() when it runs out. It may be asked again for the same timer and channel
        // (the procedure began anew): the new one replaces the old.
        std::function<void(Timer timer, std::uint16_t number)> waiting;
        // A procedure failed (retries spent, a reply that contradicts ours, a timer expired):
        // the call clears (H.245 §C.2.4, §C.3.4).
        std::function<void(std::string)> failed;
    };

    Session(Config config, Events events);

    // Sends our capability set and starts master-slave determination.
    void start();
    // One encoded message from the peer; bad input is answered (FunctionNotUnderstood) or, when
    // it cannot be read at all, reported through failed().
    void receive(std::span<const std::uint8_t> bytes);

    // A new capability set (the empty one for hold, ours again to resume).
    void sendCapabilities(TerminalCapabilitySet capabilities);
    // Opens a channel from us; its number, which opened() or rejected() report on.
    std::uint16_t open(DataType data, const H2250Parameters& parameters);
    void accept(std::uint16_t number, const H2250AckParameters& ack);
    void reject(std::uint16_t number, OpenLogicalChannelReject::Cause cause);
    // Closes a channel of ours.
    void close(std::uint16_t number);
    void sendUserInput(const UserInputIndication& input);
    void measureRoundTrip();
    // Sends EndSessionCommand, once; after it the session sends nothing.
    void end();

    // A timer of ours ran out: T106, T101, or T103 for channel `number`.
    void expire(Timer timer, std::uint16_t number = 0);

    std::optional<bool> master() const noexcept { return master_; }
    bool capabilitiesAcknowledged() const noexcept { return !sentCapabilitiesPending_; }
    bool ended() const noexcept { return endSent_; }

private:
    void send(const Message& message);
    void wait(Timer timer, std::uint16_t number = 0);
    void sendDetermination();
    void onDetermination(const MasterSlaveDetermination& m);
    void onDeterminationAck(const MasterSlaveDeterminationAck& m);
    void onDeterminationReject();
    void decide(bool master);
    void onCapabilities(const TerminalCapabilitySet& m);
    void onOpen(const OpenLogicalChannel& m);
    // A message whose alternative we do not model, and its octets.
    void onUnknown(const Unknown& m, std::span<const std::uint8_t> bytes);
    void fail(std::string why);

    Config config_;
    Events events_;

    enum class Determination : std::uint8_t { idle, outgoing, incoming, done };
    Determination determination_ = Determination::idle;
    std::uint32_t number_ = 0; // our statusDeterminationNumber
    int retries_ = 0;
    std::optional<bool> master_;

    std::uint8_t capabilitySequence_ = 0;    // of the last set we sent
    TerminalCapabilitySet lastCapabilities_; // the set SendTerminalCapabilitySet asks for
    bool sentCapabilitiesPending_ = false;

    std::uint16_t nextChannel_ = 1;
    std::map<std::uint16_t, bool> outgoing_; // our channels: true once acknowledged
    std::map<std::uint16_t, bool> incoming_; // the peer's: true once we accepted

    std::uint8_t roundTripSequence_ = 0;
    std::optional<std::chrono::steady_clock::time_point> roundTripSent_;
    bool endSent_ = false;
};

} // namespace sb::h323::h245
