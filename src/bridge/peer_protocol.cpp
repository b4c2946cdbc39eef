#include "bridge/peer_protocol.hpp"

#include "api/ifmessage.hpp"
#include "core/json_text.hpp"

#include <array>
#include <fmt/format.h>
#include <openssl/evp.h>

namespace sb::bridge {
namespace {

constexpr std::array kNames{"handshake", "context_update", "evidence_chunk", "session_end",
                            "ack",       "error",          "candidate"};

} // namespace

std::string_view nameOf(Performative performative) noexcept {
    return kNames.at(static_cast<std::size_t>(performative));
}

Result<PeerMessage> readPeerMessage(std::string_view text) {
    auto json = api::parseJson(text);
    if (!json) return fail(json.error());
    auto envelope = api::readIfMessage(*json);
    if (!envelope) return fail(envelope.error());
    for (std::size_t i = 0; i < kNames.size(); ++i)
        if (envelope->performative == kNames[i])
            return PeerMessage{std::move(envelope->id), static_cast<Performative>(i),
                               std::move(envelope->traceId), std::move(envelope->payload)};
    return fail(Errc::unsupported,
                fmt::format("/performative: unknown performative \"{}\"", envelope->performative));
}

std::string writePeerMessage(Performative performative, std::string_view traceId,
                             nlohmann::json payload, std::string* id) {
    auto message = api::makeIfMessage(nameOf(performative), "peer", traceId, std::move(payload));
    if (id) *id = message["id"].get<std::string>();
    return jsonText(message);
}

std::string writeContextUpdate(std::string_view traceId, std::string_view summary,
                               std::string_view context, std::string* id) {
    nlohmann::json payload{{"summary", summary}};
    if (!context.empty()) payload["context"] = nlohmann::json::parse(context, nullptr, false);
    return writePeerMessage(Performative::context_update, traceId, std::move(payload), id);
}

std::size_t contextUpdateSize(std::string_view traceId, std::string_view summary,
                              std::string_view context) {
    // Compact JSON text is written again as it was read, so a stand-in `null` (4 bytes) and
    // the text's own size give the message's exactly; an id and a timestamp have fixed sizes.
    nlohmann::json payload{{"summary", summary}};
    if (context.empty())
        return writePeerMessage(Performative::context_update, traceId, std::move(payload)).size();
    payload["context"] = nullptr;
    return writePeerMessage(Performative::context_update, traceId, std::move(payload)).size() - 4 +
           context.size();
}

Result<PeerAck> readAck(const nlohmann::json& payload) {
    PeerAck ack;
    auto to = payload.find("in_reply_to");
    if (to == payload.end() || !to->is_string() || to->get_ref<const std::string&>().empty())
        return fail(Errc::invalid_input, "/payload/in_reply_to: expected a message's id");
    ack.inReplyTo = to->get<std::string>();
    if (auto next = payload.find("next"); next != payload.end()) {
        // A non-negative integer, however the JSON holds it (a parser makes 12 unsigned; a
        // value built in code may be signed).
        const bool index = next->is_number_unsigned()
                               ? next->get<std::uint64_t>() <= UINT32_MAX
                               : next->is_number_integer() && next->get<std::int64_t>() >= 0 &&
                                     next->get<std::int64_t>() <= INT64_C(0xFFFFFFFF);
        if (!index) return fail(Errc::invalid_input, "/payload/next: expected a chunk index");
        ack.next = static_cast<std::uint32_t>(next->get<std::uint64_t>());
    }
    if (auto digest = payload.find("sha256"); digest != payload.end()) {
        if (!digest->is_string() || digest->get_ref<const std::string&>().size() != 64)
            return fail(Errc::invalid_input, "/payload/sha256: expected 64 hex digits");
        ack.sha256 = digest->get<std::string>();
    }
    return ack;
}

std::string base64(std::span<const std::byte> bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string writeEvidenceChunkText(std::string_view traceId, std::string_view transfer,
                                   std::uint32_t index, std::string_view sha256,
                                   std::span<const std::byte> payload) {
    return writePeerMessage(
        Performative::evidence_chunk, traceId,
        {{"transfer", transfer}, {"index", index}, {"sha256", sha256}, {"data", base64(payload)}});
}

} // namespace sb::bridge
