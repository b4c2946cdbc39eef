#include "sip/transaction_key.hpp"

#include "sip/message.hpp"

#include <fmt/format.h>

namespace sb::sip {

std::string serverTransactionKey(const Message& request, bool asInvite) {
    const Via& via = request.vias()[0];
    const std::string_view method = asInvite ? std::string_view("INVITE") : request.method();
    if (via.branch.starts_with(kBranchCookie)) {
        // §17.2.3: sent-by is host and port; a missing port is its transport's default, which
        // we leave as "" on both sides of the comparison.
        return fmt::format("{}|{}:{}|{}", via.branch, via.host, via.port.value_or(0), method);
    }
    return fmt::format("2543|{}|{}|{}|{}|{}|{}", request.requestUri().text, request.from().tag(),
                       request.callId(), request.cseq().number, via.text, method);
}

std::string clientTransactionKey(std::string_view branch, std::string_view method) {
    std::string key;
    key.reserve(branch.size() + 1 + method.size());
    key.append(branch).append("|").append(method);
    return key;
}

std::string clientTransactionKey(const Message& response) {
    return clientTransactionKey(response.vias()[0].branch, response.cseq().method);
}

} // namespace sb::sip
