#include "db/database_url.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <libpq-fe.h>
#include <memory>

namespace sb::db {
namespace {

// RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), followed by ':'. Returns
// the scheme's length, or 0 when the string does not start with one.
std::size_t schemeLength(std::string_view url) {
    if (url.empty() || !std::isalpha(static_cast<unsigned char>(url[0]))) return 0;
    for (std::size_t i = 1; i < url.size(); ++i) {
        const auto c = static_cast<unsigned char>(url[i]);
        if (c == ':') return i;
        if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') return 0;
    }
    return 0;
}

bool iequals(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

} // namespace

std::string redactedUrl(std::string_view url) {
    // scheme://user:password@host…: the password runs from the first ':' after "//" up to the
    // last '@' before the path.
    const auto authority = url.find("//");
    if (authority == std::string_view::npos) return std::string(url);
    const auto start = authority + 2;
    const auto end = std::min(url.find_first_of("/?#", start), url.size());
    const auto at = url.substr(start, end - start).rfind('@');
    if (at == std::string_view::npos) return std::string(url);
    const auto colon = url.substr(start, at).find(':');
    if (colon == std::string_view::npos) return std::string(url);
    return fmt::format("{}***{}", url.substr(0, start + colon + 1), url.substr(start + at));
}

Result<DatabaseUrl> parseDatabaseUrl(std::string_view url) {
    if (url.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return fail(Errc::config, "database URL: it is empty (give sqlite:<file>, a file path or "
                                  "postgresql://user@host/dbname)");
    if (url.find('\0') != std::string_view::npos)
        return fail(Errc::config, "database URL: it contains a NUL byte");
    const std::size_t n = schemeLength(url);
    if (n == 0) return DatabaseUrl{Backend::sqlite, std::string(url)}; // a bare path
    const std::string_view scheme = url.substr(0, n);
    if (iequals(scheme, "sqlite")) {
        const std::string_view path = url.substr(n + 1);
        if (path.empty())
            return fail(Errc::config, "database URL \"sqlite:\": the SQLite file's path is empty");
        return DatabaseUrl{Backend::sqlite, std::string(path)};
    }
    if (iequals(scheme, "postgresql") || iequals(scheme, "postgres")) {
        if (url.substr(n + 1, 2) != "//")
            return fail(Errc::config,
                        fmt::format("database URL \"{}\": a PostgreSQL URL starts with {}://",
                                    redactedUrl(url), scheme));
        // libpq's own parser, so that what passes here is what PQconnectdb will accept; it
        // reads the string only and does not connect.
        const std::string text(url);
        char* message = nullptr;
        PQconninfoOption* options = PQconninfoParse(text.c_str(), &message);
        if (!options) {
            std::string why = message ? message : "libpq rejected it";
            PQfreemem(message);
            while (!why.empty() && std::isspace(static_cast<unsigned char>(why.back())))
                why.pop_back();
            return fail(Errc::config,
                        fmt::format("database URL \"{}\": {}", redactedUrl(url), why));
        }
        PQconninfoFree(options);
        return DatabaseUrl{Backend::postgres, text};
    }
    return fail(Errc::config,
                fmt::format("database URL \"{}\": unknown scheme \"{}\" (sqlite:, postgresql:// "
                            "and postgres:// are understood; a file whose name contains ':' is "
                            "written sqlite:<path>)",
                            redactedUrl(url), scheme));
}

} // namespace sb::db
