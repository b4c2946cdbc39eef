// bench/sip_parse: parse and validate a typical INVITE, 200 OK and REGISTER on one core, with
// Switchboard's parser and, in the same run, with libre's sip_msg_decode (the zero-copy SIP
// decoder of baresip, Debian's libre-dev) as the anchor. Each iteration hands the parser a
// freshly owned buffer, as a transport does, so the copy and the allocation are part of both
// figures. Issue goal: >= 1,000,000 INVITEs/s per core.

#include "sip/message.hpp"

#include <benchmark/benchmark.h>

extern "C" {
#include <re.h>
}

#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace {

const std::string kInvite =
    "INVITE sip:expert-42@experts.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n"
    "Max-Forwards: 70\r\n"
    "To: \"Expert 42\" <sip:expert-42@experts.example.com>\r\n"
    "From: \"Switchboard\" <sip:switchboard@gw.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@gw.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:switchboard@192.0.2.10:5060;transport=udp>\r\n"
    "Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY, UPDATE\r\n"
    "Supported: timer, 100rel, replaces\r\n"
    "User-Agent: Switchboard/0.1\r\n"
    "X-IF-Trace-ID: 4bf92f3577b34da6a3ce929d0e0e4736\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 142\r\n"
    "\r\n"
    "v=0\r\n"
    "o=switchboard 2890844526 2890844526 IN IP4 192.0.2.10\r\n"
    "s=-\r\n"
    "c=IN IP4 192.0.2.10\r\n"
    "t=0 0\r\n"
    "m=audio 49172 RTP/AVP 0 8 101\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n";

const std::string kOk = "SIP/2.0 200 OK\r\n"
                        "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport=5060;"
                        "received=192.0.2.10\r\n"
                        "To: \"Expert 42\" <sip:expert-42@experts.example.com>;tag=a6c85cf\r\n"
                        "From: \"Switchboard\" <sip:switchboard@gw.example.com>;tag=1928301774\r\n"
                        "Call-ID: a84b4c76e66710@gw.example.com\r\n"
                        "CSeq: 314159 INVITE\r\n"
                        "Contact: <sip:expert-42@198.51.100.7:5060>\r\n"
                        "Record-Route: <sip:proxy.example.com;lr>\r\n"
                        "Content-Length: 0\r\n"
                        "\r\n";

const std::string kRegister = "REGISTER sip:registrar.example.com SIP/2.0\r\n"
                              "Via: SIP/2.0/TCP 198.51.100.7:5060;branch=z9hG4bKnashds7\r\n"
                              "Max-Forwards: 70\r\n"
                              "To: <sip:expert-42@example.com>\r\n"
                              "From: <sip:expert-42@example.com>;tag=456248\r\n"
                              "Call-ID: 843817637684230@998sdasdh09\r\n"
                              "CSeq: 1826 REGISTER\r\n"
                              "Contact: <sip:expert-42@198.51.100.7:5060>;expires=7200\r\n"
                              "Expires: 7200\r\n"
                              "Content-Length: 0\r\n"
                              "\r\n";

void parse(benchmark::State& state, const std::string& text) {
    for (auto _ : state) {
        std::string bytes = text; // the transport hands over an owned buffer
        auto m = sb::sip::Message::parse(std::move(bytes));
        if (!m) {
            state.SkipWithError(m.error().message.c_str());
            break;
        }
        benchmark::DoNotOptimize(m->cseq().number);
    }
    state.SetItemsProcessed(state.iterations());
}

// The anchor: libre copies the message into an mbuf it owns and decodes it into a sip_msg
// (views into the mbuf, every header indexed in a hash table); then both are freed.
void parseWithLibre(benchmark::State& state, const std::string& text) {
    for (auto _ : state) {
        struct mbuf* mb = mbuf_alloc(text.size());
        mbuf_write_mem(mb, reinterpret_cast<const uint8_t*>(text.data()), text.size());
        mbuf_set_pos(mb, 0);
        struct sip_msg* msg = nullptr;
        if (sip_msg_decode(&msg, mb) != 0) {
            state.SkipWithError("libre could not decode the message");
            mem_deref(mb);
            break;
        }
        benchmark::DoNotOptimize(msg->cseq.num);
        mem_deref(msg);
        mem_deref(mb);
    }
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(parse, invite, kInvite)->MinTime(1.0);
BENCHMARK_CAPTURE(parseWithLibre, invite, kInvite)->MinTime(1.0);
BENCHMARK_CAPTURE(parse, ok200, kOk)->MinTime(1.0);
BENCHMARK_CAPTURE(parseWithLibre, ok200, kOk)->MinTime(1.0);
BENCHMARK_CAPTURE(parse, register, kRegister)->MinTime(1.0);
BENCHMARK_CAPTURE(parseWithLibre, register, kRegister)->MinTime(1.0);

// Google Benchmark's table, then a summary: messages per second for both parsers, the ratio,
// and how far the INVITE figure is from the goal.
class SummaryReporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const auto& run : runs) {
            const auto name = run.benchmark_name(); // "parse/invite/min_time:1.000"
            const auto first = name.find('/');
            const auto second = name.find('/', first + 1);
            const auto it = run.counters.find("items_per_second");
            if (it != run.counters.end())
                rates_[name.substr(first + 1, second - first - 1)][name.substr(0, first)] =
                    it->second.value;
        }
    }
    void Finalize() override {
        ConsoleReporter::Finalize();
        std::printf("\n%-10s %16s %16s %8s\n", "message", "switchboard/s", "libre/s", "ratio");
        for (auto& [message, by] : rates_) {
            const double ours = by["parse"], anchor = by["parseWithLibre"];
            std::printf("%-10s %16.0f %16.0f %8.2f\n", message.c_str(), ours, anchor,
                        anchor > 0 ? ours / anchor : 0.0);
        }
        std::printf("goal: 1,000,000 INVITEs/s per core; reached %.2f of it\n",
                    rates_["invite"]["parse"] / 1e6);
    }

private:
    std::map<std::string, std::map<std::string, double>> rates_;
};

} // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    SummaryReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return 0;
}
