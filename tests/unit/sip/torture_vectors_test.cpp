// RFC 4475 and RFC 5118 torture messages (tests/vectors/sip/*/): each valid message parses with
// the values its expect.toml names and survives parse → build → parse; each invalid one is
// rejected with an error naming the offending element and answered with the expected status.

#include "sip/message.hpp"
#include "sip/message_writer.hpp"
#include "sip/stateless_responder.hpp"
#include "sip/syntax.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <toml++/toml.h>

namespace sb::sip {
namespace {

namespace fs = std::filesystem;

struct Vector {
    std::string suite; // rfc4475, rfc5118
    std::string name;
    std::string bytes;
    bool valid = true;
    int response = 400;
    std::string error;
    std::vector<std::pair<std::string, std::string>> fields;
};

std::string readFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<Vector> loadVectors() {
    std::vector<Vector> out;
    const fs::path root = fs::path(SB_VECTORS_DIR) / "sip";
    if (!fs::exists(root)) return out;
    std::vector<fs::path> suites;
    for (const auto& dir : fs::directory_iterator(root))
        if (fs::exists(dir.path() / "expect.toml")) suites.push_back(dir.path());
    std::sort(suites.begin(), suites.end());
    for (const auto& suite : suites) {
        const auto table = toml::parse_file((suite / "expect.toml").string());
        for (const auto& [key, node] : table) {
            const auto* t = node.as_table();
            if (!t) continue;
            Vector v;
            v.suite = suite.filename().string();
            v.name = std::string(key.str());
            v.bytes = readFile(suite / (v.name + ".sip"));
            v.valid = (*t)["valid"].value_or(true);
            v.response = static_cast<int>((*t)["response"].value_or(std::int64_t{400}));
            v.error = (*t)["error"].value_or(std::string{});
            if (const auto* fields = (*t)["fields"].as_table()) {
                for (const auto& [path, value] : *fields) {
                    std::string expected;
                    if (auto s = value.value<std::string>())
                        expected = *s;
                    else if (auto i = value.value<std::int64_t>())
                        expected = std::to_string(*i);
                    else if (auto b = value.value<bool>())
                        expected = *b ? "true" : "false";
                    v.fields.emplace_back(std::string(path.str()), expected);
                }
            }
            out.push_back(std::move(v));
        }
    }
    return out;
}

const std::vector<Vector>& vectors() {
    static const auto all = loadVectors();
    return all;
}

std::string collapseWhitespace(std::string_view s) {
    std::string out;
    bool space = false;
    for (char c : syntax::trim(s)) {
        if (syntax::isLws(c)) {
            space = true;
            continue;
        }
        if (space) out.push_back(' ');
        space = false;
        out.push_back(c);
    }
    return out;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = syntax::lower(c);
    return out;
}

// Splits "via[2].branch" into ("via", 2, "branch").
bool indexed(std::string_view path, std::string_view prefix, std::size_t& index,
             std::string_view& rest) {
    if (!path.starts_with(prefix) || path.size() <= prefix.size() || path[prefix.size()] != '[')
        return false;
    const auto close = path.find(']');
    if (close == std::string_view::npos) return false;
    index = std::stoul(std::string(path.substr(prefix.size() + 1, close - prefix.size() - 1)));
    rest = path.substr(close + 1);
    if (rest.starts_with(".")) rest.remove_prefix(1);
    return true;
}

std::size_t countValues(const Message& m, std::string_view name) {
    const auto id = lookupHeader(name);
    std::size_t count = 0;
    for (const auto& f : m.headers()) {
        const bool same = id != HeaderId::other ? f.id == id : syntax::iequals(f.name, name);
        if (!same) continue;
        if (id != HeaderId::other && isListHeader(id) && !syntax::trim(f.value).empty()) {
            auto r = forEachListItem(f.value, name, [&](std::string_view) -> Result<void> {
                ++count;
                return {};
            });
            EXPECT_TRUE(r) << r.error().message;
        } else {
            ++count;
        }
    }
    return count;
}

std::optional<std::string> uriField(const Uri& uri, std::string_view field) {
    if (field.empty()) return std::string(uri.text);
    if (field == "scheme") return std::string(uri.schemeText);
    if (field == "user") return std::string(uri.user);
    if (field == "host") return std::string(uri.host);
    if (field == "port") return uri.port ? std::to_string(*uri.port) : "";
    if (field.starts_with("param:")) {
        auto v = uri.params.get(field.substr(6));
        return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
    }
    return std::nullopt;
}

std::optional<std::string> nameAddrField(const NameAddr& na, std::string_view field) {
    if (field == "display") return std::string(na.display);
    if (field == "uri") return std::string(na.uri.text);
    if (field == "tag") return std::string(na.tag());
    if (field == "expires") {
        auto v = na.params.get("expires");
        return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
    }
    return std::nullopt;
}

template <class List>
std::optional<std::string> listField(const List& list, std::size_t index, std::string_view rest) {
    if (index >= list.size()) return std::nullopt;
    return nameAddrField(list[index], rest);
}

// The value at a path of expect.toml's vocabulary; nullopt if the path is unknown or absent.
std::optional<std::string> lookup(const Message& m, std::string_view path) {
    auto str = [](std::string_view s) { return std::optional<std::string>(std::string(s)); };
    auto num = [](auto v) { return std::optional<std::string>(std::to_string(v)); };
    auto opt = [&](const std::optional<std::uint32_t>& v) {
        return v ? num(*v) : std::optional<std::string>();
    };
    std::size_t i = 0;
    std::string_view rest;
    if (path == "method") return str(m.method());
    if (path == "request-uri") return str(m.requestUri().text);
    if (path.starts_with("request-uri.")) return uriField(m.requestUri(), path.substr(12));
    if (path == "status") return num(m.status());
    if (path == "reason") return str(m.reason());
    if (path == "call-id") return str(m.callId());
    if (path == "cseq.number") return num(m.cseq().number);
    if (path == "cseq.method") return str(m.cseq().method);
    if (path == "max-forwards") return opt(m.maxForwards());
    if (path == "content-length") return opt(m.contentLength());
    if (path == "body.length") return num(m.body().size());
    if (path == "content-type") {
        auto v = m.header(HeaderId::content_type);
        return v ? str(*v) : std::nullopt;
    }
    if (path == "via.count") return num(m.vias().size());
    if (indexed(path, "via", i, rest)) {
        if (i >= m.vias().size()) return std::nullopt;
        const Via& via = m.vias()[i];
        if (rest == "transport") return str(via.transport);
        if (rest == "host") return str(via.host);
        if (rest == "port") return via.port ? num(*via.port) : std::nullopt;
        if (rest == "branch") return str(via.branch);
        if (rest == "received") return via.received ? str(*via.received) : std::nullopt;
        if (rest == "rport") return via.rport ? str(*via.rport) : std::nullopt;
        return std::nullopt;
    }
    if (path.starts_with("from.")) return nameAddrField(m.from(), path.substr(5));
    if (path.starts_with("to.")) return nameAddrField(m.to(), path.substr(3));
    if (path == "contact.count") return num(m.contacts().size());
    if (path == "contact.star") return str(m.contactIsStar() ? "true" : "false");
    if (indexed(path, "contact", i, rest)) return listField(m.contacts(), i, rest);
    if (path == "route.count") return num(m.routes().size());
    if (path == "record-route.count") return num(m.recordRoutes().size());
    if (indexed(path, "route", i, rest)) return listField(m.routes(), i, rest);
    if (indexed(path, "record-route", i, rest)) return listField(m.recordRoutes(), i, rest);
    if (path.starts_with("header:")) {
        auto name = path.substr(7);
        if (name.ends_with(".count")) return num(countValues(m, name.substr(0, name.size() - 6)));
        auto v = m.header(name);
        return v ? str(collapseWhitespace(*v)) : std::nullopt;
    }
    ADD_FAILURE() << "expect.toml uses an unknown path: " << path;
    return std::nullopt;
}

// Names the vector in test output instead of dumping its bytes.
void PrintTo(const Vector& v, std::ostream* os) {
    *os << v.suite << "/" << v.name;
}

class TortureVector : public testing::TestWithParam<Vector> {};

TEST_P(TortureVector, ParsesAsTheRfcSays) {
    const Vector& v = GetParam();
    ASSERT_FALSE(v.bytes.empty()) << "missing vector file " << v.suite << "/" << v.name << ".sip";
    auto parsed = Message::parse(v.bytes);
    if (!v.valid) {
        ASSERT_FALSE(parsed) << v.name << " should be rejected";
        const auto& message = parsed.error().message;
        EXPECT_NE(lower(message).find(lower(v.error)), std::string::npos)
            << "error '" << message << "' does not name '" << v.error << "'";
        // A request is answered with the status the RFC recommends; a response is dropped.
        StatelessResponder responder({});
        auto answer = responder.respond(v.bytes);
        if (v.response == 0) {
            EXPECT_FALSE(answer.has_value());
        } else {
            ASSERT_TRUE(answer.has_value());
            EXPECT_TRUE(answer->starts_with("SIP/2.0 " + std::to_string(v.response) + " "))
                << answer->substr(0, answer->find('\r'));
        }
        return;
    }
    ASSERT_TRUE(parsed) << parsed.error().message;
    for (const auto& [path, expected] : v.fields) {
        auto actual = lookup(*parsed, path);
        ASSERT_TRUE(actual.has_value()) << path << " is absent";
        if (path.starts_with("header:") && !path.ends_with(".count"))
            EXPECT_EQ(*actual, collapseWhitespace(expected)) << path;
        else
            EXPECT_EQ(*actual, expected) << path;
    }
    // parse → build → parse gives the same message, and the canonical text is a fixed point.
    const std::string canonical = buildCanonical(*parsed);
    auto again = Message::parse(canonical);
    ASSERT_TRUE(again) << again.error().message << "\n" << canonical;
    for (const auto& [path, expected] : v.fields)
        EXPECT_EQ(lookup(*again, path), lookup(*parsed, path)) << "after rebuild: " << path;
    EXPECT_EQ(again->headers().size(), parsed->headers().size());
    EXPECT_EQ(again->body(), parsed->body());
    EXPECT_EQ(buildCanonical(*again), canonical);
}

std::string vectorName(const testing::TestParamInfo<Vector>& info) {
    std::string name = info.param.suite + "_" + info.param.name;
    for (auto& c : name)
        if (!syntax::isAlnum(c)) c = '_';
    return name;
}

INSTANTIATE_TEST_SUITE_P(Rfc, TortureVector, testing::ValuesIn(vectors()), vectorName);

TEST(TortureVectors, AreAllPresent) {
    // RFC 4475 §3.1.1 has 13 valid and §3.1.2 has 19 invalid messages; RFC 5118 §4 has 12.
    std::size_t rfc4475 = 0, rfc5118 = 0;
    for (const auto& v : vectors())
        (v.suite == "rfc4475" ? rfc4475 : rfc5118) += 1;
    EXPECT_EQ(rfc4475, 32u);
    EXPECT_EQ(rfc5118, 12u);
}

} // namespace
} // namespace sb::sip
