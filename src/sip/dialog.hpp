#pragma once
// A SIP dialog (RFC 3261 §12): the state two user agents share between an INVITE's 2xx (or a
// 1xx with a To tag: an early dialog) and the BYE. It owns copies of what it needs, so that the
// messages that made it can go.

#include "sip/message_writer.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::sip {

class Message;

struct Dialog {
    std::string callId;
    std::string localTag, remoteTag;
    std::string localUri, remoteUri; // the From/To values without tags, e.g. "<sip:a@b>"
    std::uint32_t localSeq = 0;
    std::optional<std::uint32_t> remoteSeq; // empty until the peer sends a request
    std::string remoteTarget;               // the peer's Contact URI (target refresh updates it)
    std::vector<std::string> routeSet;      // Route values in the order they are sent
    bool early = true;

    // §12.1.1: the UAS side, from the request and the tag we put in To.
    static Dialog asUas(const Message& request, std::string_view localTag);
    // §12.1.2: the UAC side, from our request and a response carrying a To tag.
    static Dialog asUac(const Message& request, const Message& response);

    // §12.2.2: a request's CSeq must exceed the last one the peer sent (ACK and CANCEL reuse
    // the INVITE's). False when it does not (answer 500); otherwise records it.
    bool acceptRemoteSeq(std::uint32_t cseq);
    // Target refresh (§12.2.1.2, §12.2.2): a Contact in a re-INVITE, UPDATE or their 2xx.
    void refreshTarget(const Message& message);
    // Takes the route set (Record-Route, reversed) and remote target (Contact) of a response
    // that creates the dialog: the provisional response of an early dialog, and the 2xx that
    // confirms it (§12.1.2; §13.2.2.4: the route set is recomputed from the 2xx).
    void adopt(const Message& response);

    // The URI the next request is sent towards (§12.2.1.1, RFC 3263 §4: the first route or
    // the remote target).
    std::string_view nextHop() const;

    // A request within the dialog (§12.2.1.1): Request-URI and Route per loose or strict
    // routing, From, To, Call-ID and CSeq. `cseq` 0 takes the next local sequence number; ACK
    // and CANCEL pass the INVITE's. The caller adds Via first, then the rest.
    MessageWriter request(std::string_view method, std::string_view via, std::uint32_t cseq = 0,
                          std::uint32_t maxForwards = 70);
};

// The dialog a request belongs to, as the key our tables use: Call-ID and our own tag (the
// request's To tag on either side of a B2BUA).
std::string dialogKey(std::string_view callId, std::string_view localTag);

// The URI inside a Contact/Route value ("<sip:x@y;lr>" → "sip:x@y;lr").
std::string_view uriOf(std::string_view nameAddr);

} // namespace sb::sip
