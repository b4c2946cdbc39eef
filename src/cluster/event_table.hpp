#pragma once
// Where the cluster's events live (cluster/pg_escalations.hpp): their table, read by an
// instance whose session was down as they were NOTIFYed, and their NOTIFY channel.

namespace sb::cluster {

inline constexpr const char* kEvents = "switchboard_events";
inline constexpr const char* kEventsTable =
    "CREATE TABLE IF NOT EXISTS cluster_events (seq BIGSERIAL PRIMARY KEY, instance TEXT NOT "
    "NULL, key TEXT NOT NULL, agent TEXT NOT NULL, message TEXT NOT NULL, sent TIMESTAMPTZ NOT "
    "NULL DEFAULT now())";
inline constexpr const char* kEventsIndex =
    "CREATE INDEX IF NOT EXISTS cluster_events_sent ON cluster_events (sent)";

} // namespace sb::cluster
