// The WebRTC bridge's routes of the agent API (api_routes.hpp): WHIP (RFC 9725) for peers
// that join an escalation, the expert's grant, evidence uploads, and the expert's page.

#include "api/problem.hpp"
#include "app/api_routes.hpp"
#include "app/expert_page.hpp" // generated from deploy/web/expert.html (CMakeLists.txt)
#include "bridge/peer_protocol.hpp"
#include "core/trace.hpp"
#include "core/utf8.hpp"
#include "webrtc/data_session.hpp"

#include <asio/post.hpp>
#include <charconv>
#include <fmt/format.h>

namespace sb::app {
namespace {

using nlohmann::json;

// An offer is a few kilobytes; one past this is not a browser's or an agent's.
constexpr std::size_t kMaxOffer = 64 * 1024;

api::Response unavailable() {
    return api::problem(503, "Service Unavailable", "the WebRTC bridge is off ([webrtc] enabled)");
}

bool mediaTypeIs(const api::Request& request, std::string_view type) {
    auto header = request.header("Content-Type");
    return header && api::iequals(header->substr(0, header->find(';')), type);
}

// POST /v1/escalations/{id}/whip: the peer's SDP offer; 201 with our answer (which carries
// every candidate of ours: no trickle, RFC 9725 §4.3.1) and the session's resource.
void whip(ApiServices& s, const api::Request& request, const std::string& id,
          const api::Respond& respond) {
    if (!s.webrtc) return respond(unavailable());
    if (!mediaTypeIs(request, "application/sdp"))
        return respond(api::problem(415, "Unsupported Media Type",
                                    "the body must be an SDP offer as application/sdp",
                                    {{"field", "Content-Type"}}));
    if (request.body.empty() || request.body.size() > kMaxOffer)
        return respond(api::problem(
            400, "Bad Request", fmt::format("expected an SDP offer of 1 to {} bytes", kMaxOffer),
            {{"field", "body"}}));
    // Read here, on the API thread, so that an offer we cannot take costs no leg.
    if (auto offer = webrtc::readDataSession(request.body); !offer)
        return respond(
            api::problem(400, "Bad Request", offer.error().message, {{"field", "body"}}));
    bridge::WebRtcPeers::Arrival arrival;
    arrival.offer = request.body;
    arrival.escalation = id;
    arrival.role = request.grant.empty() ? "agent" : "expert";
    arrival.remote = request.remote;
    auto answered = [respond, id](room::LegId leg, const std::string& traceId) {
        return [respond, id, leg, traceId](Result<bridge::WebRtcPeers::Described> answer) {
            if (!answer) {
                const bool theirs = answer.error().code == Errc::invalid_input;
                return respond(api::problem(theirs ? 400 : 503, {}, answer.error().message,
                                            {{"field", "body"}}));
            }
            auto response = api::textResponse(201, std::move(answer->sdp), "application/sdp");
            response.headers.emplace_back(
                "Location", fmt::format("/v1/escalations/{}/whip/{}", id, leg.value()));
            response.headers.emplace_back("X-IF-Trace-ID", traceId);
            respond(std::move(response));
        };
    };
    onControl(s, respond,
              [&s, id, agent = request.agent, grant = request.grant, arrival = std::move(arrival),
               answered, respond] {
                  s.escalations.joinPeer(
                      id, agent, grant, "webrtc",
                      [&s, &arrival, &answered](room::LegId leg, room::LegSink& sink,
                                                const std::string& traceId) {
                          auto a = arrival;
                          a.traceId = traceId;
                          return Result<std::unique_ptr<room::Leg>>(
                              s.webrtc->arrive(leg, sink, std::move(a), answered(leg, traceId)));
                      },
                      // Success is the answer's to say, once the session has one.
                      [respond](const EscalationAnswer& a) {
                          if (a.status >= 300) respond(answerOf(a, {}));
                      });
              });
}

// GET /v1/escalations/{id}/signal: a signalling WebSocket for one WebRTC session, whose
// messages are IFMessages (bridge/peer_protocol.hpp): the peer's handshake with its offer, or
// without one to have Switchboard offer, then its answer; candidates trickled both ways; the
// peer's session_end. Closing the socket ends the session. Its state lives on the control loop.
class Signalling : public std::enable_shared_from_this<Signalling> {
public:
    Signalling(ApiServices& s, std::string escalation, std::string agent, std::string grant,
               std::string remote, std::shared_ptr<api::SignalChannel> channel)
        : s_(s), escalation_(std::move(escalation)), agent_(std::move(agent)),
          grant_(std::move(grant)), remote_(std::move(remote)), channel_(std::move(channel)) {}

    void take(const std::string& text) {
        auto message = bridge::readPeerMessage(text);
        if (!message) return error(message.error().message);
        const auto& p = message->payload;
        switch (message->performative) {
        case bridge::Performative::handshake:
            if (p.contains("ice"))
                return iceRestart(p["ice"], p.contains("type") && p["type"] == "answer");
            return handshake(p.contains("sdp") && p["sdp"].is_string() ? p["sdp"].get<std::string>()
                                                                       : std::string());
        case bridge::Performative::candidate:
            if (p.contains("end") && !p["end"].is_boolean())
                return error("/payload/end: expected true or false");
            if (p.contains("end") && p["end"].get<bool>()) return candidate({});
            if (!p.contains("candidate") || !p["candidate"].is_string())
                return error("/payload/candidate: expected a candidate line");
            return candidate(p["candidate"].get<std::string>());
        case bridge::Performative::session_end:
            return leave();
        default:
            return error(fmt::format("/performative: the signalling takes handshake, candidate "
                                     "and session_end, not {}",
                                     bridge::nameOf(message->performative)));
        }
    }
    // The socket has gone: so has the session.
    void leave() {
        if (leg_ && !left_) {
            left_ = true;
            s_.escalations.leavePeer(escalation_, agent_, grant_, leg_->value(),
                                     [](const EscalationAnswer&) {});
        }
        channel_->close();
    }

private:
    void handshake(std::string sdp) {
        if (joined_) {
            if (!weOffer_ || !session_ || sdp.empty())
                return error("/payload/sdp: a handshake was made already");
            return s_.webrtc->accept(*session_, std::move(sdp));
        }
        if (!sdp.empty())
            if (auto offer = webrtc::readDataSession(sdp); !offer)
                return error("/payload/sdp: " + offer.error().message);
        joined_ = true;
        weOffer_ = sdp.empty();
        auto self = shared_from_this();
        s_.escalations.joinPeer(
            escalation_, agent_, grant_, "webrtc",
            [self, sdp](room::LegId leg, room::LegSink& sink, const std::string& traceId) {
                bridge::WebRtcPeers::Arrival a;
                a.offer = sdp;
                a.escalation = self->escalation_;
                a.traceId = traceId;
                a.role = self->grant_.empty() ? "agent" : "expert";
                a.remote = self->remote_;
                a.signal = [channel = self->channel_](std::string text) {
                    channel->send(std::move(text));
                };
                self->leg_ = leg;
                return Result<std::unique_ptr<room::Leg>>(self->s_.webrtc->arrive(
                    leg, sink, std::move(a), [self, traceId](auto described) {
                        self->described(std::move(described), traceId);
                    }));
            },
            [self](const EscalationAnswer& a) {
                if (a.status < 300) return;
                self->error(a.body.value("detail", "refused"));
                self->channel_->close();
            });
    }

    void described(Result<bridge::WebRtcPeers::Described> d, const std::string& traceId) {
        if (!d) {
            error(d.error().message);
            return channel_->close();
        }
        session_ = d->session;
        traceId_ = traceId;
        channel_->send(bridge::writePeerMessage(
            bridge::Performative::handshake, traceId,
            {{"type", weOffer_ ? "offer" : "answer"}, {"sdp", std::move(d->sdp)}}));
        for (auto& line : early_)
            s_.webrtc->addCandidate(*session_, std::move(line));
        early_.clear();
    }

    // An ICE restart of the peer's, or its answer to ours (bridge/peer_protocol.hpp).
    void iceRestart(const nlohmann::json& text, bool answers) {
        if (!session_) return error("/payload/ice: an ICE restart before the session is set up");
        if (!text.is_string()) return error("/payload/ice: expected an SDP fragment");
        auto fragment = webrtc::readIceFragment(text.get<std::string>());
        if (!fragment) return error("/payload/ice: " + fragment.error().message);
        s_.webrtc->takeFragment(
            *session_, std::move(fragment).value(), answers,
            [self = shared_from_this()](Result<std::optional<webrtc::IceFragment>> ours) {
                if (!ours) return self->error("/payload/ice: " + ours.error().message);
                if (!*ours) return; // it answered ours, or only trickled
                self->channel_->send(bridge::writePeerMessage(
                    bridge::Performative::handshake, self->traceId_,
                    {{"type", "answer"}, {"ice", webrtc::writeIceFragment(**ours)}}));
            });
    }

    void candidate(std::string line) {
        if (!joined_) return error("/performative: a candidate before the handshake");
        if (!session_) return early_.push_back(std::move(line)); // our description is on its way
        s_.webrtc->addCandidate(*session_, std::move(line));
    }

    void error(const std::string& detail) {
        channel_->send(
            bridge::writePeerMessage(bridge::Performative::error, {}, {{"detail", detail}}));
    }

    ApiServices& s_;
    std::string escalation_, agent_, grant_, remote_;
    std::string traceId_; // the escalation's, once described
    std::shared_ptr<api::SignalChannel> channel_;
    bool joined_ = false, weOffer_ = false, left_ = false;
    std::optional<room::LegId> leg_;
    std::optional<std::uint64_t> session_;
    std::vector<std::string> early_; // candidates that came before our description
};

// Lets the signalling socket read the client's next message once the last has been taken.
struct ReadNextAfter {
    const api::SignalHandlers::Next& next;
    ~ReadNextAfter() { next(); }
};

api::SignalHandlers signalling(ApiServices& s, const api::Request& request,
                               const api::PathParams& params,
                               std::shared_ptr<api::SignalChannel> channel) {
    if (!s.webrtc) {
        channel->send(bridge::writePeerMessage(bridge::Performative::error, {},
                                               {{"detail", "the WebRTC bridge is off"}}));
        channel->close();
        return {};
    }
    auto state = std::make_shared<Signalling>(s, params.at("id"), request.agent, request.grant,
                                              request.remote, std::move(channel));
    return {[&s, state](std::string text, api::SignalHandlers::Next next) {
                asio::post(s.control, [state, text = std::move(text), next = std::move(next)] {
                    const ReadNextAfter readNext{next}; // even if taking it throws
                    state->take(text);
                });
            },
            [&s, state] { asio::post(s.control, [state] { state->leave(); }); }};
}

// The {leg} of a session's resource, /v1/escalations/{id}/whip/{leg}.
std::optional<std::uint64_t> legOf(const api::PathParams& params) {
    std::uint64_t leg = 0;
    const auto& text = params.at("leg");
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), leg);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return leg;
}

api::Response noSuchSession() {
    return api::problem(404, {}, "no such session", {{"field", "leg"}});
}

// PATCH /v1/escalations/{id}/whip/{leg}: the peer's ICE fragment (RFC 9725 §4.3, RFC 8840 §9):
// candidates it trickles (204), or an ICE restart, with credentials other than its session's
// (200 with ours and our candidates: RFC 9725 §4.3.2).
void whipPatch(ApiServices& s, const api::Request& request, const api::PathParams& params,
               const api::Respond& respond) {
    if (!s.webrtc) return respond(unavailable());
    const auto leg = legOf(params);
    if (!leg) return respond(noSuchSession());
    if (!mediaTypeIs(request, "application/trickle-ice-sdpfrag"))
        return respond(api::problem(415, "Unsupported Media Type",
                                    "the body must be an application/trickle-ice-sdpfrag",
                                    {{"field", "Content-Type"}}));
    auto fragment = request.body.size() > kMaxOffer
                        ? Result<webrtc::IceFragment>(fail(Errc::invalid_input, "too long"))
                        : webrtc::readIceFragment(request.body);
    if (!fragment)
        return respond(
            api::problem(400, "Bad Request", fragment.error().message, {{"field", "body"}}));
    onControl(s, respond,
              [&s, id = params.at("id"), agent = request.agent, grant = request.grant, leg = *leg,
               respond, fragment = std::move(fragment).value()]() mutable {
                  if (!s.escalations.mayActOn(id, agent, grant)) return respond(noSuchSession());
                  s.webrtc->patch(
                      id, room::LegId(leg), std::move(fragment),
                      [respond](Result<std::optional<webrtc::IceFragment>> ours) {
                          if (!ours && ours.error().code == Errc::not_found)
                              return respond(noSuchSession());
                          if (!ours)
                              return respond(api::problem(400, "Bad Request", ours.error().message,
                                                          {{"field", "body"}}));
                          if (!*ours) return respond(api::Response{204, {}, {}, {}});
                          auto response = api::textResponse(200, webrtc::writeIceFragment(**ours),
                                                            "application/trickle-ice-sdpfrag");
                          // RFC 9725 §4.3.1: the ETag names the new ICE session.
                          response.headers.emplace_back("ETag", "\"" + *(*ours)->iceUfrag + "\"");
                          respond(std::move(response));
                      });
              });
}

// DELETE /v1/escalations/{id}/whip/{leg}: the peer ends its session (RFC 9725 §4.2).
void whipDelete(ApiServices& s, const api::Request& request, const api::PathParams& params,
                const api::Respond& respond) {
    const auto found = legOf(params);
    if (!found) return respond(noSuchSession());
    const std::uint64_t leg = *found;
    onControl(
        s, respond,
        [&s, id = params.at("id"), agent = request.agent, grant = request.grant, leg, respond] {
            s.escalations.leavePeer(id, agent, grant, leg, [respond](const EscalationAnswer& a) {
                respond(answerOf(a, {}));
            });
        });
}

// POST /v1/escalations/{id}/grants: a grant for the expert's browser, and the page to open.
void grant(ApiServices& s, const api::Request& request, const std::string& id,
           const api::Respond& respond) {
    if (!s.webrtc || !s.grants) return respond(unavailable());
    const auto expires = api::Grants::Clock::now() + s.grantLife;
    const auto expiresUnix =
        std::chrono::duration_cast<std::chrono::seconds>(expires.time_since_epoch()).count();
    onControl(
        s, respond,
        [&s, id, agent = request.agent, expiresUnix, token = s.grants->issue(id, expires),
         respond] {
            s.escalations.grantExpert(
                id, agent, expiresUnix, [respond, id, token, expiresUnix](EscalationAnswer a) {
                    if (a.status == 201) {
                        a.body["grant"] = token;
                        a.body["expires"] = expiresUnix;
                        // The grant travels in the fragment, which browsers never send.
                        a.body["page"] = fmt::format("/expert?escalation={}#grant={}", id, token);
                    }
                    respond(answerOf(a, {}));
                });
        });
}

// A file name as the agent gave it: 1 to 255 bytes, no path, no control characters.
bool goodFileName(std::string_view name) {
    // UTF-8: the name goes into JSON (the peer's announcement, the agent's events).
    return !name.empty() && name.size() <= 255 && name != "." && name != ".." && isUtf8(name) &&
           std::none_of(name.begin(), name.end(), [](char c) {
               return c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
           });
}

// POST /v1/escalations/{id}/evidence?name=…: the file as the body, its type as Content-Type.
void evidence(ApiServices& s, const api::Request& request, const std::string& id,
              const api::Respond& respond) {
    if (!s.webrtc) return respond(unavailable());
    auto name = request.param("name");
    if (!name || !goodFileName(*name))
        return respond(api::problem(400, "Bad Request",
                                    "name: expected a file name of 1 to 255 bytes of UTF-8, "
                                    "without a path or control characters",
                                    {{"field", "name"}}));
    auto file = std::make_shared<room::EvidenceFile>();
    file->id = randomHex(16);
    file->name = std::string(*name);
    auto type = request.header("Content-Type");
    file->type = type ? std::string(*type) : "application/octet-stream";
    if (request.streamed) { // hashed and spooled as it arrived (the route is streamed: below)
        file->sha256 = std::move(request.streamed->sha256);
        file->size = request.streamed->spool->size();
        file->content = std::move(request.streamed->spool);
    } else { // an empty body comes with its header, and is not spooled
        file->sha256 = sha256Hex(request.body);
    }
    onControl(s, respond, [&s, id, agent = request.agent, file, respond] {
        s.escalations.addEvidence(
            id, agent, file, [respond](const EscalationAnswer& a) { respond(answerOf(a, {})); });
    });
}

} // namespace

void addWebRtcRoutes(api::Router& router, ApiServices& s) {
    using api::Access;
    (void)router.add(
        "POST", "/v1/escalations/{id}/whip",
        [&s](const api::Request& r, const api::PathParams& p, const api::Respond& respond) {
            whip(s, r, p.at("id"), respond);
        },
        Access::escalation);
    (void)router.add(
        "DELETE", "/v1/escalations/{id}/whip/{leg}",
        [&s](const api::Request& r, const api::PathParams& p, const api::Respond& respond) {
            whipDelete(s, r, p, respond);
        },
        Access::escalation);
    (void)router.add(
        "PATCH", "/v1/escalations/{id}/whip/{leg}",
        [&s](const api::Request& r, const api::PathParams& p, const api::Respond& respond) {
            whipPatch(s, r, p, respond);
        },
        Access::escalation);
    (void)router.addSignalling(
        "/v1/escalations/{id}/signal",
        [&s](const api::Request& r, const api::PathParams& p,
             std::shared_ptr<api::SignalChannel> channel) {
            return signalling(s, r, p, std::move(channel));
        },
        Access::escalation);
    (void)router.add("POST", "/v1/escalations/{id}/grants",
                     [&s](const api::Request& r, const api::PathParams& p,
                          const api::Respond& respond) { grant(s, r, p.at("id"), respond); });
    (void)router.add("POST", "/v1/escalations/{id}/evidence",
                     [&s](const api::Request& r, const api::PathParams& p,
                          const api::Respond& respond) { evidence(s, r, p.at("id"), respond); });
    (void)router.setBodyLimit("POST", "/v1/escalations/{id}/evidence", s.evidenceMaxBytes,
                              s.evidenceSpool);
    (void)router.add(
        "GET", "/expert",
        [](const api::Request&, const api::PathParams&, const api::Respond& respond) {
            respond(api::textResponse(200, std::string(generated::kExpertPageHtml),
                                      "text/html; charset=utf-8"));
        },
        Access::open);
}

} // namespace sb::app
