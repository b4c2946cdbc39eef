// H.225.0 RAS messages: written and read back by us, read by tshark (Wireshark's H.225.0
// dissector, built from the ITU module: it catches a type written wrong) with nothing
// malformed and every field as written, and bad input refused naming the field.
#include "h323/ras/ras_message.hpp"
#include "support/command_output.hpp"
#include "support/tshark.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

namespace sb::h323::ras {
namespace {

GatekeeperRequest grq() {
    GatekeeperRequest m;
    m.requestSeqNum = 4242;
    m.rasAddress = {{10, 0, 0, 1}, 1719};
    m.gatekeeperIdentifier = u"GK-Room";
    m.endpointAlias = {h225::H323Id{u"switchboard"}, h225::DialedDigits{"1001"}};
    return m;
}

TEST(Ras, AGatekeeperRequestReadsBack) {
    const auto bytes = encode(grq());
    auto back = decode(bytes);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(std::get<GatekeeperRequest>(*back), grq());
}

TEST(Ras, BadInputIsRefusedNamingTheField) {
    auto bytes = encode(grq());
    const auto why = [](std::vector<std::uint8_t> b) {
        auto m = decode(b);
        return m ? std::string("accepted") : m.error().message;
    };
    EXPECT_EQ(why({bytes.begin(), bytes.begin() + 12}).substr(0, 36),
              "gatekeeperRequest.rasAddress.ipAddre");
    EXPECT_EQ(why({0x0c, 0x00}), "only gatekeeperRequest is taken yet") << "an RRQ";
    bytes.push_back(0);
    EXPECT_EQ(why(bytes), "1 octets left over after the value");
}

TEST(Ras, TsharkReadsOurGatekeeperRequests) {
    auto gateway = grq();
    gateway.endpointType.gateway = true;
    gateway.requestSeqNum = 1;
    const auto reading = test::readWithTshark(
        {encode(grq()), encode(gateway)}, "-4 10.0.0.1,10.0.0.2 -u 1719,1719",
        "h225.RasMessage h225.requestSeqNum h225.protocolIdentifier h225.ipV4 h225.ipV4_port "
        "h225.terminal_element h225.gateway_element h225.mc h225.undefinedNode "
        "h225.gatekeeperIdentifier h225.h323_ID h225.dialledDigits");
    ASSERT_EQ(reading.trouble, "");
    EXPECT_EQ(reading.malformed, "");
    EXPECT_EQ(reading.fields,
              "0|4242|0.0.8.2250.0.7|10.0.0.1|1719|1||0|0|GK-Room|switchboard|1001\n"
              "0|1|0.0.8.2250.0.7|10.0.0.1|1719|1|1|0|0|GK-Room|switchboard|1001\n");
}

// Erlang's compiler, given the ASN.1 of what we encode (tests/vectors/per/H225Subset.asn1),
// decodes our GRQ to the same value and encodes that value to the same octets.
TEST(Ras, ErlangAgreesOnOurGatekeeperRequest) {
    const auto dir =
        std::filesystem::temp_directory_path() / fmt::format("sb-ras-erl-{}", ::getpid());
    std::filesystem::create_directories(dir);
    const auto compiled = test::commandOutput(fmt::format(
        "cd '{}' && erlc -bper '{}/per/H225Subset.asn1' 2>&1", dir.string(), SB_VECTORS_DIR));
    ASSERT_TRUE(std::filesystem::exists(dir / "H225Subset.beam")) << compiled;
    std::string bytes;
    for (auto b : encode(grq()))
        bytes += fmt::format("{}{}", bytes.empty() ? "" : ",", b);
    std::ofstream(dir / "vectors.terms")
        << "{'RasMessage', {gatekeeperRequest, {'GatekeeperRequest', 4242, {0,0,8,2250,0,7}, "
           "asn1_NOVALUE, {ipAddress, {'TransportAddress_ipAddress', <<10,0,0,1>>, 1719}}, "
           "{'EndpointType', asn1_NOVALUE, asn1_NOVALUE, asn1_NOVALUE, asn1_NOVALUE, "
           "asn1_NOVALUE, {'TerminalInfo', asn1_NOVALUE}, false, false}, \"GK-Room\", "
           "asn1_NOVALUE, [{'h323-ID', \"switchboard\"}, {dialedDigits, \"1001\"}]}}, <<"
        << bytes << ">>}.\n";
    const auto said = test::commandOutput(
        fmt::format("escript '{}/per_oracle.escript' '{}' H225Subset '{}' 2>&1", SB_INTEROP_DIR,
                    dir.string(), (dir / "vectors.terms").string()));
    std::filesystem::remove_all(dir);
    EXPECT_EQ(said, "checked 1\n");
}

} // namespace
} // namespace sb::h323::ras
