#pragma once
// SIGINT and SIGTERM are the control loop's (app::Server's signal_set): a thread of our own
// blocks them as it starts, so that they never land on it. Once the control loop has stopped
// and its handlers are gone, a second signal (coreutils timeout signals the child and its
// process group) then waits, blocked everywhere, instead of killing the process half-way
// through its teardown on whichever thread it reached.

#include <csignal>
#include <pthread.h>

namespace sb {

inline void blockStopSignals() {
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);
}

} // namespace sb
