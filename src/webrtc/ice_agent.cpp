#include "webrtc/ice_agent.hpp"

#include "core/stop_signals.hpp"
#include "core/thread_name.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <future>
#include <nice/agent.h>
#include <vector>

namespace sb::webrtc {

IceLoop::IceLoop()
    : context_(g_main_context_new()), loop_(g_main_loop_new(context_, FALSE)), thread_([this] {
          nameThisThread("sb-ice");
          blockStopSignals(); // and so every thread GLib starts from here
          g_main_context_push_thread_default(context_);
          g_main_loop_run(loop_);
          g_main_context_pop_thread_default(context_);
      }) {}

IceLoop::~IceLoop() {
    // Quit from inside the loop: a g_main_loop_quit() that comes before the thread has entered
    // g_main_loop_run() is lost (run sets the loop running again), and the join would wait
    // for ever. A source on the context runs once the loop does.
    g_main_context_invoke(
        context_,
        [](gpointer loop) -> gboolean {
            g_main_loop_quit(static_cast<GMainLoop*>(loop));
            return G_SOURCE_REMOVE;
        },
        loop_);
    thread_.join();
    // What is ready still runs (agents' closes that need no answer from a server, each
    // releasing its agent); a TURN server's answers are not waited for.
    if (g_main_context_acquire(context_)) {
        while (g_main_context_iteration(context_, FALSE)) {
        }
        g_main_context_release(context_);
    }
    g_main_loop_unref(loop_);
    g_main_context_unref(context_);
}

void IceLoop::runAndWait(const std::function<void()>& work) {
    struct Call {
        const std::function<void()>* work;
        std::promise<void> done;
    } call{&work, {}};
    auto done = call.done.get_future();
    g_main_context_invoke(
        context_,
        [](gpointer p) -> gboolean {
            auto* c = static_cast<Call*>(p);
            (*c->work)();
            c->done.set_value();
            return G_SOURCE_REMOVE;
        },
        &call);
    done.wait();
}

struct IceAgent::Shared {
    Post post;
    Handlers handlers;
    bool alive = true; // on the owner's thread: false once the agent has gone
};

namespace {

using SharedRef = std::shared_ptr<IceAgent::Shared>;

// libnice's callbacks, on the loop's thread: each hands what it learnt to the owner.
template <class F>
void toOwner(gpointer data, F work) {
    const SharedRef& s = *static_cast<SharedRef*>(data);
    s->post([s, work = std::move(work)] {
        if (s->alive) work(*s);
    });
}

void onCandidate(NiceAgent* agent, NiceCandidate* candidate, gpointer data) {
    gchar* text = nice_agent_generate_local_candidate_sdp(agent, candidate);
    auto parsed = readCandidate(text ? text : "");
    g_free(text);
    if (!parsed) return; // libnice writes what it can read; nothing else comes here
    toOwner(data, [c = std::move(parsed).value()](IceAgent::Shared& s) {
        if (s.handlers.candidate) s.handlers.candidate(c);
    });
}

void onGathered(NiceAgent*, guint, gpointer data) {
    toOwner(data, [](IceAgent::Shared& s) {
        if (s.handlers.gathered) s.handlers.gathered();
    });
}

void onState(NiceAgent*, guint, guint, guint state, gpointer data) {
    using State = IceAgent::State;
    State ours;
    switch (state) {
    case NICE_COMPONENT_STATE_GATHERING:
        ours = State::gathering;
        break;
    case NICE_COMPONENT_STATE_CONNECTING:
        ours = State::checking;
        break;
    case NICE_COMPONENT_STATE_CONNECTED:
    case NICE_COMPONENT_STATE_READY:
        ours = State::connected;
        break;
    case NICE_COMPONENT_STATE_FAILED:
        ours = State::failed;
        break;
    default: // disconnected: no activity, or consent lost (RFC 7675 §5.1)
        ours = State::disconnected;
        break;
    }
    toOwner(data, [ours](IceAgent::Shared& s) {
        if (s.handlers.state) s.handlers.state(ours);
    });
}

std::string describeCandidate(const NiceCandidate* c) {
    static constexpr const char* kTypes[] = {"host", "srflx", "prflx", "relay"};
    char address[NICE_ADDRESS_STRING_LEN] = {};
    nice_address_to_string(&c->addr, address);
    const auto type = static_cast<std::size_t>(c->type);
    return fmt::format("{} {}:{}", type < 4 ? kTypes[type] : "?", address,
                       nice_address_get_port(&c->addr));
}

void onSelected(NiceAgent*, guint, guint, NiceCandidate* local, NiceCandidate* remote,
                gpointer data) {
    toOwner(data, [pair = describeCandidate(local) + " ↔ " +
                          describeCandidate(remote)](IceAgent::Shared& s) {
        if (s.handlers.selected) s.handlers.selected(pair);
    });
}

void onReceive(NiceAgent*, guint, guint, guint length, gchar* bytes, gpointer data) {
    auto* begin = reinterpret_cast<const std::byte*>(bytes);
    toOwner(data, [datagram = std::vector<std::byte>(begin, begin + length)](IceAgent::Shared& s) {
        if (s.handlers.received) s.handlers.received(datagram);
    });
}

} // namespace

IceAgent::IceAgent(IceLoop& loop, std::shared_ptr<Shared> shared)
    : loop_(loop), shared_(std::move(shared)) {}

Result<std::unique_ptr<IceAgent>> IceAgent::make(IceLoop& loop, Options options, Post post,
                                                 Handlers handlers) {
    std::unique_ptr<IceAgent> a(
        new IceAgent(loop, std::make_shared<Shared>(Shared{std::move(post), std::move(handlers)})));
    bool turnRefused = false;
    loop.runAndWait([&] {
        // RFC 8445 §8.1.1: regular nomination (aggressive is deprecated); trickle (RFC 8838);
        // consent freshness (RFC 7675).
        a->agent_ =
            nice_agent_new_full(loop.context(), NICE_COMPATIBILITY_RFC5245,
                                static_cast<NiceAgentOption>(NICE_AGENT_OPTION_REGULAR_NOMINATION |
                                                             NICE_AGENT_OPTION_ICE_TRICKLE |
                                                             NICE_AGENT_OPTION_CONSENT_FRESHNESS));
        if (!a->agent_) return;
        // No UPnP IGD: a gateway does not ask the site's router for port mappings, and libnice's
        // UPnP client (GUPnP) would run its discovery on whichever thread gathers, outside our
        // loop, holding up the end of gathering until its timer.
        g_object_set(a->agent_, "controlling-mode", options.controlling ? TRUE : FALSE, "upnp",
                     FALSE, "force-relay", options.relayOnly ? TRUE : FALSE, nullptr);
        if (options.stunServer)
            g_object_set(a->agent_, "stun-server", options.stunServer->c_str(), "stun-server-port",
                         static_cast<guint>(options.stunPort), nullptr);
        for (const auto& address : options.addresses) {
            NiceAddress local;
            nice_address_init(&local);
            if (nice_address_set_from_string(&local, address.c_str()))
                nice_agent_add_local_address(a->agent_, &local);
        }
        a->stream_ = nice_agent_add_stream(a->agent_, 1); // one component: rtcp-mux, BUNDLE
        if (const auto& turn = options.turn; turn && a->stream_ != 0) {
            using Transport = Options::Turn::Transport;
            const NiceRelayType type = turn->transport == Transport::tcp ? NICE_RELAY_TYPE_TURN_TCP
                                       : turn->transport == Transport::tls
                                           ? NICE_RELAY_TYPE_TURN_TLS
                                           : NICE_RELAY_TYPE_TURN_UDP;
            turnRefused = !nice_agent_set_relay_info(a->agent_, a->stream_, 1, turn->server.c_str(),
                                                     turn->port, turn->username.c_str(),
                                                     turn->password.c_str(), type);
        }
        auto* data = new SharedRef(a->shared_);
        g_object_set_data_full(G_OBJECT(a->agent_), "switchboard", data,
                               [](gpointer p) { delete static_cast<SharedRef*>(p); });
        g_signal_connect(a->agent_, "new-candidate-full", G_CALLBACK(onCandidate), data);
        g_signal_connect(a->agent_, "candidate-gathering-done", G_CALLBACK(onGathered), data);
        g_signal_connect(a->agent_, "component-state-changed", G_CALLBACK(onState), data);
        g_signal_connect(a->agent_, "new-selected-pair-full", G_CALLBACK(onSelected), data);
        nice_agent_attach_recv(a->agent_, a->stream_, 1, loop.context(), onReceive, data);
    });
    if (!a->agent_ || a->stream_ == 0) return fail(Errc::io, "ICE: libnice made no agent");
    if (turnRefused)
        return fail(Errc::invalid_input,
                    fmt::format("ICE: libnice refused the TURN server '{}'", options.turn->server));
    return a;
}

IceAgent::~IceAgent() {
    shared_->alive = false; // what the loop has posted already finds nobody
    if (!agent_) return;
    loop_.runAndWait([this] {
        // Nothing of libnice's runs for this agent after this: the loop is this thread.
        nice_agent_attach_recv(agent_, stream_, 1, loop_.context(), nullptr, nullptr);
        g_signal_handlers_disconnect_matched(agent_, G_SIGNAL_MATCH_DATA, 0, 0, nullptr, nullptr,
                                             g_object_get_data(G_OBJECT(agent_), "switchboard"));
        // A TURN allocation is released (RFC 8656 §7: a Refresh with lifetime 0) before the
        // agent goes, rather than left on the server until it expires; the agent is released
        // once that is done, on this loop (or never, if the loop stops first: at exit).
        nice_agent_close_async(
            agent_, [](GObject* agent, GAsyncResult*, gpointer) { g_object_unref(agent); },
            nullptr);
    });
}

std::pair<std::string, std::string> IceAgent::localCredentials() const {
    gchar* ufrag = nullptr;
    gchar* pwd = nullptr;
    nice_agent_get_local_credentials(agent_, stream_, &ufrag, &pwd);
    std::pair<std::string, std::string> out{ufrag ? ufrag : "", pwd ? pwd : ""};
    g_free(ufrag);
    g_free(pwd);
    return out;
}

Result<void> IceAgent::gather() {
    if (!nice_agent_gather_candidates(agent_, stream_))
        return fail(Errc::io, "ICE: no local address to gather a candidate on");
    return {};
}

Result<void> IceAgent::setRemoteCredentials(const std::string& ufrag, const std::string& pwd) {
    if (!nice_agent_set_remote_credentials(agent_, stream_, ufrag.c_str(), pwd.c_str()))
        return fail(Errc::invalid_input, "ICE: libnice refused the peer's credentials");
    return {};
}

Result<void> IceAgent::addRemoteCandidate(const IceCandidate& candidate) {
    if (candidate.component != 1) return {}; // RTCP's: everything shares component 1 here
    const std::string line = "a=candidate:" + writeCandidate(candidate);
    NiceCandidate* parsed = nice_agent_parse_remote_candidate_sdp(agent_, stream_, line.c_str());
    if (!parsed)
        return fail(Errc::unsupported,
                    fmt::format("ICE: libnice does not take the candidate '{}'", line));
    GSList* list = g_slist_append(nullptr, parsed);
    const int added = nice_agent_set_remote_candidates(agent_, stream_, 1, list);
    g_slist_free_full(list, reinterpret_cast<GDestroyNotify>(nice_candidate_free));
    if (added < 0) return fail(Errc::invalid_input, "ICE: libnice refused the candidate");
    return {};
}

Result<void> IceAgent::restart() {
    if (!nice_agent_restart_stream(agent_, stream_))
        return fail(Errc::io, "ICE: libnice could not restart the stream");
    return {};
}

void IceAgent::remoteGatheringDone() {
    nice_agent_peer_candidate_gathering_done(agent_, stream_);
}

void IceAgent::send(std::span<const std::byte> datagram) {
    if (outboxEnds_.empty())
        shared_->post([s = shared_, this] {
            if (s->alive) flush(); // `this` lives while the agent does
        });
    outbox_.insert(outbox_.end(), datagram.begin(), datagram.end());
    outboxEnds_.push_back(outbox_.size());
}

void IceAgent::flush() {
    // libnice hands several messages to GLib's g_socket_send_messages(), sendmmsg() on Linux.
    std::array<GOutputVector, kBatch> vectors{};
    std::array<NiceOutputMessage, kBatch> messages{};
    std::size_t begin = 0;
    for (std::size_t first = 0; first < outboxEnds_.size(); first += kBatch) {
        const std::size_t n = std::min(kBatch, outboxEnds_.size() - first);
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t end = outboxEnds_[first + i];
            vectors[i] = {outbox_.data() + begin, end - begin};
            messages[i] = {&vectors[i], 1};
            begin = end;
        }
        // Fewer sent (a full socket buffer) or an error (no pair yet): the rest are dropped.
        (void)nice_agent_send_messages_nonblocking(agent_, stream_, 1, messages.data(),
                                                   static_cast<guint>(n), nullptr, nullptr);
    }
    outbox_.clear();
    outboxEnds_.clear();
}

} // namespace sb::webrtc
