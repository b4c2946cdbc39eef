#pragma once
// One H.323 call, either side (H.323 §8.1): the H.225.0 call signalling messages and the
// audio they agree on, by Fast Connect (fastStart, H.323 §8.1.7) or, when the peer refuses it
// or has none, by H.245 — tunnelled in the call signalling messages (H.323 §8.2.1), or on an
// H.245 connection of its own when either side does not tunnel (§8.1.1). Pure logic:
// the call's connection carries what it sends (write() each message in TPKT) and feeds it what
// arrives; the media layer is told where audio goes once it is agreed.

#include "h323/h225/signalling.hpp"
#include "h323/h245/session.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sb::h323 {

// Our side of a call's audio: the codecs we take, by preference (the first the peer shares is
// chosen), and where we receive.
struct LocalMedia {
    std::vector<h245::AudioCapability> codecs;
    h245::UnicastAddress rtp, rtcp;
};

// The audio of a call once agreed: what each side sends, and where ours goes.
struct MediaPath {
    h245::AudioCapability transmit, receive;
    h245::UnicastAddress remoteRtp;
    std::optional<h245::UnicastAddress> remoteRtcp;
    bool operator==(const MediaPath&) const = default;
};

// What names one call (in RAS too): the Q.931 call reference and H.225.0's two identifiers.
struct CallIds {
    std::uint16_t callReference = 0;
    h225::Guid callIdentifier{}, conferenceID{};
};

class Call {
public:
    enum class Direction : std::uint8_t { incoming, outgoing };
    struct Config {
        Direction direction = Direction::outgoing;
        std::uint16_t callReference = 1; // ours when placing; the Setup's when answering
        h225::Guid callIdentifier{}, conferenceID{}; // fresh when placing
        std::vector<h225::AliasAddress> aliases;     // ours
        LocalMedia media;
        bool fastStart = true;                 // propose it, or accept a proposal
        bool tunnelling = true;                // H.245 in the call signalling messages
        std::uint8_t terminalType = 60;        // a gateway (H.323 Table 1)
        std::function<std::uint32_t()> random; // for H.245's determination; none: the thread's
        h225::Tags tags; // placing: the escalation's, in the Setup's genericData
        // The placing side's timers (Q.931 §9.1 as H.225.0 §7.4 uses them): T303 from the
        // Setup to any answer, T310 from CallProceeding to Alerting or Connect, T301 from
        // Alerting to Connect.
        std::chrono::steady_clock::duration t303 = std::chrono::seconds(4),
                                            t310 = std::chrono::seconds(30),
                                            t301 = std::chrono::minutes(3);
        // How long H.245's procedures wait for the peer's answer (T101, T103, T106; H.245
        // leaves their values to the terminal).
        std::chrono::steady_clock::duration h245Answer = std::chrono::seconds(30);
        // Connected, how long audio may take to be agreed (fastStart, or H.245's capability
        // exchange and channels) before the call is released: a peer that shares no codec,
        // rejects our channel, never opens its own or never brings its separate H.245
        // connection would otherwise hold the call, its ports and its admission for ever.
        std::chrono::steady_clock::duration mediaWait = std::chrono::seconds(30);
    };
    struct Events {
        std::function<void(const h225::SignallingMessage&)> send;
        std::function<void(const h225::Setup&)> offered; // incoming: answer with alert()/answer()
        std::function<void()> alerting;                  // outgoing: the far end rings
        // Outgoing: the far end's Progress: with a fastStart answer, its audio flows before
        // it rings (early media: SIP's 183 Session Progress, RFC 3960).
        std::function<void()> progress;
        std::function<void(const MediaPath&)> media; // audio can flow (early or connected)
        std::function<void()> connected;
        std::function<void(std::uint8_t cause)> released; // Q.850 (16: normal clearing)
        // Outgoing, before Connect: the far end sends the call elsewhere (a Facility with
        // reason callForwarded or routeCallToMC, and an alternative address or aliases; H.225.0
        // §7.4.2). This call is then released; a new one placed there follows it.
        std::function<void(const std::optional<h225::TransportAddress>& address,
                           const std::vector<h225::AliasAddress>& aliases)>
            forwarded;
        std::function<void(const h245::UserInputIndication&)> userInput;
        // The peer holds the call (its empty capability set, H.323 §8.4.6), or resumes it.
        std::function<void(bool held)> held;
        // A separate H.245 connection: the answerer listens (the address goes in its Connect),
        // the caller connects to the address the answerer gave; either then calls
        // h245Connected(), and carries sendH245's messages, each in TPKT, and the peer's to
        // receiveH245(). Without these the call cannot do without tunnelling.
        std::function<std::optional<h225::TransportAddress>()> listenH245;
        std::function<void(const h225::TransportAddress&)> connectH245;
        std::function<void(std::vector<std::uint8_t>)> sendH245;
        // H.245 waits for an answer: run this timer and call expireH245() when it runs out
        // (replacing one running for the same timer and channel). Without it, none runs.
        std::function<void(h245::Session::Timer, std::uint16_t channel,
                           std::chrono::steady_clock::duration)>
            h245Timer;
    };

    Call(Config config, Events events);

    // Our codecs and where we receive, when the owner learns them after making the call (a
    // room's offer, h323/audio_sdp.hpp): before place(), or, answering, before alert() or
    // answer(), which take the peer's proposals with them.
    void setLocalMedia(LocalMedia media) { config_.media = std::move(media); }
    // Who calls (H.225.0 §7.3.1, Q.931 §4.5.9–4.5.10): the Setup's sourceAddress, with its
    // Calling party number when the first alias is a number, and its Display.
    struct Caller {
        std::vector<h225::AliasAddress> aliases;
        std::string display;
    };
    // Outgoing: the Setup, with fastStart's proposals for each codec, for `caller` (a
    // gateway's; none: our own aliases).
    void place(std::vector<h225::AliasAddress> destination,
               std::optional<h225::TransportAddress> address, const Caller& caller = {});
    // A call signalling message of this call from the peer.
    void receive(const h225::SignallingMessage& message);
    // Incoming: Alerting (with the fastStart answer unless Progress carried it: early media),
    // then Connect.
    void alert();
    // Incoming, before it rings: Progress with the fastStart answer (early media, H.225.0
    // §8.1.7.1 allows the answer in any message up to Connect); false when there is no answer
    // to give or it has gone.
    bool progress();
    void answer();
    // ReleaseComplete with the Q.850 cause; released() follows.
    void release(std::uint8_t cause = 16);
    // A message of this call that could not be read, with the Q.850 cause that says why (97
    // unknown message, 96 a mandatory element missing, 100 an element's contents wrong):
    // answered with Status and the call's state, and the call goes on (Q.931 §5.8.4,
    // §5.8.6, §5.8.7: only a Setup's errors refuse the call).
    void notUnderstood(std::uint8_t cause);
    void sendDigit(char digit, std::uint16_t milliseconds);
    // Holds the far end (our empty capability set, H.323 §8.4.6: it stops sending) or resumes
    // it (our set again). False when the call is not up or has no H.245 to say it with.
    bool hold(bool holds);
    // The separate H.245 connection is up; a message from it.
    void h245Connected();
    void receiveH245(std::span<const std::uint8_t> message);

    // The timer that runs now, and for how long, for the owner to run; expire() when it ends:
    // the call is released (Q.850 102, recovery on timer expiry; 19, no answer, for T301).
    // `media` runs while the call is connected without audio agreed (Config::mediaWait).
    enum class Timer : std::uint8_t { t303, t310, t301, media };
    std::optional<std::pair<Timer, std::chrono::steady_clock::duration>> timer() const;
    void expire(Timer timer);
    // An H.245 timer ran out: if its procedure still waits, the call is released (Q.850 102).
    void expireH245(h245::Session::Timer timer, std::uint16_t channel);

    bool isConnected() const noexcept { return state_ == State::connected; }
    bool isReleased() const noexcept { return state_ == State::released; }
    // Answering: the Setup's, once it has come.
    CallIds ids() const noexcept {
        return {config_.callReference, config_.callIdentifier, config_.conferenceID};
    }
    // Answering: the tags the caller's Setup carried (h225/generic_data.hpp).
    const h225::Tags& peerTags() const noexcept { return peerTags_; }
    // Answering: who calls, as the caller's Setup says.
    const Caller& peerCaller() const noexcept { return peerCaller_; }
    const std::optional<MediaPath>& media() const noexcept { return media_; }

private:
    enum class State : std::uint8_t { idle, offered, proceeding, alerting, connected, released };

    h225::SignallingMessage message(q931::MessageType type, h225::MessageBody body);
    void send(q931::MessageType type, h225::MessageBody body);
    std::vector<h225::Octets> proposals() const;
    // Incoming: the OpenLogicalChannels of the answer, for the first of our codecs that the
    // Setup's proposals offer both ways; none when none is. Once, when we first answer.
    void acceptProposals();
    // Outgoing: the answer's channels.
    void takeFastStartAnswer(const std::vector<h225::Octets>& answer);
    void startH245();
    void createH245();
    h245::TerminalCapabilitySet capabilities() const; // ours: each codec, to receive
    void connectH245To(const std::optional<h225::TransportAddress>& address);
    // H.245 on its own connection: the answerer's address in its Connect, or the caller's
    // connection to the one it was given.
    bool separateH245() const noexcept { return !(config_.tunnelling && peerTunnels_); }
    void onH245(const std::vector<h225::Octets>& control);
    void onFacility(const h225::Facility& body);
    void agreeMedia(const MediaPath& path);
    // Answering: connects to the H.245 address the peer gave before we answered, if any.
    void connectEarlyH245();
    void takeEarlyH245();
    std::uint8_t q931CallState() const noexcept;
    void sendStatus(std::uint8_t cause);
    void finish(std::uint8_t cause);

    Config config_;
    Events events_;
    State state_ = State::idle;
    bool peerTunnels_ = false;
    bool fastStartDone_ = false;
    std::vector<h225::Octets> proposals_, fastStartAnswer_; // incoming: the Setup's, ours
    std::optional<MediaPath> media_;
    h225::Tags peerTags_;
    Caller peerCaller_;
    bool peerHolds_ = false;
    std::optional<Timer> timer_; // of the placing side, while it waits
    std::unique_ptr<h245::Session> h245_;
    bool h245Connecting_ = false;          // a separate connection asked for, not yet up
    bool h245Expiring_ = false;            // inside expireH245: a failure is a timer's
    std::vector<h225::Octets> h245Outbox_; // to go in the next message we send
    std::vector<h225::Octets> earlyH245_;  // the peer's, before we knew our codecs (onH245)
    std::optional<h225::TransportAddress> earlyH245Address_; // the peer's, likewise
    bool answering_ = false; // incoming: progress(), alert() or answer() came (codecs known)
    // H.245's own channels, when fastStart did not agree: what we send and where, as learnt.
    std::optional<h245::AudioCapability> h245Transmit_, h245Receive_;
    std::optional<h245::UnicastAddress> h245RemoteRtp_, h245RemoteRtcp_;
};

} // namespace sb::h323
