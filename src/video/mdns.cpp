#include "video/mdns.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <map>

namespace sb::video::mdns {
namespace {

// RFC 1035 §3.2.2 and RFC 2782: the records read (TXT, NDI's groups, is not).
constexpr std::uint16_t kTypeA = 1, kTypePtr = 12, kTypeSrv = 33, kClassIn = 1;

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// A name's labels (RFC 1035 §3.1), each kept as its bytes, and where the name ended in the
// message (after its first pointer, if any: §4.1.4).
struct Name {
    std::vector<std::string> labels;
    std::size_t end = 0;
    std::string joined() const {
        std::string out;
        for (const auto& label : labels)
            out += (out.empty() ? "" : ".") + label;
        return lower(out);
    }
};

class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> message) : m_(message) {}

    Result<Name> name(std::size_t at) const {
        Name n;
        std::size_t length = 0;
        bool jumped = false;
        for (int hops = 0;; ++hops) {
            if (at >= m_.size()) return fail(Errc::invalid_input, "a name runs past the end");
            const std::uint8_t len = m_[at];
            if ((len & 0xC0) == 0xC0) { // a pointer to an earlier name (§4.1.4)
                if (at + 1 >= m_.size() || hops > 32)
                    return fail(Errc::invalid_input, "a name's compression pointer is broken");
                if (!jumped) n.end = at + 2;
                jumped = true;
                at = static_cast<std::size_t>((len & 0x3F) << 8 | m_[at + 1]);
                continue;
            }
            if (len & 0xC0) return fail(Errc::invalid_input, "a name has a reserved label type");
            if (len == 0) {
                if (!jumped) n.end = at + 1;
                return n;
            }
            if (at + 1 + len > m_.size() || (length += len + 1) > 255)
                return fail(Errc::invalid_input, "a name is longer than its message or 255 octets");
            n.labels.emplace_back(reinterpret_cast<const char*>(m_.data() + at + 1), len);
            at += 1 + len;
        }
    }
    Result<std::uint16_t> u16(std::size_t at) const {
        if (at + 2 > m_.size()) return fail(Errc::invalid_input, "a record is cut short");
        return static_cast<std::uint16_t>(m_[at] << 8 | m_[at + 1]);
    }
    std::size_t size() const { return m_.size(); }
    std::uint8_t at(std::size_t i) const { return m_[i]; }

private:
    std::span<const std::uint8_t> m_;
};

} // namespace

std::vector<std::uint8_t> browseQuery(const std::string& service, std::uint16_t id) {
    std::vector<std::uint8_t> out;
    put16(out, id);
    put16(out, 0); // a standard query
    put16(out, 1); // one question
    put16(out, 0);
    put16(out, 0);
    put16(out, 0);
    std::size_t from = 0;
    while (from <= service.size()) {
        const std::size_t dot = std::min(service.find('.', from), service.size());
        const auto label = std::string_view(service).substr(from, dot - from);
        if (!label.empty() && label.size() < 64) {
            out.push_back(static_cast<std::uint8_t>(label.size()));
            out.insert(out.end(), label.begin(), label.end());
        }
        from = dot + 1;
    }
    out.push_back(0);
    put16(out, kTypePtr);
    put16(out, kClassIn);
    return out;
}

Result<std::vector<Instance>> readResponse(std::span<const std::uint8_t> message,
                                           const std::string& service) {
    const Reader r(message);
    if (message.size() < 12) return fail(Errc::invalid_input, "shorter than a DNS header");
    if (!(message[2] & 0x80)) return fail(Errc::invalid_input, "a query, not a response");
    const auto count = [&](std::size_t at) { return static_cast<std::size_t>(*r.u16(at)); };
    const std::size_t questions = count(4), records = count(6) + count(8) + count(10);
    std::size_t at = 12;
    for (std::size_t i = 0; i < questions; ++i) { // §4.1.2: a name, a type, a class
        auto name = r.name(at);
        if (!name) return fail(name.error());
        at = name->end + 4;
    }
    const std::string wanted = lower(service);
    std::vector<std::vector<std::string>> instances; // PTR targets: instance names
    std::map<std::string, std::pair<std::string, std::uint16_t>> services; // SRV by owner
    std::map<std::string, std::string> addresses;                          // A by host
    for (std::size_t i = 0; i < records; ++i) {                            // §4.1.3
        auto owner = r.name(at);
        if (!owner) return fail(owner.error());
        at = owner->end;
        auto type = r.u16(at), klass = r.u16(at + 2), length = r.u16(at + 8);
        if (!type || !klass || !length)
            return fail(Errc::invalid_input, fmt::format("record {} is cut short", i + 1));
        const std::size_t data = at + 10, end = data + *length;
        if (end > r.size())
            return fail(Errc::invalid_input,
                        fmt::format("record {}: its data runs past the end", i + 1));
        if ((*klass & 0x7FFF) == kClassIn) { // the top bit: mDNS's cache-flush (RFC 6762 §10.2)
            if (*type == kTypePtr && owner->joined() == wanted) {
                auto target = r.name(data);
                if (!target || target->labels.empty())
                    return fail(Errc::invalid_input, fmt::format("record {}: a bad PTR", i + 1));
                instances.push_back(target->labels);
            } else if (*type == kTypeSrv && *length >= 7) {
                auto target = r.name(data + 6);
                if (!target)
                    return fail(Errc::invalid_input, fmt::format("record {}: a bad SRV", i + 1));
                services[owner->joined()] = {target->joined(), *r.u16(data + 4)};
            } else if (*type == kTypeA && *length == 4) {
                addresses[owner->joined()] = fmt::format("{}.{}.{}.{}", r.at(data), r.at(data + 1),
                                                         r.at(data + 2), r.at(data + 3));
            }
        }
        at = end;
    }
    std::vector<Instance> out;
    for (const auto& labels : instances) {
        Name full{labels, 0};
        const std::string rest = full.joined();
        // The instance's own label, then the service's labels.
        if (rest.size() <= wanted.size() || !rest.ends_with("." + wanted)) continue;
        Instance instance;
        instance.name = labels.front();
        if (auto srv = services.find(rest); srv != services.end()) {
            instance.host = srv->second.first;
            instance.port = srv->second.second;
            if (auto a = addresses.find(instance.host); a != addresses.end())
                instance.address = a->second;
        }
        if (std::find(out.begin(), out.end(), instance) == out.end()) out.push_back(instance);
    }
    return out;
}

} // namespace sb::video::mdns
