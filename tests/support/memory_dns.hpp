#pragma once
// A DnsClient answering from records held in memory. Answers wait in a queue until the test
// calls deliver(), as a real resolver's answers arrive later, and every question is recorded.

#include "net/dns.hpp"

#include <deque>
#include <fmt/format.h>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace sb::test {

class MemoryDns final : public net::DnsClient {
public:
    std::map<std::string, std::vector<net::NaptrRecord>> naptrs;
    std::map<std::string, std::vector<net::SrvRecord>> srvs;
    std::map<std::string, net::AddressRecords> hosts;
    std::vector<std::string> asked; // "NAPTR name", "SRV name", "A name"

    void naptr(const std::string& name, Done<std::vector<net::NaptrRecord>> done) override {
        answer("NAPTR", name, naptrs, std::move(done));
    }
    void srv(const std::string& name, Done<std::vector<net::SrvRecord>> done) override {
        answer("SRV", name, srvs, std::move(done));
    }
    void addresses(const std::string& name, Done<net::AddressRecords> done) override {
        answer("A", name, hosts, std::move(done));
    }

    // Delivers the answers queued so far, and those their callbacks ask for, until none is left.
    void deliver() {
        while (!queue_.empty()) {
            auto next = std::move(queue_.front());
            queue_.pop_front();
            next();
        }
    }

private:
    template <typename T>
    void answer(const char* type, const std::string& name, const std::map<std::string, T>& table,
                Done<T> done) {
        asked.push_back(fmt::format("{} {}", type, name));
        auto found = table.find(name);
        Result<T> result = found == table.end()
                               ? Result<T>(fail(Errc::not_found, fmt::format("DNS {} {}: no such "
                                                                             "records",
                                                                             type, name)))
                               : Result<T>(found->second);
        queue_.push_back([done = std::move(done), result = std::move(result)]() mutable {
            done(std::move(result));
        });
    }

    std::deque<std::function<void()>> queue_;
};

} // namespace sb::test
