#include "app/config.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <string>

namespace sb::app {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// SB_VECTORS_DIR is tests/vectors; the deploy folder is two levels up.
const std::filesystem::path kDeployFile =
    std::filesystem::path(SB_VECTORS_DIR) / ".." / ".." / "deploy" / "switchboard.toml";

// The smallest valid configuration: one listener.
constexpr std::string_view kListener = "[[sip.listen]]\n"
                                       "transport = \"udp\"\n"
                                       "address = \"127.0.0.1\"\n"
                                       "port = 5060\n";

std::string errorOf(std::string_view text) {
    auto config = parseConfig(text, "test.toml");
    if (config) return "(parsed without error)";
    EXPECT_EQ(config.error().code, Errc::config);
    return config.error().message;
}

TEST(DefaultConfig, ParsesAndIsTheDeployFile) {
    const Config builtIn = defaultConfig();
    auto fromFile = loadConfig(kDeployFile);
    ASSERT_TRUE(fromFile) << fromFile.error().message;
    EXPECT_EQ(*fromFile, builtIn);

    std::ifstream in(kDeployFile);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(defaultConfigText(), text);
}

TEST(DefaultConfig, HasTheDocumentedValues) {
    const Config config = defaultConfig();
    EXPECT_EQ(config.dataDir, "var");
    EXPECT_EQ(config.log.level, "info");
    EXPECT_TRUE(config.log.modules.empty());
    ASSERT_EQ(config.sip.listen.size(), 3u);
    EXPECT_EQ(config.sip.listen[0], (ListenConfig{sip::Transport::udp, "127.0.0.1", 5060}));
    EXPECT_EQ(config.sip.listen[1], (ListenConfig{sip::Transport::tcp, "127.0.0.1", 5060}));
    EXPECT_EQ(config.sip.listen[2], (ListenConfig{sip::Transport::tls, "127.0.0.1", 5061}));
    EXPECT_TRUE(config.tls.selfSigned);
    EXPECT_EQ(config.tls.certificate, "var/tls/cert.pem");
    EXPECT_EQ(config.tls.privateKey, "var/tls/key.pem");

    // The file states the same limits as the struct defaults.
    SipConfig expected;
    expected.listen = config.sip.listen;
    EXPECT_EQ(config.sip, expected);
}

TEST(ParseConfig, KeysLeftOutTakeTheStructDefaults) {
    auto config = parseConfig(kListener, "test.toml");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->dataDir, "var");
    EXPECT_EQ(config->log, LogConfig{});
    SipConfig expected;
    expected.listen = {{sip::Transport::udp, "127.0.0.1", 5060}};
    EXPECT_EQ(config->sip, expected);
}

TEST(ParseConfig, ReadsEveryKey) {
    auto config = parseConfig(R"toml(data_dir = "/srv/sb"
[log]
level = "warning"
[log.modules]
sip = "debug"
net = "off"
[sip]
max_message_bytes = 2048
max_headers = 64
max_line_bytes = 1024
message_timeout_ms = 500
idle_timeout_s = 60
max_connections = 10
user_agent = "Switchboard/0.1 (test)"
[[sip.listen]]
transport = "TLS"
address = "::1"
[[sip.listen]]
transport = "tcp"
address = "0.0.0.0"
port = 0
[tls]
certificate = "certs/a.pem"
private_key = "/etc/sb/key.pem"
self_signed = false
)toml",
                              "test.toml");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->dataDir, "/srv/sb");
    EXPECT_EQ(config->log.level, "warning");
    EXPECT_EQ(config->log.modules,
              (std::map<std::string, std::string>{{"sip", "debug"}, {"net", "off"}}));
    EXPECT_EQ(config->sip.maxMessageBytes, 2048u);
    EXPECT_EQ(config->sip.maxHeaders, 64u);
    EXPECT_EQ(config->sip.maxLineBytes, 1024u);
    EXPECT_EQ(config->sip.messageTimeoutMs, 500u);
    EXPECT_EQ(config->sip.idleTimeoutS, 60u);
    EXPECT_EQ(config->sip.maxConnections, 10u);
    EXPECT_EQ(config->sip.userAgent, "Switchboard/0.1 (test)");
    ASSERT_EQ(config->sip.listen.size(), 2u);
    // RFC 3261 §19.1.2: the default port of TLS is 5061.
    EXPECT_EQ(config->sip.listen[0], (ListenConfig{sip::Transport::tls, "::1", 5061}));
    EXPECT_EQ(config->sip.listen[1], (ListenConfig{sip::Transport::tcp, "0.0.0.0", 0}));
    EXPECT_EQ(config->tls.certificate, "/srv/sb/certs/a.pem"); // relative: under data_dir
    EXPECT_EQ(config->tls.privateKey, "/etc/sb/key.pem");      // absolute: as is
    EXPECT_FALSE(config->tls.selfSigned);
}

TEST(ParseConfig, UnknownTopLevelKeyNamesKeyLineAndChoices) {
    const auto text = "data_dir = \"x\"\ndata_dri = \"x\"\n" + std::string(kListener);
    EXPECT_EQ(errorOf(text), "test.toml:2:1: unknown key 'data_dri' (expected one of: data_dir, "
                             "log, sip, tls, calls, routes, auth, dns, media, api, escalations, "
                             "webrtc, h323, video)");
}

TEST(ParseConfig, TheWebRtcBridgeIsReadAndCheckedWhole) {
    auto config = parseConfig(std::string(kListener) +
                                  "[webrtc]\nstun_server = \"10.0.0.9\"\nstun_port = 3479\n"
                                  "max_message_size = 65536\nevidence_max_bytes = 2048\n"
                                  "evidence_held_bytes = 4096\n"
                                  "grant_seconds = 60\nturn_server = \"10.0.0.8\"\n"
                                  "turn_port = 3480\nturn_transport = \"tcp\"\n"
                                  "turn_username = \"sb\"\nturn_password = \"secret\"\n"
                                  "relay_only = true\n",
                              "test.toml");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_TRUE(config->webrtc.enabled);
    EXPECT_EQ(config->webrtc.stunServer, "10.0.0.9");
    EXPECT_EQ(config->webrtc.stunPort, 3479);
    EXPECT_EQ(config->webrtc.maxMessageSize, 65536u);
    EXPECT_EQ(config->webrtc.evidenceMaxBytes, 2048u);
    EXPECT_EQ(config->webrtc.evidenceHeldBytes, 4096u);
    EXPECT_EQ(config->webrtc.grantSeconds, 60u);
    EXPECT_EQ(config->webrtc.turnServer, "10.0.0.8");
    EXPECT_EQ(config->webrtc.turnPort, 3480);
    EXPECT_EQ(config->webrtc.turnTransport, "tcp");
    EXPECT_EQ(config->webrtc.turnUsername, "sb");
    EXPECT_EQ(config->webrtc.turnPassword, "secret");
    EXPECT_TRUE(config->webrtc.relayOnly);
    EXPECT_EQ(errorOf(std::string(kListener) + "[webrtc]\nturn_transport = \"sctp\"\n"),
              "test.toml:6:18: webrtc.turn_transport: expected \"udp\", \"tcp\" or \"tls\", got "
              "\"sctp\"");
    EXPECT_EQ(errorOf(std::string(kListener) + "[webrtc]\nrelay_only = true\n"),
              "test.toml:6:14: webrtc.relay_only: needs webrtc.turn_server");
    EXPECT_EQ(errorOf(std::string(kListener) + "[webrtc]\nstun_server = \"stun.example\"\n"),
              "test.toml:6:15: webrtc.stun_server: expected an IPv4 or IPv6 address, or \"\", got "
              "\"stun.example\"");
    EXPECT_EQ(errorOf(std::string(kListener) + "[webrtc]\nmax_message_size = 100\n"),
              "test.toml:6:20: webrtc.max_message_size: expected an integer from 16384 to "
              "1048576, got 100");
    EXPECT_EQ(errorOf(std::string(kListener) +
                      "[webrtc]\nevidence_max_bytes = 4096\nevidence_held_bytes = 2048\n"),
              "test.toml:5:1: webrtc.evidence_held_bytes: expected at least "
              "webrtc.evidence_max_bytes (one upload)");
}

TEST(ParseConfig, TheH323EndpointIsReadAndChecked) {
    EXPECT_FALSE(parseConfig(kListener, "test.toml")->h323.enabled); // off unless asked for
    const auto builtIn = defaultConfig().h323;
    EXPECT_TRUE(builtIn.enabled);
    EXPECT_EQ(builtIn.address, "127.0.0.1");
    EXPECT_EQ(builtIn.port, 1720);
    EXPECT_EQ(builtIn.conference, session::kEchoRoom);
    auto config = parseConfig(std::string(kListener) +
                                  "[h323]\nenabled = true\naddress = \"10.0.0.5\"\nport = 1721\n"
                                  "alias = \"council-gw\"\nconference = \"council\"\n"
                                  "gatekeeper = \"10.0.0.9:1819\"\nras_port = 0\n",
                              "test.toml");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->h323,
              (H323Config{true, "10.0.0.5", 1721, "council-gw", "council", "10.0.0.9:1819", 0}));
    EXPECT_EQ(builtIn.gatekeeper, "") << "our own gatekeeper";
    EXPECT_EQ(builtIn.rasPort, 1719);
    EXPECT_EQ(errorOf(std::string(kListener) + "[h323]\ngatekeeper = \"gk.example\"\n"),
              "test.toml:6:14: h323.gatekeeper: expected an IPv4 address, with a port if not "
              "1719, got \"gk.example\"");
    EXPECT_EQ(errorOf(std::string(kListener) + "[h323]\naddress = \"::1\"\n"),
              "test.toml:6:11: h323.address: expected an IPv4 address, got \"::1\"");
    EXPECT_EQ(errorOf(std::string(kListener) + "[h323]\nconference = \"*echo\"\n"),
              "test.toml:6:14: h323.conference: expected a room name (letters, digits, '-', '_', "
              "'.'), got \"*echo\"");
    EXPECT_EQ(errorOf(std::string(kListener) + "[h323]\necho = true\nconference = \"a\"\n"),
              "test.toml:5:1: h323: expected a conference or echo = true, not both");
    EXPECT_EQ(errorOf(std::string(kListener) + "[h323]\necho = false\n"),
              "test.toml:6:8: h323.echo: false needs a conference for arriving calls");
}

TEST(ParseConfig, TheVideoBridgeAndItsSourcesAreReadAndChecked) {
    EXPECT_EQ(parseConfig(kListener, "test.toml")->video, VideoConfig{});
    auto config = parseConfig(std::string(kListener) +
                                  "[video]\npreset = \"1080p\"\ncodec = \"h265\"\n"
                                  "[[video.sources]]\nname = \"belt-3\"\n"
                                  "url = \"rtsp://10.0.0.30/stream1\"\n"
                                  "[[video.sources]]\nname = \"clip\"\nurl = \"/srv/clip.mp4\"\n",
                              "test.toml");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->video.preset, "1080p");
    EXPECT_EQ(config->video.codec, "h265");
    EXPECT_EQ(config->video.sources,
              (std::vector<VideoSourceConfig>{{"belt-3", "rtsp://10.0.0.30/stream1"},
                                              {"clip", "/srv/clip.mp4"}}));
    EXPECT_EQ(errorOf(std::string(kListener) + "[video]\npreset = \"4k\"\n"),
              "test.toml:6:10: video.preset: expected \"1080p\", \"720p\" or \"480p\", got "
              "\"4k\"");
    EXPECT_THAT(errorOf(std::string(kListener) +
                        "[[video.sources]]\nname = \"pattern\"\nurl = \"x.mp4\"\n"),
                HasSubstr("video.sources[0].name: expected a source name"));
    EXPECT_THAT(errorOf(std::string(kListener) + "[[video.sources]]\nname = \"a\"\nurl = \"x\"\n"
                                                 "[[video.sources]]\nname = \"a\"\nurl = \"y\"\n"),
                HasSubstr("video.sources[1].name: expected a name no other source has"));
    EXPECT_THAT(errorOf(std::string(kListener) + "[[video.sources]]\nname = \"a\"\n"),
                HasSubstr("video.sources[0].url: expected an FFmpeg input"));
    // Where NDI's runtime looks beyond mDNS: addresses, and a Discovery Server's port.
    auto ndi = parseConfig(std::string(kListener) +
                               "[video]\nndi_extra_ips = [\"192.0.2.40\", \"2001:db8::1\"]\n"
                               "ndi_discovery_servers = [\"192.0.2.9\", \"192.0.2.10:5959\"]\n"
                               "encoder = \"h264_vaapi\"\nvaapi_device = \"/dev/dri/renderD129\"\n",
                           "test.toml");
    ASSERT_TRUE(ndi) << ndi.error().message;
    EXPECT_EQ(ndi->video.encoder, "h264_vaapi");
    EXPECT_EQ(ndi->video.vaapiDevice, "/dev/dri/renderD129");
    EXPECT_EQ(ndi->video.ndiExtraIps, (std::vector<std::string>{"192.0.2.40", "2001:db8::1"}));
    EXPECT_EQ(ndi->video.ndiDiscoveryServers,
              (std::vector<std::string>{"192.0.2.9", "192.0.2.10:5959"}));
    EXPECT_THAT(errorOf(std::string(kListener) + "[video]\nndi_extra_ips = [\"cam.local\"]\n"),
                HasSubstr("video.ndi_extra_ips: expected an array of IP addresses"));
    EXPECT_THAT(
        errorOf(std::string(kListener) + "[video]\nndi_discovery_servers = [\"192.0.2.9:0\"]\n"),
        HasSubstr("video.ndi_discovery_servers: expected an array of \"ADDRESS\""));
}

TEST(ParseConfig, UnknownNestedKeyNamesTheDottedKey) {
    const auto text = std::string(kListener) + "[sip]\nmax_headers = 20\nmax_headrs = 5\n";
    EXPECT_THAT(errorOf(text), AllOf(StartsWith("test.toml:7:1: unknown key 'sip.max_headrs'"),
                                     HasSubstr("max_headers")));
}

TEST(ParseConfig, UnknownTableNamesTheDottedKey) {
    const auto text = std::string(kListener) + "\n[sip.lisen]\nport = 1\n";
    EXPECT_THAT(errorOf(text),
                AllOf(StartsWith("test.toml:6:"),
                      HasSubstr("unknown key 'sip.lisen' (expected one of: listen")));
}

TEST(ParseConfig, UnknownKeyInsideAListenEntryNamesTheEntry) {
    const auto text = std::string(kListener) + "[[sip.listen]]\ntransport = \"tcp\"\n"
                                               "address = \"127.0.0.1\"\nprot = 5060\n";
    EXPECT_EQ(errorOf(text), "test.toml:8:1: unknown key 'sip.listen[1].prot' (expected one "
                             "of: transport, address, port, advertise)");
}

TEST(ParseConfig, UnknownLogModuleIsAnUnknownKey) {
    const auto text = std::string(kListener) + "[log.modules]\nspi = \"debug\"\n";
    EXPECT_THAT(errorOf(text), AllOf(StartsWith("test.toml:6:1: unknown key 'log.modules.spi'"),
                                     HasSubstr("sip")));
}

TEST(ParseConfig, KeysAfterAListenHeaderBelongToThatEntry) {
    // TOML: a key after [[sip.listen]] is in that entry, a classic mistake worth a clear
    // message.
    EXPECT_THAT(errorOf(std::string(kListener) + "data_dir = \"x\"\n"),
                StartsWith("test.toml:5:1: unknown key 'sip.listen[0].data_dir'"));
}

TEST(ParseConfig, FirstUnknownKeyInTheFileIsReported) {
    const auto text = std::string(kListener) + "[tls]\nzzz = 1\naaa = 2\n";
    EXPECT_THAT(errorOf(text), StartsWith("test.toml:6:1: unknown key 'tls.zzz'"));
}

TEST(ParseConfig, WrongTypeNamesKeyPositionExpectationAndValue) {
    const auto text = std::string(kListener) + "[sip]\nmax_message_bytes = \"big\"\n";
    EXPECT_EQ(errorOf(text), "test.toml:6:21: sip.max_message_bytes: expected an integer from "
                             "1024 to 16777216, got \"big\"");
    EXPECT_EQ(errorOf("data_dir = 3\n" + std::string(kListener)),
              "test.toml:1:12: data_dir: expected a non-empty folder path string, got 3");
    EXPECT_THAT(errorOf(std::string(kListener) + "[tls]\nself_signed = \"yes\"\n"),
                HasSubstr("tls.self_signed: expected true or false, got \"yes\""));
    EXPECT_THAT(errorOf("log = \"debug\"\n" + std::string(kListener)),
                HasSubstr("log: expected a table, got \"debug\""));
    EXPECT_THAT(errorOf(std::string(kListener) + "[sip]\nidle_timeout_s = 1.5\n"),
                HasSubstr("sip.idle_timeout_s: expected an integer from 1 to 86400, got 1.5"));
    EXPECT_THAT(errorOf("[sip]\nlisten = 5\n"),
                HasSubstr("test.toml:2:10: sip.listen: expected at least one [[sip.listen]] "
                          "table, got 5"));
}

TEST(ParseConfig, OutOfRangeValues) {
    const auto withPort = [](std::string_view port) {
        return fmt::format("[[sip.listen]]\ntransport = \"udp\"\naddress = \"::1\"\nport = {}\n",
                           port);
    };
    EXPECT_EQ(errorOf(withPort("70000")),
              "test.toml:4:8: sip.listen[0].port: expected an integer from 0 to 65535, got 70000");
    EXPECT_THAT(errorOf(withPort("-1")), HasSubstr("sip.listen[0].port: expected an integer"));
    EXPECT_THAT(errorOf(std::string(kListener) + "[sip]\nmax_message_bytes = 100\n"),
                HasSubstr("sip.max_message_bytes: expected an integer from 1024 to 16777216, "
                          "got 100"));
    EXPECT_THAT(errorOf(std::string(kListener) +
                        "[sip]\nmax_message_bytes = 2048\nmax_line_bytes = 4096\n"),
                HasSubstr("test.toml:7:18: sip.max_line_bytes: expected at most "
                          "sip.max_message_bytes (2048), got 4096"));
}

TEST(ParseConfig, BadTransportName) {
    EXPECT_EQ(errorOf("[[sip.listen]]\ntransport = \"sctp\"\naddress = \"127.0.0.1\"\n"),
              "test.toml:2:13: sip.listen[0].transport: expected one of: udp, tcp, tls, got "
              "\"sctp\"");
    EXPECT_THAT(errorOf("[[sip.listen]]\naddress = \"127.0.0.1\"\n"),
                HasSubstr("test.toml:1:1: sip.listen[0].transport: missing"));
}

TEST(ParseConfig, BadAddressLiteral) {
    for (const char* bad : {"localhost", "127.0.0.256", "[::1]", "1.2.3", "", "::g"}) {
        const auto text =
            fmt::format("[[sip.listen]]\ntransport = \"udp\"\naddress = \"{}\"\n", bad);
        EXPECT_THAT(errorOf(text),
                    AllOf(StartsWith("test.toml:3:11: sip.listen[0].address: expected an IPv4 "
                                     "or IPv6 address literal"),
                          HasSubstr(fmt::format("got \"{}\"", bad))))
            << bad;
    }
    for (const char* good : {"::", "0.0.0.0", "fe80::1", "2001:db8::5"}) {
        const auto text =
            fmt::format("[[sip.listen]]\ntransport = \"udp\"\naddress = \"{}\"\n", good);
        EXPECT_TRUE(parseConfig(text, "test.toml")) << good;
    }
}

TEST(ParseConfig, BadLogLevel) {
    EXPECT_EQ(errorOf(std::string(kListener) + "[log]\nlevel = \"loud\"\n"),
              "test.toml:6:9: log.level: expected a log level (one of: trace, debug, info, "
              "warning, error, critical, off), got \"loud\"");
    EXPECT_THAT(errorOf(std::string(kListener) + "[log.modules]\nsip = \"verbose\"\n"),
                HasSubstr("test.toml:6:7: log.modules.sip: expected a log level"));
    // spdlog's aliases are accepted, as sb::log::setLevel accepts them.
    EXPECT_TRUE(parseConfig(std::string(kListener) + "[log]\nlevel = \"warn\"\n", "t"));
}

TEST(ParseConfig, SyntaxErrorHasLineAndColumn) {
    EXPECT_THAT(errorOf(std::string(kListener) + "[sip\nmax_headers = 5\n"),
                StartsWith("test.toml:5:"));
    EXPECT_THAT(errorOf("data_dir = \"var\"\ndata_dir = \"other\"\n"), StartsWith("test.toml:2:"));
    EXPECT_THAT(errorOf("a = \n"), StartsWith("test.toml:1:"));
}

TEST(ParseConfig, ListenersAreRequiredAndDistinct) {
    EXPECT_EQ(errorOf("data_dir = \"var\"\n"),
              "test.toml: sip.listen: expected at least one [[sip.listen]] table, got none");
    // UDP and TCP may share a port; TCP and TLS may not.
    const auto text = std::string(kListener) +
                      "[[sip.listen]]\ntransport = \"tcp\"\naddress = \"127.0.0.1\"\n"
                      "port = 5060\n"
                      "[[sip.listen]]\ntransport = \"tls\"\naddress = \"127.0.0.1\"\n"
                      "port = 5060\n";
    EXPECT_THAT(errorOf(text),
                HasSubstr("sip.listen[2]: tls 127.0.0.1 port 5060 is already used by "
                          "sip.listen[1] (tcp)"));
}

TEST(ParseConfig, TlsListenerNeedsACertificateUnlessSelfSigned) {
    const std::string tls = "[[sip.listen]]\ntransport = \"tls\"\naddress = \"127.0.0.1\"\n";
    EXPECT_THAT(
        errorOf(tls + "[tls]\nself_signed = false\n"),
        AllOf(StartsWith("test.toml:4:1: tls.certificate: missing"), HasSubstr("sip.listen[0]")));
    EXPECT_THAT(errorOf(tls + "[tls]\nself_signed = false\ncertificate = \"c.pem\"\n"),
                HasSubstr("tls.private_key: missing"));
    // Without a TLS listener nothing is needed.
    auto config = parseConfig(std::string(kListener) + "[tls]\nself_signed = false\n", "t");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->tls.certificate, "");
}

TEST(ParseConfig, UserAgentMustBePrintable) {
    EXPECT_THAT(errorOf(std::string(kListener) + "[sip]\nuser_agent = \"a\\r\\nX: y\"\n"),
                HasSubstr("sip.user_agent: expected 1 to 128 printable ASCII characters, no "
                          "leading or trailing space, got \"a\\u000D\\u000AX: y\""));
}

TEST(LoadConfig, MissingFileNamesThePath) {
    auto config = loadConfig("/nonexistent/switchboard.toml");
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error().code, Errc::config);
    EXPECT_THAT(config.error().message,
                StartsWith("/nonexistent/switchboard.toml: cannot read the configuration file"));
}

} // namespace
} // namespace sb::app

namespace sb::app {
namespace {

TEST(DefaultConfig, CallsTakeTheStructDefaultsAndTheOnlyRouteIsTheEchoTest) {
    const Config config = defaultConfig();
    EXPECT_EQ(config.calls, sip::CallLimits{});
    ASSERT_EQ(config.routes.size(), 1u);
    EXPECT_EQ(config.routes[0].conference, session::kEchoRoom);
    EXPECT_EQ(config.api.tokens.size(), 1u); // the demo agent's
    EXPECT_EQ(config.escalations.storage, "sqlite:var/switchboard.db");
}

// Instances sharing a PostgreSQL name their witness logs; "{hostname}" is each one's own.
TEST(ParseConfig, TheWitnessLogIsNamedPerInstance) {
    auto named =
        parseConfig(std::string(kListener) + "[escalations]\nstorage = \"postgresql://db/sb\"\n"
                                             "witness_log = \"sb-{hostname}\"\n",
                    "test.toml");
    ASSERT_TRUE(named) << named.error().message;
    EXPECT_EQ(named->escalations.witnessLog, "sb-{hostname}");
    EXPECT_THAT(errorOf(std::string(kListener) + "[escalations]\nwitness_log = \"a b\"\n"),
                HasSubstr("escalations.witness_log: expected letters, digits"));
}

// A cluster's instance is named likewise, and only on a database the instances share.
TEST(ParseConfig, AnInstanceOfAClusterNeedsPostgreSql) {
    auto named =
        parseConfig(std::string(kListener) + "[escalations]\nstorage = \"postgresql://db/sb\"\n"
                                             "instance = \"{hostname}\"\n",
                    "test.toml");
    ASSERT_TRUE(named) << named.error().message;
    EXPECT_EQ(named->escalations.instance, "{hostname}");
    EXPECT_THAT(errorOf(std::string(kListener) + "[escalations]\ninstance = \"sb-1\"\n"),
                HasSubstr("escalations.instance: the instances of a cluster share a postgresql"));
    EXPECT_THAT(errorOf(std::string(kListener) + "[escalations]\ninstance = \"a/b\"\n"),
                HasSubstr("escalations.instance: expected letters, digits"));
}

TEST(ParseConfig, TimersCallsAndRoutes) {
    const auto text = std::string(kListener) +
                      "[sip.timers]\nt1_ms = 50\nt2_ms = 400\nt4_ms = 200\n"
                      "[calls]\nmax_calls = 7\nmax_calls_per_source = 3\nretry_after_s = 9\n"
                      "no_answer_timeout_s = 30\nsession_expires_s = 120\nmin_se_s = 90\n"
                      "drain_s = 45\n"
                      "[[routes]]\nuser = \"^[0-9]+$\"\ndomain = \"example\\\\.org\"\n"
                      "target = \"sip:${user}@192.0.2.1:5080\"\n"
                      "outbound_proxy = \"sip:192.0.2.2\"\ntransport = \"tcp\"\n"
                      "srtp = \"required\"\n"
                      "[[routes]]\ntarget = \"sips:fallback@192.0.2.3\"\n"
                      "[[routes]]\nuser = \"^council$\"\nconference = \"council-1\"\n";
    auto config = parseConfig(text, "test.toml");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->sip.t1Ms, 50u);
    EXPECT_EQ(config->sip.t2Ms, 400u);
    EXPECT_EQ(config->sip.t4Ms, 200u);
    EXPECT_EQ(config->calls.maxCalls, 7u);
    EXPECT_EQ(config->calls.maxCallsPerSource, 3u);
    EXPECT_EQ(config->calls.retryAfterS, 9u);
    EXPECT_EQ(config->calls.noAnswerTimeout, std::chrono::seconds(30));
    EXPECT_EQ(config->calls.drain, std::chrono::seconds(45));
    EXPECT_EQ(config->calls.sessionExpiresS, 120u);
    ASSERT_EQ(config->routes.size(), 3u);
    EXPECT_EQ(config->routes[0],
              (RouteConfig{"^[0-9]+$", "example\\.org", "sip:${user}@192.0.2.1:5080", "",
                           "sip:192.0.2.2", sip::Transport::tcp, "required"}));
    EXPECT_EQ(config->routes[1].target, "sips:fallback@192.0.2.3");
    EXPECT_FALSE(config->routes[1].transport);
    EXPECT_EQ(config->routes[1].srtp, ""); // [media] srtp applies
    EXPECT_EQ(config->routes[2].conference, "council-1");
    EXPECT_EQ(config->routes[2].target, "");
}

TEST(ParseConfig, AnEchoRouteNamesTheEchoRoom) {
    auto config = parseConfig(
        std::string(kListener) + "[[routes]]\nuser = \"^echo$\"\necho = true\n", "test.toml");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->routes[0].conference, session::kEchoRoom);
    EXPECT_EQ(config->routes[0].target, "");
}

TEST(ParseConfig, RouteErrorsNameTheKey) {
    const std::string base(kListener);
    EXPECT_THAT(errorOf(base + "[[routes]]\nuser = \"(\"\ntarget = \"sip:a@1.2.3.4\"\n"),
                AllOf(StartsWith("test.toml:6:8: routes[0].user: expected a regular expression "
                                 "(RE2: missing )"),
                      HasSubstr("got \"(\"")));
    EXPECT_THAT(errorOf(base + "[[routes]]\nuser = \"x\"\n"),
                StartsWith("test.toml:5:1: routes[0]: expected one of a target, a conference or "
                           "echo = true"));
    EXPECT_THAT(errorOf(base + "[[routes]]\ntarget = \"sip:a@1.2.3.4\"\nconference = \"c\"\n"),
                StartsWith("test.toml:5:1: routes[0]: expected one of"));
    EXPECT_THAT(errorOf(base + "[[routes]]\nconference = \"c\"\necho = true\n"),
                StartsWith("test.toml:5:1: routes[0]: expected one of"));
    EXPECT_THAT(errorOf(base + "[[routes]]\necho = 1\n"),
                StartsWith("test.toml:6:8: routes[0].echo: expected true or false"));
    EXPECT_THAT(errorOf(base + "[[routes]]\nconference = \"a room\"\n"),
                StartsWith("test.toml:6:14: routes[0].conference: expected a room name"));
    EXPECT_THAT(errorOf(base + "[[routes]]\ntarget = \"sip:a@1.2.3.4\"\nsrtp = \"yes\"\n"),
                StartsWith("test.toml:7:8: routes[0].srtp: expected one of: off, optional, "
                           "required"));
    EXPECT_THAT(errorOf(base + "[media]\nconference_rate = 8000\n"),
                StartsWith("test.toml:6:19: media.conference_rate: expected 16000 or 48000"));
    EXPECT_THAT(errorOf(base + "[[routes]]\ntarget = \"http://x\"\n"),
                StartsWith("test.toml:6:10: routes[0].target: expected a sip: or sips: URI"));
    EXPECT_THAT(errorOf(base + "[[routes]]\ntarget = \"sip:a@b\"\ntransport = \"sctp\"\n"),
                StartsWith("test.toml:7:13: routes[0].transport: expected one of: udp, tcp, tls"));
    EXPECT_THAT(errorOf(base + "[[routes]]\ntarget = \"sip:a@b\"\nproxy = \"sip:c\"\n"),
                StartsWith("test.toml:7:1: unknown key 'routes[0].proxy'"));
}

TEST(ParseConfig, TimerAndSessionBoundsAreChecked) {
    const std::string base(kListener);
    EXPECT_THAT(errorOf(base + "[sip.timers]\nt1_ms = 500\nt2_ms = 400\n"),
                HasSubstr("sip.timers.t2_ms: expected at least sip.timers.t1_ms (500), got 400"));
    EXPECT_THAT(errorOf(base + "[sip.timers]\nt1_ms = 5\n"),
                HasSubstr("sip.timers.t1_ms: expected an integer from 10 to 10000, got 5"));
    EXPECT_THAT(errorOf(base + "[calls]\nsession_expires_s = 30\n"),
                HasSubstr("calls.session_expires_s: expected 0 or at least calls.min_se_s (90), "
                          "got 30"));
    EXPECT_EQ(errorOf(base + "[calls]\nsession_expires_s = 0\n"), "(parsed without error)");
}

} // namespace
} // namespace sb::app

namespace sb::app {
namespace {

TEST(ParseConfig, AuthUsersAndCredentials) {
    const auto text =
        std::string(kListener) +
        "[auth]\nchallenge_inbound = true\nrealm = \"edge\"\n"
        "algorithms = [\"MD5\"]\nfailures_burst = 2\n"
        "[[auth.users]]\nusername = \"alice\"\npassword = \"secret\"\n"
        "[[auth.credentials]]\nrealm = \"far\"\nusername = \"sb\"\npassword = \"pw\"\n";
    auto config = parseConfig(text, "test.toml");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_TRUE(config->auth.challengeInbound);
    EXPECT_EQ(config->auth.realm, "edge");
    EXPECT_EQ(config->auth.algorithms, std::vector{sip::DigestAlgorithm::md5});
    EXPECT_EQ(config->auth.failureBurst, 2u);
    EXPECT_EQ(config->auth.users.at("alice"), "secret");
    ASSERT_EQ(config->auth.credentials.size(), 1u);
    EXPECT_EQ(config->auth.credentials[0], (sip::AuthOptions::Credential{"far", "sb", "pw"}));
    EXPECT_EQ(defaultConfig().auth, sip::AuthOptions{});
}

TEST(ParseConfig, AuthErrorsNameTheKey) {
    const std::string base(kListener);
    EXPECT_THAT(
        errorOf(base + "[auth]\nalgorithms = [\"SHA-1\"]\n"),
        HasSubstr("auth.algorithms: expected a non-empty array of \"SHA-256\" and \"MD5\""));
    EXPECT_THAT(errorOf(base + "[auth]\nrealm = \"a\\\"b\"\n"),
                HasSubstr("auth.realm: expected a non-empty string without quotes"));
    EXPECT_THAT(errorOf(base + "[[auth.users]]\nusername = \"alice\"\n"),
                HasSubstr("auth.users[0].password: missing"));
}

TEST(ParseConfig, DnsServersAndTimeouts) {
    const auto text = std::string(kListener) +
                      "[dns]\nservers = [\"192.0.2.53\", \"127.0.0.1:5353\", \"[::1]:53\", "
                      "\"::1\"]\ntimeout_ms = 500\ntries = 3\n";
    auto config = parseConfig(text, "test.toml");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->dns.servers,
              (std::vector<std::string>{"192.0.2.53", "127.0.0.1:5353", "[::1]:53", "::1"}));
    EXPECT_EQ(config->dns.timeout, std::chrono::milliseconds(500));
    EXPECT_EQ(config->dns.tries, 3);
    EXPECT_EQ(defaultConfig().dns, net::DnsOptions{});
}

TEST(ParseConfig, DnsErrorsNameTheServer) {
    const std::string base(kListener);
    for (const char* bad : {"dns.example", "127.0.0.1:", "127.0.0.1:70000", "[::1", "[::1]x",
                            "[::1]:", "1.2.3.4:53x"})
        EXPECT_THAT(errorOf(base + "[dns]\nservers = [\"" + bad + "\"]\n"),
                    HasSubstr("dns.servers: expected an array of IP addresses"))
            << bad;
    EXPECT_THAT(errorOf(base + "[dns]\ntries = 0\n"), HasSubstr("dns.tries: expected"));
}

TEST(ParseConfig, ListenAdvertise) {
    const auto text = std::string("[[sip.listen]]\ntransport = \"udp\"\naddress = \"0.0.0.0\"\n"
                                  "advertise = \"sip.example.com\"\n");
    auto config = parseConfig(text, "test.toml");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->sip.listen[0].advertise, "sip.example.com");
    EXPECT_THAT(errorOf("[[sip.listen]]\ntransport = \"udp\"\naddress = \"0.0.0.0\"\n"
                        "advertise = \"2001:db8::1\"\n"),
                HasSubstr("sip.listen[0].advertise: expected a host name, an IPv4 address or a "
                          "bracketed IPv6 address"));
}

TEST(ParseConfig, MediaAnchoring) {
    const auto text = std::string(kListener) +
                      "[media]\nanchor = false\naddress = \"::1\"\nport_min = 30000\n"
                      "port_max = 30999\ncodecs = [\"PCMU\", \"opus\"]\nptime_ms = 40\n";
    auto config = parseConfig(text, "test.toml");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_FALSE(config->media.anchor);
    EXPECT_EQ(config->media.address, "::1");
    EXPECT_EQ(config->media.portMin, 30000);
    EXPECT_EQ(config->media.codecs, (std::vector<std::string>{"PCMU", "opus"}));
    EXPECT_EQ(config->media.packetMs, 40u);
    EXPECT_EQ(defaultConfig().media, MediaConfig{});
    const std::string base(kListener);
    EXPECT_THAT(errorOf(base + "[media]\ncodecs = [\"AMR\"]\n"),
                HasSubstr("media.codecs: expected a non-empty array of"));
    EXPECT_THAT(errorOf(base + "[media]\nport_min = 30000\nport_max = 30000\n"),
                HasSubstr("media.port_max: expected at least media.port_min + 1"));
    EXPECT_THAT(errorOf(base + "[media]\naddress = \"localhost\"\n"),
                HasSubstr("media.address: expected an IPv4 or IPv6 address literal"));
    // Opus has no 30-ms frame: a leg with it would hear nothing.
    EXPECT_THAT(errorOf(base + "[media]\nptime_ms = 30\n"),
                HasSubstr("media.ptime_ms: expected 20, 40 or 60"));
}

} // namespace
} // namespace sb::app
