#include "api/ifmessage.hpp"

#include "core/trace.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <optional>
#include <regex>
#include <set>

namespace sb::api {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxString = 256;  // ids, names, topics
constexpr std::size_t kMaxReason = 4000; // a sentence or a paragraph, not a document
constexpr std::size_t kMaxItems = 32;    // skills, languages, bridges
constexpr std::size_t kMaxEvidence = 64;

std::string typeName(const json& value) {
    return value.is_null() ? "null" : value.type_name();
}

std::string shown(const json& value) {
    std::string text = value.dump(-1, ' ', true, json::error_handler_t::replace);
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    return text;
}

// Reads one JSON object's members by name, each once, and refuses the members it was not asked
// about. The first error wins; later reads are then no-ops.
class ObjectReader {
public:
    ObjectReader(const json& object, std::string pointer)
        : object_(object), pointer_(std::move(pointer)) {
        if (!object_.is_object())
            error_ = fmt::format("{}: expected an object, got {}",
                                 pointer_.empty() ? "/" : pointer_, typeName(object_));
    }

    std::string at(std::string_view key) const { return fmt::format("{}/{}", pointer_, key); }

    // A string of 1 to `maxSize` bytes (`minSize` 0 allows ""), or nullopt when absent and not
    // required.
    std::optional<std::string> string(std::string_view key, bool required,
                                      std::size_t maxSize = kMaxString, std::size_t minSize = 1) {
        const json* value = member(key, required);
        if (!value) return std::nullopt;
        if (!value->is_string()) return bad(key, "a string", *value);
        const auto& text = value->get_ref<const std::string&>();
        if (text.size() < minSize || text.size() > maxSize)
            return bad(key, fmt::format("a string of {} to {} bytes", minSize, maxSize), *value);
        return text;
    }

    // A string from `allowed`.
    std::optional<std::string> oneOf(std::string_view key, bool required,
                                     const std::vector<std::string_view>& allowed) {
        auto text = string(key, required);
        if (text && std::find(allowed.begin(), allowed.end(), *text) == allowed.end())
            return bad(key, fmt::format("one of {}", fmt::join(allowed, ", ")), json(*text));
        return text;
    }

    // An array of at most `maxItems` distinct strings, each 1 to kMaxString bytes (or one of
    // `allowed`, when given).
    std::optional<std::vector<std::string>>
    strings(std::string_view key, std::size_t maxItems,
            const std::vector<std::string_view>& allowed = {}) {
        const json* value = member(key, false);
        if (!value) return std::nullopt;
        if (!value->is_array() || value->size() > maxItems)
            return bad(key, fmt::format("an array of at most {} strings", maxItems), *value);
        std::vector<std::string> out;
        for (std::size_t i = 0; i < value->size(); ++i) {
            const json& item = (*value)[i];
            const auto where = fmt::format("{}/{}", key, i);
            if (!item.is_string() || item.get_ref<const std::string&>().empty() ||
                item.get_ref<const std::string&>().size() > kMaxString)
                return bad(where, fmt::format("a string of 1 to {} bytes", kMaxString), item);
            const auto& text = item.get_ref<const std::string&>();
            if (!allowed.empty() &&
                std::find(allowed.begin(), allowed.end(), text) == allowed.end())
                return bad(where, fmt::format("one of {}", fmt::join(allowed, ", ")), item);
            if (std::find(out.begin(), out.end(), text) != out.end())
                return bad(where, "no repeated entries", item);
            out.push_back(text);
        }
        return out;
    }

    // The member itself, for nested readers (nullptr when absent and not required).
    const json* member(std::string_view key, bool required) {
        if (error_) return nullptr;
        asked_.emplace(key);
        auto found = object_.find(key);
        if (found == object_.end()) {
            if (required) error_ = fmt::format("{}: required", at(key));
            return nullptr;
        }
        return &*found;
    }

    // Refuses members nobody asked about; then the first error, if any.
    Result<void> finish() {
        if (!error_) {
            for (const auto& [key, value] : object_.items()) {
                if (asked_.contains(key)) continue;
                error_ = fmt::format("{}: unknown member", at(key));
                break;
            }
        }
        if (error_) return fail(Errc::invalid_input, *error_);
        return {};
    }

    void setError(std::string message) {
        if (!error_) error_ = std::move(message);
    }
    bool failed() const noexcept { return error_.has_value(); }

private:
    std::nullopt_t bad(std::string_view key, std::string_view wanted, const json& got) {
        setError(fmt::format("{}: expected {}, got {}", at(key), wanted, shown(got)));
        return std::nullopt;
    }

    const json& object_;
    std::string pointer_;
    std::set<std::string, std::less<>> asked_;
    std::optional<std::string> error_;
};

bool isLowerHex(std::string_view text, std::size_t size) {
    return text.size() == size && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

// RFC 3339 §5.6 date-time (the seconds fraction optional, "Z" or an offset).
bool isRfc3339(std::string_view text) {
    static const std::regex kDateTime(
        R"(\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d))");
    return text.size() <= 40 && std::regex_match(text.begin(), text.end(), kDateTime);
}

// The deepest nesting of arrays and objects in `text`, counted outside strings; stops counting
// past `limit`.
int depthOf(std::string_view text, int limit) {
    int depth = 0, deepest = 0;
    bool inString = false, escaped = false;
    for (char c : text) {
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"')
            inString = true;
        else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
            if (deepest > limit) break;
        } else if (c == ']' || c == '}')
            --depth;
    }
    return deepest;
}

} // namespace

Result<json> parseJson(std::string_view body) {
    if (depthOf(body, kMaxJsonDepth) > kMaxJsonDepth)
        return fail(Errc::invalid_input,
                    fmt::format("/: JSON nested deeper than {} levels", kMaxJsonDepth));
    json value = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) return fail(Errc::invalid_input, "/: not a JSON document (RFC 8259)");
    return value;
}

Result<IfMessage> readIfMessage(const json& body) {
    ObjectReader reader(body, "");
    IfMessage message;
    message.id = reader.string("id", true).value_or("");
    message.performative = reader.string("performative", true, 32).value_or("");
    message.sender = reader.string("sender", true).value_or("");
    message.receiver = reader.string("receiver", false).value_or("");
    if (auto traceId = reader.string("trace_id", false, 32, 32)) {
        if (!isTraceId(*traceId))
            reader.setError("/trace_id: expected 32 lowercase hex digits, not all zero (W3C "
                            "Trace Context)");
        message.traceId = *traceId;
    }
    if (auto timestamp = reader.string("timestamp", false, 40)) {
        if (!isRfc3339(*timestamp))
            reader.setError(
                fmt::format("/timestamp: expected an RFC 3339 date-time, got \"{}\"", *timestamp));
        message.timestamp = *timestamp;
    }
    if (const json* payload = reader.member("payload", true)) {
        if (!payload->is_object())
            reader.setError(
                fmt::format("/payload: expected an object, got {}", typeName(*payload)));
        else
            message.payload = *payload;
    }
    if (auto done = reader.finish(); !done) return fail(done.error());
    return message;
}

Result<EscalateRequest> readEscalateRequest(const json& payload) {
    ObjectReader reader(payload, "/payload");
    EscalateRequest request;
    request.topic = reader.string("topic", true).value_or("");
    request.skills = reader.strings("skills", kMaxItems).value_or(request.skills);
    request.languages = reader.strings("languages", kMaxItems).value_or(request.languages);
    request.urgency = reader.oneOf("urgency", false, {"low", "normal", "high", "critical"})
                          .value_or(request.urgency);
    request.reason = reader.string("reason", true, kMaxReason).value_or("");
    request.expert = reader.string("expert", false).value_or("");
    request.bridges =
        reader.strings("bridges", 4, {"sip", "h323", "webrtc", "video"}).value_or(request.bridges);
    // A council's name is a conference room's: letters, digits, '-', '_' and '.'.
    if (auto council = reader.string("council", false, 64)) {
        if (council->find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                       "0123456789-_.") != std::string::npos)
            reader.setError(fmt::format("/payload/council: expected a room name (letters, "
                                        "digits, '-', '_', '.'), got \"{}\"",
                                        *council));
        request.council = std::move(*council);
    }
    if (const json* evidence = reader.member("evidence", false)) {
        if (!evidence->is_array() || evidence->size() > kMaxEvidence)
            reader.setError(fmt::format("/payload/evidence: expected an array of at most {} "
                                        "objects, got {}",
                                        kMaxEvidence, shown(*evidence)));
        for (std::size_t i = 0; !reader.failed() && i < evidence->size(); ++i) {
            ObjectReader item((*evidence)[i], fmt::format("/payload/evidence/{}", i));
            EvidenceRef ref;
            ref.uri = item.string("uri", true, 2048).value_or("");
            ref.sha256 = item.string("sha256", false, 64, 64).value_or("");
            if (!ref.sha256.empty() && !isLowerHex(ref.sha256, 64))
                item.setError(
                    fmt::format("{}: expected 64 lowercase hex digits", item.at("sha256")));
            ref.mediaType = item.string("media_type", false, 128).value_or("");
            ref.description = item.string("description", false, kMaxReason).value_or("");
            if (auto done = item.finish(); !done) reader.setError(done.error().message);
            request.evidence.push_back(std::move(ref));
        }
    }
    if (auto done = reader.finish(); !done) return fail(done.error());
    return request;
}

std::string fieldOf(const Error& error) {
    const auto colon = error.message.find(": ");
    if (error.message.empty() || error.message[0] != '/' || colon == std::string::npos) return "/";
    return error.message.substr(0, colon);
}

std::string rfc3339Now() {
    const auto now =
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", now);
}

nlohmann::json makeIfMessage(std::string_view performative, std::string_view receiver,
                             std::string_view traceId, nlohmann::json payload) {
    return {{"id", "sb-" + randomHex(12)},  {"performative", performative},
            {"sender", "switchboard"},      {"receiver", receiver},
            {"trace_id", traceId},          {"timestamp", rfc3339Now()},
            {"payload", std::move(payload)}};
}

} // namespace sb::api
