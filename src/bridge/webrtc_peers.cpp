#include "bridge/webrtc_peers.hpp"

#include "bridge/peer_protocol.hpp"
#include "core/stop_signals.hpp"
#include "core/thread_name.hpp"
#include "net/worker.hpp"
#include "webrtc/sctp_transport.hpp"

#include <algorithm>
#include <asio/post.hpp>
#include <fmt/format.h>
#include <random>

namespace sb::bridge {
namespace {

// How often the sessions' timers run: DTLS's retransmissions and usrsctp's timers want a few
// milliseconds' resolution; the deadlines of acknowledgements far less.
constexpr auto kTick = std::chrono::milliseconds(5);
// How long a session that is over stays, so that its last words (session_end) leave before its
// association is torn down.
constexpr auto kLinger = std::chrono::milliseconds(250);

} // namespace

// A peer's leg, on the control loop. What it is asked it posts to its session; what the
// session reports comes back through WebRtcPeers::toLeg.
class WebRtcPeers::PeerLeg final : public room::Leg {
public:
    PeerLeg(WebRtcPeers& peers, std::uint64_t id, room::LegId leg, room::LegSink& sink,
            const Arrival& arrival, std::string description, room::Reply<Described> described)
        : peers_(peers), id_(id), leg_(leg), sink_(sink), escalation_(arrival.escalation),
          traceId_(arrival.traceId), description_(std::move(description)),
          described_(std::move(described)) {
        peers_.legs_[id_] = this;
        ++peers_.stats_.legs;
        ++peers_.stats_.joined;
    }
    ~PeerLeg() override {
        hangUp();
        peers_.legs_.erase(id_);
        --peers_.stats_.legs;
    }
    PeerLeg(const PeerLeg&) = delete;
    PeerLeg& operator=(const PeerLeg&) = delete;

    void hangUp() override {
        if (std::exchange(over_, true)) return;
        peers_.toSession(id_, [](PeerSession& s) { s.end("Switchboard ended the session"); });
        describe(fail(Errc::closed, "the session was ended"));
        sink_.onLegEvent(leg_, {room::LegEvent::Kind::ended, 0, "ended by Switchboard", {}});
    }
    std::string describe() const override { return description_; }
    bool is(const std::string& escalation, room::LegId leg) const {
        return !over_ && leg == leg_ && escalation == escalation_;
    }
    Result<void> reoffer(std::string, Answered) override {
        return fail(Errc::unsupported, "a WebRTC peer's session is renegotiated by the peer");
    }
    Result<void> sendContext(std::string_view summary, std::string_view context) override {
        if (over_) return fail(Errc::closed, "the session is over");
        // One message (RFC 8841 §6): one the peer would refuse is refused here, to the agent,
        // rather than dropped where no one hears of it. (The limit is known once the peer's
        // description is: at once for its offer, at its answer to ours. Before, the session
        // drops such a context, and logs it.)
        if (peerLargest_ > 0) {
            const auto size = contextUpdateSize(traceId_, summary, context);
            if (size > peerLargest_)
                return fail(Errc::too_large,
                            fmt::format("the context's message would be {} bytes, over the "
                                        "peer's a=max-message-size of {} (RFC 8841 §6)",
                                        size, peerLargest_));
        }
        peers_.toSession(id_, [summary = std::string(summary), context = std::string(context)](
                                  PeerSession& s) { s.sendContext(summary, context); });
        return {};
    }
    Result<std::string> sendFile(const std::shared_ptr<const room::EvidenceFile>& file,
                                 std::uint32_t fromChunk) override {
        if (over_) return fail(Errc::closed, "the session is over");
        peers_.toSession(id_, [file, fromChunk](PeerSession& s) { s.sendFile(file, fromChunk); });
        return file->id;
    }

    // The session's events.
    void described(Result<std::string> sdp, std::uint64_t peerLargestMessage) {
        peerLargest_ = peerLargestMessage;
        if (!sdp) {
            const bool theirs = sdp.error().code == Errc::invalid_input;
            finish(theirs ? room::LegEvent::Kind::ended : room::LegEvent::Kind::failed,
                   "description: " + sdp.error().message);
            return describe(fail(sdp.error()));
        }
        describe(Described{id_, std::move(sdp).value()});
        event(room::LegEvent::Kind::ringing, "described; ICE, DTLS and SCTP under way");
    }
    void active(std::uint64_t peerLargestMessage) {
        peerLargest_ = peerLargestMessage;
        event(room::LegEvent::Kind::answered, "the peer answered the handshake");
    }
    void event(room::LegEvent::Kind kind, std::string reason) {
        if (!over_) sink_.onLegEvent(leg_, {kind, 0, std::move(reason), {}});
    }
    void finish(room::LegEvent::Kind kind, std::string reason) {
        if (std::exchange(over_, true)) return;
        sink_.onLegEvent(leg_, {kind, 0, std::move(reason), {}});
    }
    void progress(const room::FileProgress& p) {
        if (!over_) sink_.onFileProgress(leg_, p);
    }
    void mediaOffer(const std::string& offer) {
        if (over_) return;
        sink_.onLegOffer(leg_, offer,
                         [&peers = peers_, alive = peers_.lifetime_.watch(),
                          id = id_](Result<std::string> answer) {
                             if (!alive) return;
                             peers.toSession(id, [answer = std::move(answer)](PeerSession& s) {
                                 s.mediaAnswered(answer);
                             });
                         });
    }

private:
    void describe(Result<Described> outcome) {
        if (auto reply = std::exchange(described_, nullptr)) reply(std::move(outcome));
    }

    WebRtcPeers& peers_;
    std::uint64_t id_;
    room::LegId leg_;
    room::LegSink& sink_;
    std::string escalation_;
    std::string traceId_;
    std::string description_;
    std::uint64_t peerLargest_ = 0; // the peer's a=max-message-size, once active (0: none)
    room::Reply<Described> described_;
    bool over_ = false;
};

WebRtcPeers::WebRtcPeers(asio::io_context& control, Options options)
    : control_(control), options_(std::move(options)) {}

Result<std::unique_ptr<WebRtcPeers>> WebRtcPeers::start(asio::io_context& control,
                                                        Options options) {
    auto identity = webrtc::DtlsIdentity::generate();
    if (!identity) return fail(Errc::io, "WebRTC: " + identity.error().message);
    std::unique_ptr<WebRtcPeers> peers(new WebRtcPeers(control, std::move(options)));
    peers->identity_ = std::make_unique<webrtc::DtlsIdentity>(std::move(identity).value());
    peers->ice_ = std::make_unique<webrtc::IceLoop>();
    peers->work_.emplace(peers->io_.get_executor());
    peers->lastTick_ = Clock::now();
    peers->thread_ = std::thread([p = peers.get()] {
        nameThisThread("sb-webrtc");
        blockStopSignals();
        p->tick();
        net::runGuarded(p->io_, "sb-webrtc");
    });
    peers->readerWork_.emplace(peers->reader_.get_executor());
    peers->readerThread_ = std::thread([p = peers.get()] {
        nameThisThread("sb-evidence");
        blockStopSignals();
        net::runGuarded(p->reader_, "sb-evidence");
    });
    return peers;
}

WebRtcPeers::~WebRtcPeers() {
    lifetime_.end();
    asio::post(io_, [this] {
        stopping_ = true; // a tick already due must not arm the timer again
        ticker_.cancel();
        sessions_.clear(); // their associations abort, their ICE agents go
        work_.reset();
    });
    thread_.join();
    reader_.stop(); // what it would still read has nobody to go to
    readerThread_.join();
}

void WebRtcPeers::read(std::uint64_t session, std::shared_ptr<const room::EvidenceFile> file,
                       std::uint64_t offset, std::size_t length) {
    asio::post(reader_, [this, session, file = std::move(file), offset, length] {
        auto bytes = file->content ? file->content->read(offset, length)
                                   : Result<std::vector<std::byte>>(std::vector<std::byte>());
        toSession(session, [id = file->id, bytes = std::move(bytes)](PeerSession& s) mutable {
            s.supply(id, std::move(bytes));
        });
    });
}

void WebRtcPeers::tick() {
    if (stopping_) return;
    const auto now = Clock::now();
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - lastTick_);
    webrtc::SctpTransport::advanceTimers(elapsed);
    lastTick_ += elapsed; // the fraction of a millisecond left counts next time
    for (auto s = sessions_.begin(); s != sessions_.end();) {
        auto& [session, overSince] = s->second;
        session->tick(now);
        if (session->over() && overSince == Clock::time_point{}) overSince = now;
        const bool gone = overSince != Clock::time_point{} && now - overSince >= kLinger;
        s = gone ? sessions_.erase(s) : std::next(s);
    }
    ticker_.expires_after(kTick);
    ticker_.async_wait([this](const asio::error_code& ec) {
        if (!ec) tick();
    });
}

std::unique_ptr<room::Leg> WebRtcPeers::arrive(room::LegId leg, room::LegSink& sink,
                                               Arrival arrival, room::Reply<Described> described) {
    const std::uint64_t id = nextId_++;
    auto made = std::make_unique<PeerLeg>(*this, id, leg, sink, arrival,
                                          fmt::format("webrtc peer {}{}{}", id,
                                                      arrival.remote.empty() ? "" : " from ",
                                                      arrival.remote),
                                          std::move(described));
    asio::post(io_, [this, id, arrival = std::move(arrival)]() mutable {
        startSession(id, std::move(arrival));
    });
    return made;
}

void WebRtcPeers::startSession(std::uint64_t id, Arrival arrival) {
    PeerSession::Options o;
    o.escalation = arrival.escalation;
    o.traceId = arrival.traceId;
    o.role = arrival.role;
    o.connection.maxMessageSize = options_.maxMessageSize;
    o.connection.ice.stunServer = options_.stunServer;
    o.connection.ice.stunPort = options_.stunPort;
    o.connection.ice.turn = options_.turn;
    o.connection.ice.relayOnly = options_.relayOnly;
    o.ackTimeout = options_.ackTimeout;
    o.backoff = options_.backoff;
    if (options_.audio)
        o.connection.audio = webrtc::DataSession::Audio{
            static_cast<std::uint32_t>(std::random_device{}()), fmt::format("switchboard-{}", id)};
    using Kind = room::LegEvent::Kind;
    PeerSession::Events e;
    e.described = [this, id](Result<std::string> sdp, std::uint64_t peerLargestMessage) {
        toLeg(id, [sdp = std::move(sdp), peerLargestMessage](PeerLeg& leg) mutable {
            leg.described(std::move(sdp), peerLargestMessage);
        });
    };
    if (arrival.signal)
        e.signal = [this, signal = arrival.signal](std::string text) {
            asio::post(control_, [alive = lifetime_.watch(), signal, text = std::move(text)] {
                if (alive) signal(text);
            });
        };
    e.active = [this, id](std::uint64_t peerLargestMessage) {
        toLeg(id, [this, peerLargestMessage](PeerLeg& leg) {
            ++stats_.active;
            leg.active(peerLargestMessage);
        });
    };
    e.degraded = [this, id](const std::string& why) {
        toLeg(id, [why](PeerLeg& leg) { leg.event(Kind::degraded, why); });
    };
    e.recovered = [this, id] {
        toLeg(id, [](PeerLeg& leg) { leg.event(Kind::recovered, "recovered"); });
    };
    e.failed = [this, id](const Error& why) {
        toLeg(id, [this, why = why.message](PeerLeg& leg) {
            ++stats_.failed;
            leg.finish(Kind::failed, why);
        });
    };
    e.ended = [this, id](const std::string& why) {
        toLeg(id, [why](PeerLeg& leg) { leg.finish(Kind::ended, why); });
    };
    e.progress = [this, id](const room::FileProgress& p) {
        toLeg(id, [p](PeerLeg& leg) { leg.progress(p); });
    };
    e.read = [this, id](std::shared_ptr<const room::EvidenceFile> file, std::uint64_t offset,
                        std::size_t length) { read(id, std::move(file), offset, length); };
    e.mediaOffer = [this, id](std::string offer) {
        toLeg(id, [offer = std::move(offer)](PeerLeg& leg) { leg.mediaOffer(offer); });
    };
    auto post = [this](std::function<void()> work) { asio::post(io_, std::move(work)); };
    auto& entry = sessions_[id];
    entry.session =
        std::make_unique<PeerSession>(io_, *ice_, *identity_, post, std::move(o), std::move(e));
    if (arrival.offer.empty())
        entry.session->offer();
    else
        entry.session->answer(std::move(arrival.offer));
}

void WebRtcPeers::accept(std::uint64_t session, std::string answer) {
    toSession(session, [answer = std::move(answer)](PeerSession& s) { s.accept(answer); });
}

void WebRtcPeers::patch(const std::string& escalation, room::LegId leg,
                        webrtc::IceFragment fragment,
                        room::Reply<std::optional<webrtc::IceFragment>> reply) {
    auto found = std::find_if(legs_.begin(), legs_.end(),
                              [&](const auto& entry) { return entry.second->is(escalation, leg); });
    if (found == legs_.end()) return reply(fail(Errc::not_found, "no such session"));
    takeFragment(found->first, std::move(fragment), false, std::move(reply));
}

void WebRtcPeers::takeFragment(std::uint64_t session, webrtc::IceFragment fragment, bool answers,
                               room::Reply<std::optional<webrtc::IceFragment>> reply) {
    asio::post(io_, [this, session, fragment = std::move(fragment), answers,
                     reply = std::move(reply)] {
        auto s = sessions_.find(session);
        auto outcome = s == sessions_.end() ? Result<std::optional<webrtc::IceFragment>>(
                                                  fail(Errc::not_found, "the session is over"))
                                            : s->second.session->takeFragment(fragment, answers);
        asio::post(control_, [alive = lifetime_.watch(), reply, outcome = std::move(outcome)] {
            if (alive) reply(outcome);
        });
    });
}

void WebRtcPeers::addCandidate(std::uint64_t session, std::string line) {
    toSession(session, [line = std::move(line)](PeerSession& s) { s.addCandidate(line); });
}

void WebRtcPeers::toLeg(std::uint64_t id, std::function<void(PeerLeg&)> work) {
    asio::post(control_, [this, alive = lifetime_.watch(), id, work = std::move(work)] {
        if (!alive) return;
        if (auto leg = legs_.find(id); leg != legs_.end()) work(*leg->second);
    });
}

void WebRtcPeers::toSession(std::uint64_t id, std::function<void(PeerSession&)> work) {
    asio::post(io_, [this, id, work = std::move(work)] {
        if (auto s = sessions_.find(id); s != sessions_.end() && !s->second.session->over())
            work(*s->second.session);
    });
}

} // namespace sb::bridge
