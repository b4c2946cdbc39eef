#include "api/metrics_text.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

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
    else if (std::snprintf(buffer, sizeof buffer, "%.15g", v); std::strtod(buffer, nullptr) != v)
        std::snprintf(buffer, sizeof buffer, "%.17g", v); // the shortest that reads back as v
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

MetricsText::Family* MetricsText::family(std::string_view type, std::string_view name,
                                         std::string_view help, const Labels& labels) {
    if (!validName(name, true)) return nullptr;
    for (const auto& [label, v] : labels)
        if (!validName(label, false)) return nullptr;
    auto it = index_.find(name);
    if (it == index_.end()) {
        it = index_.emplace(std::string(name), families_.size()).first;
        families_.push_back(Family{std::string(name), std::string(type), std::string(help), {}});
    } else if (families_[it->second].type != type) {
        return nullptr;
    }
    return &families_[it->second];
}

namespace {

// NAME{LABELS,EXTRA} VALUE
void writeSample(std::string& out, std::string_view name, const MetricsText::Labels& labels,
                 double value, const MetricsText::Labels& extra = {}) {
    out += name;
    if (!labels.empty() || !extra.empty()) {
        out += '{';
        bool first = true;
        for (const auto* set : {&labels, &extra})
            for (const auto& [label, v] : *set) {
                if (!first) out += ',';
                first = false;
                out += label;
                out += "=\"";
                escape(out, v, true);
                out += '"';
            }
        out += '}';
    }
    out += ' ';
    out += number(value);
    out += '\n';
}

} // namespace

bool MetricsText::add(std::string_view type, std::string_view name, std::string_view help,
                      double value, const Labels& labels) {
    Family* f = family(type, name, help, labels);
    if (!f) return false;
    writeSample(f->samples, name, labels, value);
    return true;
}

bool MetricsText::histogram(std::string_view name, std::string_view help,
                            const Histogram& histogram, const Labels& labels) {
    Family* f = family("histogram", name, help, labels);
    if (!f) return false;
    const std::string bucket = std::string(name) + "_bucket";
    std::uint64_t below = 0;
    const auto counts = histogram.counts();
    for (std::size_t i = 0; i < histogram.bounds().size(); ++i) {
        below += counts[i];
        writeSample(f->samples, bucket, labels, double(below),
                    {{"le", number(histogram.bounds()[i])}});
    }
    writeSample(f->samples, bucket, labels, double(histogram.count()), {{"le", "+Inf"}});
    writeSample(f->samples, std::string(name) + "_sum", labels, histogram.sum());
    writeSample(f->samples, std::string(name) + "_count", labels, double(histogram.count()));
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
