#include "registry/chain.hpp"

#include "core/glob.hpp"
#include "registry/json_read.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace sb::registry {
namespace {

using nlohmann::json;
using namespace detail;

ChainStage readStage(const json& value, const std::string& pointer) {
    const auto& object = detail::object(value, pointer, {"experts", "ringSeconds"});
    ChainStage stage;
    constexpr std::string_view kExperts = "a non-empty array of expert ids";
    const auto expertsPointer = pointerJoin(pointer, "experts");
    const auto& list =
        array(required(object, pointer, "experts", kExperts), expertsPointer, kExperts, true);
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto itemPointer = pointerJoin(expertsPointer, i);
        const auto& id = string(list[i], itemPointer, kIdWhat);
        if (!isId(id)) expected(list[i], itemPointer, kIdWhat);
        if (std::ranges::find(stage.experts, id) != stage.experts.end())
            expected(list[i], itemPointer, "each expert listed once in a stage");
        stage.experts.push_back(id);
    }
    const auto& ring = required(object, pointer, "ringSeconds", "an integer from 1 to 600");
    stage.ring = std::chrono::seconds(integer(ring, pointerJoin(pointer, "ringSeconds"), 1, 600));
    return stage;
}

Chain readChain(const json& value) {
    const auto& object = detail::object(value, "", {"id", "topics", "stages"});
    Chain chain;
    const auto& id = required(object, "", "id", kIdWhat);
    chain.id = string(id, "/id", kIdWhat);
    if (!isId(chain.id)) expected(id, "/id", kIdWhat);

    constexpr std::string_view kTopics = "a non-empty array of topic glob patterns";
    const auto& topics = array(required(object, "", "topics", kTopics), "/topics", kTopics, true);
    for (std::size_t i = 0; i < topics.size(); ++i) {
        const auto itemPointer = pointerJoin("/topics", i);
        const auto& pattern = string(topics[i], itemPointer, "a glob pattern string");
        if (const auto problem = globProblem(pattern)) expected(topics[i], itemPointer, *problem);
        if (std::ranges::find(chain.topics, pattern) != chain.topics.end())
            expected(topics[i], itemPointer, "each pattern listed once");
        chain.topics.push_back(pattern);
    }

    constexpr std::string_view kStages =
        "a non-empty array of {\"experts\", \"ringSeconds\"} objects";
    const auto& stages = array(required(object, "", "stages", kStages), "/stages", kStages, true);
    for (std::size_t i = 0; i < stages.size(); ++i)
        chain.stages.push_back(readStage(stages[i], pointerJoin("/stages", i)));
    return chain;
}

} // namespace

long Chain::matchSpecificity(std::string_view topic) const {
    long best = -1;
    for (const auto& pattern : topics)
        if (globMatch(pattern, topic))
            best = std::max(best, static_cast<long>(globSpecificity(pattern)));
    return best;
}

Result<Chain> chainFromJson(const nlohmann::json& json, FieldError* where) {
    try {
        return readChain(json);
    } catch (const JsonFieldError& e) {
        if (where) *where = e.error;
        return fail(e.error.error());
    } catch (const std::exception& e) {
        FieldError error{"", fmt::format("expected a chain object ({})", e.what())};
        if (where) *where = error;
        return fail(error.error());
    }
}

Result<Chain> parseChain(std::string_view jsonText, FieldError* where) {
    try {
        return chainFromJson(parseText(jsonText), where);
    } catch (const JsonFieldError& e) {
        if (where) *where = e.error;
        return fail(e.error.error());
    }
}

nlohmann::json toJson(const Chain& chain) {
    json stages = json::array();
    for (const auto& stage : chain.stages)
        stages.push_back({{"experts", stage.experts}, {"ringSeconds", stage.ring.count()}});
    return json{{"id", chain.id}, {"topics", chain.topics}, {"stages", std::move(stages)}};
}

} // namespace sb::registry
