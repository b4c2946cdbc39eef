#pragma once
// The limits' state that the instances of a cluster share (docs/operations.md "The cluster"):
// one bucket and one count of escalations in progress per limit and subject, whichever
// instance admits, so that a rate or a cap holds across the cluster and not per process. The
// guard still decides the rules and words the answers; the ledger only takes tokens and
// counts, all or nothing, as Guard::admit does for one instance.

#include "guard/policy.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sb::guard {

// The ledger's answer to an admission.
struct SharedVerdict {
    std::string refusedBy;        // the limit's id; empty: admitted
    int active = 0;               // the subject's escalations in progress, cluster-wide
    std::optional<double> tokens; // the refusing bucket's level; nullopt: its cap refused
    std::string error;            // the ledger could not be asked (then nothing changed)
};

class SharedLimits {
public:
    using Done = std::function<void(SharedVerdict)>;
    virtual ~SharedLimits() = default;

    // Takes a token from every bucket of `limits` (those applying to the subject) and counts
    // one escalation in progress, or changes nothing and names the limit that refused.
    // `done` runs later, on the caller's thread.
    virtual void admit(LimitScope scope, std::string subject, std::vector<Limit> limits,
                       Done done) = 0;
    // Ends one escalation in progress that admit() counted for this instance.
    virtual void release(LimitScope scope, std::string subject) = 0;
};

} // namespace sb::guard
