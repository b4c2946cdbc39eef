#pragma once
// A Prometheus text exposition writer (format 0.0.4): HELP and TYPE once per family, the
// family's samples together, label values escaped. The application fills one per scrape of
// /metrics and answers metricsResponse(writer.text()).

#include "api/http_types.hpp"
#include "core/histogram.hpp"

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::api {

inline constexpr std::string_view metricsContentType = "text/plain; version=0.0.4; charset=utf-8";

class MetricsText {
public:
    using Labels = std::vector<std::pair<std::string, std::string>>;

    // Adds a sample; the first sample of a family sets its HELP. A metric or label name that
    // is not [a-zA-Z_:][a-zA-Z0-9_:]* (labels: no ':'), or a family already added with the
    // other type, makes the call do nothing and return false.
    bool counter(std::string_view name, std::string_view help, double value,
                 const Labels& labels = {});
    bool gauge(std::string_view name, std::string_view help, double value,
               const Labels& labels = {});
    // NAME_bucket{le="…"} (cumulative, +Inf last), NAME_sum and NAME_count.
    bool histogram(std::string_view name, std::string_view help, const Histogram& histogram,
                   const Labels& labels = {});

    // The exposition, families in the order first added.
    std::string text() const;

private:
    struct Family {
        std::string name, type, help;
        std::string samples;
    };
    bool add(std::string_view type, std::string_view name, std::string_view help, double value,
             const Labels& labels);
    // The family NAME of TYPE, added if new; nullptr for a bad name or label, or a family of
    // the other type.
    Family* family(std::string_view type, std::string_view name, std::string_view help,
                   const Labels& labels);
    std::vector<Family> families_;
    std::map<std::string, std::size_t, std::less<>> index_;
};

// 200 with the exposition's Content-Type.
Response metricsResponse(std::string text);

// Helpers for /healthz and /readyz: 200 "ok\n", or 503 with the reason as text.
Response healthResponse(bool ok, std::string_view reason = {});

} // namespace sb::api
