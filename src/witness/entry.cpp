#include "witness/entry.hpp"

namespace sb::witness {

std::string canonicalJson(const Entry& e) {
    // The five keys written in sorted order around the data, which nlohmann::json's own
    // serializer (the one dump() uses) writes with its objects' keys sorted (std::map) and no
    // whitespace: the canonical form for the values entries hold. Writing the frame here spares
    // building a JSON object and deep-copying the data for every entry.
    using Serializer = nlohmann::detail::serializer<nlohmann::json>;
    std::string out;
    out.reserve(256);
    Serializer json(nlohmann::detail::output_adapter<char>(out), ' ',
                    nlohmann::json::error_handler_t::replace);
    const auto field = [&](std::string_view key, const std::string& value) {
        out += key;
        json.dump(nlohmann::json(value), false, false, 0);
    };
    field(R"({"actor":)", e.actor);
    out += R"(,"data":)";
    json.dump(e.data, false, false, 0);
    out += R"(,"time":)";
    out += std::to_string(e.timeMs);
    field(R"(,"trace_id":)", e.traceId);
    field(R"(,"type":)", e.type);
    out += '}';
    return out;
}

} // namespace sb::witness
