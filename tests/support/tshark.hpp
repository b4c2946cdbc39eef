#pragma once
// Wireshark's dissectors as the oracle for what we encode (PEERS.md): packets become a capture
// with text2pcap, tshark must find nothing malformed in it, and gives back the fields asked
// for, one line a packet, separated by '|'.

#include "support/command_output.hpp"

#include <cstdint>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>
#include <vector>

namespace sb::test {

struct TsharkReading {
    std::string fields;    // as tshark prints them: '|' between fields, a line a packet
    std::string malformed; // the packets tshark calls malformed; empty when none
    std::string trouble;   // text2pcap's or tshark's complaint when one failed
};

// `framing`: text2pcap's arguments for the packets' headers, e.g. "-4 10.0.0.1,10.0.0.2 -u
// 1719,1719" (RAS), "-4 … -T 40000,1720" (call signalling), or "-l 147" with `options`
// '-o uat:user_dlts:…' naming the dissector for a link type of its own (H.245's "h245dg").
inline TsharkReading readWithTshark(const std::vector<std::vector<std::uint8_t>>& packets,
                                    const std::string& framing, const std::string& fields,
                                    const std::string& options = "") {
    const auto dir = std::filesystem::temp_directory_path() /
                     fmt::format("sb-tshark-{}-{}", ::getpid(), std::rand());
    std::filesystem::create_directories(dir);
    {
        std::ofstream hex(dir / "in.txt");
        for (const auto& packet : packets) {
            hex << "000000";
            for (auto b : packet)
                hex << fmt::format(" {:02x}", b);
            hex << "\n";
        }
    }
    TsharkReading reading;
    const auto pcap = (dir / "packets.pcap").string();
    auto made = runCommand(
        fmt::format("text2pcap -q {} '{}' '{}' 2>&1", framing, (dir / "in.txt").string(), pcap));
    if (!made.succeeded)
        reading.trouble = "text2pcap (tshark, from scripts/install-deps): " + made.output;
    const auto malformed = runCommand(fmt::format(
        "tshark {} -r '{}' -Y '_ws.malformed || _ws.expert.group==83886080' 2>/dev/null", options,
        pcap));
    if (!malformed.succeeded)
        reading.trouble += "tshark: " + malformed.output;
    else
        reading.malformed = malformed.output;
    std::string args;
    for (std::size_t at = 0; at < fields.size();) {
        const auto end = std::min(fields.find(' ', at), fields.size());
        args += " -e " + fields.substr(at, end - at);
        at = end + 1;
    }
    // tshark's complaints (a field it does not know) go to standard error, with a warning that
    // it runs as root: kept apart from the fields.
    const auto fieldsRun =
        runCommand(fmt::format("tshark {} -r '{}' -T fields -E separator='|'{} 2>'{}/errors'",
                               options, pcap, args, dir.string()));
    reading.fields = fieldsRun.output;
    if (!fieldsRun.succeeded) {
        std::ifstream errors(dir / "errors");
        reading.trouble += "tshark: " + std::string(std::istreambuf_iterator<char>(errors), {});
    }
    std::filesystem::remove_all(dir);
    return reading;
}

// Each packet's fields that tshark filled, as "name=value" separated by spaces, without the
// names' protocol prefix (e.g. "h245.") when they have one.
inline std::vector<std::string> namedFields(const TsharkReading& reading,
                                            const std::string& fields) {
    std::vector<std::string> names;
    for (std::size_t at = 0; at < fields.size();) {
        const auto end = std::min(fields.find(' ', at), fields.size());
        auto name = fields.substr(at, end - at);
        if (const auto dot = name.find('.'); dot != std::string::npos) name.erase(0, dot + 1);
        names.push_back(name);
        at = end + 1;
    }
    std::vector<std::string> packets;
    for (std::size_t at = 0; at < reading.fields.size();) {
        const auto end = std::min(reading.fields.find('\n', at), reading.fields.size());
        const auto line = reading.fields.substr(at, end - at);
        std::string named;
        std::size_t column = 0;
        for (std::size_t from = 0; from <= line.size(); ++column) {
            const auto bar = std::min(line.find('|', from), line.size());
            if (bar > from && column < names.size())
                named += (named.empty() ? "" : " ") + names[column] + "=" +
                         line.substr(from, bar - from);
            from = bar + 1;
        }
        packets.push_back(named);
        at = end + 1;
    }
    return packets;
}

} // namespace sb::test
