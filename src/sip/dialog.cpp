#include "sip/dialog.hpp"

#include "sip/message.hpp"

#include <fmt/format.h>

namespace sb::sip {
namespace {

// A From/To value without its tag parameter, so that the dialog can write it back with ours.
std::string withoutTag(const NameAddr& value) {
    std::string text(value.text);
    const std::string_view tag = value.tag();
    if (tag.empty()) return text;
    const std::size_t at = text.find(fmt::format(";tag={}", tag));
    if (at != std::string::npos) text.erase(at, 5 + tag.size());
    return text;
}

std::string contactUri(const Message& m) {
    return m.contacts().empty() ? std::string() : std::string(m.contacts()[0].uri.text);
}

bool isLooseRoute(std::string_view route) {
    // RFC 3261 §16.12.1.1 / §19.1.1: "lr" among the URI parameters marks a loose router.
    const std::string_view uri = uriOf(route);
    std::size_t at = 0;
    while ((at = uri.find(";lr", at)) != std::string_view::npos) {
        const std::size_t end = at + 3;
        if (end == uri.size() || uri[end] == ';' || uri[end] == '=' || uri[end] == '?' ||
            uri[end] == '>')
            return true;
        at = end;
    }
    return false;
}

} // namespace

std::string_view uriOf(std::string_view nameAddr) {
    const auto open = nameAddr.find('<');
    if (open == std::string_view::npos) return nameAddr;
    const auto close = nameAddr.find('>', open);
    if (close == std::string_view::npos) return nameAddr.substr(open + 1);
    return nameAddr.substr(open + 1, close - open - 1);
}

std::string dialogKey(std::string_view callId, std::string_view localTag) {
    std::string key;
    key.reserve(callId.size() + 1 + localTag.size());
    key.append(callId).append("|").append(localTag);
    return key;
}

Dialog Dialog::asUas(const Message& request, std::string_view localTag) {
    Dialog d;
    d.callId = request.callId();
    d.localTag = localTag;
    d.remoteTag = request.from().tag();
    d.localUri = withoutTag(request.to());
    d.remoteUri = withoutTag(request.from());
    d.remoteSeq = request.cseq().number;
    d.remoteTarget = contactUri(request);
    // §12.1.1: the Record-Route values in order.
    for (const auto& rr : request.recordRoutes())
        d.routeSet.emplace_back(rr.text);
    return d;
}

Dialog Dialog::asUac(const Message& request, const Message& response) {
    Dialog d;
    d.callId = request.callId();
    d.localTag = request.from().tag();
    d.remoteTag = response.to().tag();
    d.localUri = withoutTag(request.from());
    d.remoteUri = withoutTag(response.to());
    d.localSeq = request.cseq().number;
    d.remoteTarget = contactUri(response);
    if (d.remoteTarget.empty()) d.remoteTarget = request.requestUri().text;
    // §12.1.2: the Record-Route values in reverse order.
    const auto& rrs = response.recordRoutes();
    for (std::size_t i = rrs.size(); i-- > 0;)
        d.routeSet.emplace_back(rrs[i].text);
    d.early = response.status() < 200;
    return d;
}

bool Dialog::acceptRemoteSeq(std::uint32_t cseq) {
    if (remoteSeq && cseq <= *remoteSeq) return false;
    remoteSeq = cseq;
    return true;
}

void Dialog::refreshTarget(const Message& message) {
    if (auto target = contactUri(message); !target.empty()) remoteTarget = std::move(target);
}

void Dialog::adopt(const Message& response) {
    early = response.status() < 200;
    routeSet.clear();
    const auto& rrs = response.recordRoutes();
    for (std::size_t i = rrs.size(); i-- > 0;)
        routeSet.emplace_back(rrs[i].text);
    refreshTarget(response);
}

std::string_view Dialog::nextHop() const {
    if (!routeSet.empty()) return uriOf(routeSet.front());
    return remoteTarget;
}

MessageWriter Dialog::request(std::string_view method, std::string_view via, std::uint32_t cseq,
                              std::uint32_t maxForwards) {
    if (cseq == 0) cseq = ++localSeq;
    MessageWriter w;
    // §12.2.1.1: with a loose router first (or no route), the Request-URI is the remote target
    // and the route set goes in Route; a strict router gets the Request-URI itself, and the
    // remote target goes last in Route.
    const bool strict = !routeSet.empty() && !isLooseRoute(routeSet.front());
    w.requestLine(method, strict ? uriOf(routeSet.front()) : std::string_view(remoteTarget));
    w.header(HeaderId::via, via);
    for (std::size_t i = strict ? 1 : 0; i < routeSet.size(); ++i)
        w.header(HeaderId::route, routeSet[i]);
    if (strict) w.header(HeaderId::route, fmt::format("<{}>", remoteTarget));
    w.header(HeaderId::max_forwards, fmt::format("{}", maxForwards));
    w.header(HeaderId::from, fmt::format("{};tag={}", localUri, localTag));
    if (remoteTag.empty())
        w.header(HeaderId::to, remoteUri);
    else
        w.header(HeaderId::to, fmt::format("{};tag={}", remoteUri, remoteTag));
    w.header(HeaderId::call_id, callId);
    w.header(HeaderId::cseq, fmt::format("{} {}", cseq, method));
    return w;
}

} // namespace sb::sip
