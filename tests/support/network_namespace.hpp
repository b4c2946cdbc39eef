#pragma once
// Puts the calling thread (and the threads and processes it makes from now on) into a network
// namespace of its own, with loopback up and a veth pair whose ends have the two addresses:
// interfaces that are not loopback, which ICE needs (it leaves loopback out), and nothing
// outside the namespace reachable. Needs CAP_SYS_ADMIN.

#include <cstdlib>
#include <gtest/gtest.h>
#include <sched.h>
#include <string>

namespace sb::test {

// A namespace with loopback up and nothing else: what is sent there, multicast included,
// reaches no other host.
inline testing::AssertionResult enterNamespace() {
    if (::unshare(CLONE_NEWNET) != 0)
        return testing::AssertionFailure() << "a network namespace needs CAP_SYS_ADMIN";
    if (std::system("ip link set lo up") != 0)
        return testing::AssertionFailure() << "could not bring loopback up";
    return testing::AssertionSuccess();
}

inline testing::AssertionResult enterNamespaceWithVethPair(const std::string& name,
                                                           const std::string& first,
                                                           const std::string& second) {
    if (auto entered = enterNamespace(); !entered) return entered;
    const std::string setUp = "ip link add " + name + "0 type veth peer name " + name +
                              "1 && ip addr add " + first + "/24 dev " + name +
                              "0 && ip addr add " + second + "/24 dev " + name +
                              "1 && ip link set " + name + "0 up && ip link set " + name + "1 up";
    if (std::system(setUp.c_str()) != 0)
        return testing::AssertionFailure() << "could not make the veth pair: " << setUp;
    return testing::AssertionSuccess();
}

} // namespace sb::test
