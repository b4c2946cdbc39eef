#include "sip/media_control.hpp"

#include "sip/syntax.hpp"

namespace sb::sip {
namespace {

// The position just past the start tag <name …> or <name/> at or after `from`, and whether it
// closed itself; npos when there is none.
struct Tag {
    std::size_t end = std::string_view::npos;
    bool empty = false;
};
Tag startTag(std::string_view xml, std::string_view name, std::size_t from) {
    for (std::size_t at = xml.find('<', from); at != std::string_view::npos;
         at = xml.find('<', at + 1)) {
        if (xml.substr(at + 1, name.size()) != name) continue;
        const std::size_t after = at + 1 + name.size();
        if (after >= xml.size()) return {};
        const char next = xml[after];
        if (next != '>' && next != '/' && next != ' ' && next != '\t' && next != '\r' &&
            next != '\n')
            continue; // a longer name that starts with this one
        const std::size_t close = xml.find('>', after);
        if (close == std::string_view::npos) return {};
        return {close + 1, xml[close - 1] == '/'};
    }
    return {};
}

} // namespace

bool isPictureFastUpdate(std::string_view contentType, std::string_view body) {
    if (!syntax::iequals(syntax::trim(contentType.substr(0, contentType.find(';'))),
                         kMediaControlType))
        return false;
    // RFC 5168 §3: media_control ⊃ vc_primitive ⊃ to_encoder ⊃ picture_fast_update.
    std::size_t at = 0;
    for (std::string_view name : {"media_control", "vc_primitive", "to_encoder"}) {
        const Tag tag = startTag(body, name, at);
        if (tag.end == std::string_view::npos || tag.empty) return false;
        at = tag.end;
    }
    const Tag update = startTag(body, "picture_fast_update", at);
    if (update.end == std::string_view::npos) return false;
    const auto closing = body.find("</to_encoder>", at);
    return closing != std::string_view::npos && closing >= update.end &&
           (update.empty || body.find("</picture_fast_update>", update.end) < closing);
}

} // namespace sb::sip
