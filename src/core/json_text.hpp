#pragma once
// A JSON value as compact text, never throwing. nlohmann's dump() throws (type_error 316) on
// a string that is not UTF-8, and strings from the network are bytes until checked (a SIP
// reason phrase, an SDP line in an error, a file name from a URL): on a thread with no catch,
// that ends the process. Here such bytes become U+FFFD. Where the exact form is the point
// (the witness log's canonical entries), dump() is called as it is, on values checked before.

#include <nlohmann/json.hpp>
#include <string>

namespace sb {

inline std::string jsonText(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace sb
