#include "api/metrics_text.hpp"

#include <cmath>
#include <cstdio>

namespace sb::api {

namespace {

bool validName(std::string_view name, bool allowColon) {
    if (name.empty()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                        (allowColon && c == ':') || (i > 0 && c >= '0' && c <= '9');
        if (!ok) return false;
    }
    return true;
}

// HELP text escapes backslash and line feed; label values also the double quote.
void escape(std::string& out, std::string_view text, bool quote) {
    for (char c : text) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (c == '"' && quote)
            out += "\\\"";
        else
            out += c;
    }
}

std::string number(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buffer[32];
    if (v == std::floor(v) && std::fabs(v) < 1e15)
        std::snprintf(buffer, sizeof buffer, "%.0f", v);
    else
        std::snprintf(buffer, sizeof buffer, "%.17g", v);
    return buffer;
}

} // namespace

bool MetricsText::counter(std::string_view name, std::string_view help, double value,
                          const Labels& labels) {
    return add("counter", name, help, value, labels);
}

bool MetricsText::gauge(std::string_view name, std::string_view help, double value,
                        const Labels& labels) {
    return add("gauge", name, help, value, labels);
}

bool MetricsText::add(std::string_view type, std::string_view name, std::string_view help,
                      double value, const Labels& labels) {
    if (!validName(name, true)) return false;
    for (const auto& [label, v] : labels)
        if (!validName(label, false)) return false;
    auto it = index_.find(name);
    if (it == index_.end()) {
        it = index_.emplace(std::string(name), families_.size()).first;
        families_.push_back(Family{std::string(name), std::string(type), std::string(help), {}});
    } else if (families_[it->second].type != type) {
        return false;
    }
    std::string& out = families_[it->second].samples;
    out += name;
    if (!labels.empty()) {
        out += '{';
        for (std::size_t i = 0; i < labels.size(); ++i) {
            if (i) out += ',';
            out += labels[i].first;
            out += "=\"";
            escape(out, labels[i].second, true);
            out += '"';
        }
        out += '}';
    }
    out += ' ';
    out += number(value);
    out += '\n';
    return true;
}

std::string MetricsText::text() const {
    std::string out;
    for (const Family& f : families_) {
        out += "# HELP " + f.name + ' ';
        escape(out, f.help, false);
        out += "\n# TYPE " + f.name + ' ' + f.type + '\n';
        out += f.samples;
    }
    return out;
}

Response metricsResponse(std::string text) {
    return textResponse(200, std::move(text), std::string(metricsContentType));
}

Response healthResponse(bool ok, std::string_view reason) {
    if (ok) return textResponse(200, "ok\n");
    return textResponse(503, std::string(reason.empty() ? "not ready" : reason) + "\n");
}

} // namespace sb::api
