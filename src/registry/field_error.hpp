#pragma once
// Where a JSON document read by the registry is wrong: the JSON pointer (RFC 6901) of the
// field and one sentence of detail. The API turns it into an RFC 9457 problem with a "field"
// member; the Error returned alongside carries both as "<field>: <detail>".

#include "core/result.hpp"

#include <string>

namespace sb::registry {

struct FieldError {
    std::string field;  // a JSON pointer: "/onCall/1/from"; "" for the document itself
    std::string detail; // "expected \"HH:MM\", got \"25:00\""

    // "<field>: <detail>", or "/: <detail>" for the document itself.
    std::string message() const { return (field.empty() ? "/" : field) + ": " + detail; }
    Error error(Errc code = Errc::invalid_input) const { return Error{code, message()}; }
};

} // namespace sb::registry
