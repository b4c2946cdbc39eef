// `switchboard experts list|show|add|update|delete`: the expert registry through the API
// (registry changes need an admin token). Documents are the API's JSON, read from a file or "-".

#include "cli/client.hpp"

#include <cctype>
#include <fmt/format.h>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

namespace sb::cli {
namespace {

struct ExpertsOptions {
    ClientOptions client;
    std::string id;
    std::string file;
};

// `id` as one path segment: RFC 3986 §2.3's unreserved characters as they are, the rest
// percent-encoded, so that no id can reach another route.
std::string segment(std::string_view id) {
    std::string out;
    for (unsigned char c : id) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
            out += static_cast<char>(c);
        else
            out += fmt::format("%{:02X}", c);
    }
    return out;
}

// One line per expert: id, SIP URI, skills — the JSON stays available with `show`.
int printList(const HttpReply& reply) {
    const auto experts = readJson(reply.body);
    if (!experts.is_array()) {
        std::cerr << "switchboard: the API's expert list is not a JSON array\n";
        return kUnreachable;
    }
    for (const auto& e : experts) {
        std::cout << e.value("id", "?") << '\t' << e.value("sipUri", "") << '\t';
        const auto skills = e.value("skills", std::vector<std::string>{});
        for (std::size_t i = 0; i < skills.size(); ++i)
            std::cout << (i ? "," : "") << skills[i];
        std::cout << '\n';
    }
    return kOk;
}

// POST creates (409 when the id is taken), PUT replaces (404 when unknown).
int write(const ExpertsOptions& o, bool create) {
    auto document = readInput(o.file, "expert document");
    if (!document) {
        std::cerr << "switchboard: " << document.error().message << '\n';
        return kUsage;
    }
    const auto parsed = readJson(*document);
    if (!parsed.is_object() || !parsed.contains("id") || !parsed["id"].is_string()) {
        std::cerr << "switchboard: " << o.file << ": expected a JSON object with a string id\n";
        return kUsage;
    }
    const std::string id = parsed["id"];
    if (create) return call(o.client, "POST", "/v1/experts", *document, {}, printBody);
    return call(o.client, "PUT", "/v1/experts/" + segment(id), *document, {}, printBody);
}

CLI::App* subcommand(CLI::App& parent, const char* name, const char* help, ExpertsOptions& o) {
    auto* cmd = parent.add_subcommand(name, help);
    addClientOptions(*cmd, o.client);
    return cmd;
}

} // namespace

std::vector<Command> addExpertsCommands(CLI::App& app) {
    auto o = std::make_shared<ExpertsOptions>();
    auto* experts = app.add_subcommand("experts", "The expert registry");
    experts->require_subcommand(1);

    auto* list = subcommand(*experts, "list", "One line per expert: id, SIP URI, skills", *o);
    auto* show = subcommand(*experts, "show", "An expert's document (JSON)", *o);
    show->add_option("id", o->id, "The expert's id")->required();
    auto* add = subcommand(*experts, "add", "Create an expert from a JSON document", *o);
    add->add_option("file", o->file, "The document (- for standard input)")->required();
    auto* update = subcommand(*experts, "update", "Replace an expert with a JSON document", *o);
    update->add_option("file", o->file, "The document (- for standard input)")->required();
    auto* remove = subcommand(*experts, "delete", "Remove an expert", *o);
    remove->add_option("id", o->id, "The expert's id")->required();

    return {
        {list, [o] { return call(o->client, "GET", "/v1/experts", {}, {}, printList); }},
        {show,
         [o] {
             return call(o->client, "GET", "/v1/experts/" + segment(o->id), {}, {}, printBody);
         }},
        {add, [o] { return write(*o, true); }},
        {update, [o] { return write(*o, false); }},
        {remove,
         [o] {
             return call(o->client, "DELETE", "/v1/experts/" + segment(o->id), {}, {},
                         [](const HttpReply&) { return int{kOk}; });
         }},
    };
}

} // namespace sb::cli
