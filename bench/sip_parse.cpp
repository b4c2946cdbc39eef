// bench/sip_parse: parse and validate a typical INVITE, 200 OK and REGISTER on one core.
// Each iteration hands the parser a freshly owned buffer, as the transport does, so the copy
// and the allocation are part of the figure. Issue goal: >= 1,000,000 INVITEs/s per core.

#include "sip/message.hpp"

#include <benchmark/benchmark.h>
#include <cstdio>
#include <string>

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
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}

void BM_ParseInvite(benchmark::State& s) {
    parse(s, kInvite);
}
void BM_Parse200Ok(benchmark::State& s) {
    parse(s, kOk);
}
void BM_ParseRegister(benchmark::State& s) {
    parse(s, kRegister);
}

BENCHMARK(BM_ParseInvite)->MinTime(1.0);
BENCHMARK(BM_Parse200Ok)->MinTime(1.0);
BENCHMARK(BM_ParseRegister)->MinTime(1.0);

} // namespace

BENCHMARK_MAIN();
