#pragma once
// Telling the service manager how the gateway is doing, for systemd's Type=notify units
// (sd_notify(3)): READY=1 once every listener is up, STOPPING=1 when a drain or shutdown
// begins, and a STATUS= line an operator sees in `systemctl status`. Without a service manager
// (NOTIFY_SOCKET unset) nothing is sent.

#include <string_view>

namespace sb::app {

// `state`: newline-separated KEY=VALUE assignments, as sd_notify(3) takes them.
void notifyServiceManager(std::string_view state);

} // namespace sb::app
