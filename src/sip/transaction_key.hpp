#pragma once
// Transaction matching keys (RFC 3261 §17.1.3, §17.2.3).

#include <string>
#include <string_view>

namespace sb::sip {

class Message;

// RFC 3261 §8.1.1.7: a branch that starts with the magic cookie was made by an RFC 3261 element
// and is unique across space and time, so it alone (with sent-by and method) names a transaction.
inline constexpr std::string_view kBranchCookie = "z9hG4bK";

// The key of the server transaction a request belongs to. ACK and CANCEL map onto the INVITE's
// key when `asInvite` is true (an ACK for a non-2xx final, §17.2.3; the INVITE a CANCEL
// cancels, §9.2).
//
// With a magic-cookie branch: branch, sent-by and method. Without one (an RFC 2543 peer, §17.2.3
// "backwards compatibility"): Request-URI, From tag, Call-ID, CSeq number and the whole top Via;
// the To tag is left out because the ACK for a non-2xx carries the tag that our response added.
std::string serverTransactionKey(const Message& request, bool asInvite = false);

// The key of the client transaction a response belongs to (§17.1.3): the top Via's branch and
// the CSeq method.
std::string clientTransactionKey(std::string_view branch, std::string_view method);
std::string clientTransactionKey(const Message& response);

} // namespace sb::sip
