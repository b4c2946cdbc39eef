#include "app/service_manager.hpp"

#include <string>
#include <systemd/sd-daemon.h>

namespace sb::app {

void notifyServiceManager(std::string_view state) {
    // 0: keep NOTIFY_SOCKET, for the notifications after this one. A failure to tell the
    // manager changes nothing for the gateway (a unit's timeouts report it).
    (void)sd_notify(0, std::string(state).c_str());
}

} // namespace sb::app
