// Our Q.931 messages as tshark reads them (Wireshark's Q.931 dissector, independent of ours):
// each is framed in TPKT on TCP port 1720 (H.225.0 call signalling), put in a capture with
// text2pcap as PEERS.md shows, and tshark must find nothing malformed and read back every
// field we wrote. The User-user element's H323-UserInformation comes with H.225.0's PER types.
#include "h323/q931/message.hpp"
#include "h323/q931/tpkt.hpp"
#include "support/tshark.hpp"

#include <gtest/gtest.h>

namespace sb::h323::q931 {
namespace {

// The messages as one capture, one TCP segment each; tshark's fields, one line a message.
std::string fields(const std::vector<Message>& messages, const std::string& names) {
    std::vector<std::vector<std::uint8_t>> packets;
    packets.reserve(messages.size());
    for (const auto& m : messages)
        packets.push_back(tpktFrame(write(m)));
    const auto reading = test::readWithTshark(packets, "-4 10.0.0.1,10.0.0.2 -T 40000,1720", names);
    EXPECT_EQ(reading.trouble, "");
    EXPECT_EQ(reading.malformed, "") << "tshark finds these malformed";
    return reading.fields;
}

TEST(Q931Tshark, EveryMessageAndElementReadsAsWeWroteIt) {
    std::vector<Message> messages;
    Message setup;
    setup.type = MessageType::setup;
    setup.callReference = 0x1234;
    setup.set(element::bearerCapability, writeBearer({}));
    setup.set(element::display, {'S', 'w', 'i', 't', 'c', 'h', 'b', 'o', 'a', 'r', 'd'});
    setup.set(element::callingPartyNumber, writePartyNumber({0, 1, "1001"}));
    setup.set(element::calledPartyNumber, writePartyNumber({1, 1, "4930123456"}));
    messages.push_back(setup);
    for (auto type : {MessageType::callProceeding, MessageType::alerting, MessageType::progress,
                      MessageType::connect, MessageType::facility, MessageType::statusEnquiry,
                      MessageType::information}) {
        Message m;
        m.type = type;
        m.callReference = 0x1234;
        m.fromDestination = true;
        if (type == MessageType::progress) m.set(element::progressIndicator, writeProgress({8, 1}));
        messages.push_back(m);
    }
    Message status;
    status.type = MessageType::status;
    status.callReference = 0x1234;
    status.set(element::cause, writeCause({30, 0}));
    status.set(element::callState, {0x0a});
    messages.push_back(status);
    Message release;
    release.type = MessageType::releaseComplete;
    release.callReference = 0x1234;
    release.fromDestination = true;
    release.set(element::cause, writeCause({17, 1}));
    messages.push_back(release);

    const auto got =
        fields(messages, "q931.message_type q931.call_ref q931.call_ref_flag "
                         "q931.information_transfer_capability q931.uil1 "
                         "q931.display_information q931.calling_party_number.digits "
                         "q931.called_party_number.digits q931.progress_indicator.description "
                         "q931.cause_value q931.cause_location q931.call_state");
    EXPECT_EQ(got, "0x05|1234|0|0x00|0x02|Switchboard|1001|4930123456||||\n"
                   "0x02|1234|1|||||||||\n"
                   "0x01|1234|1|||||||||\n"
                   "0x03|1234|1||||||0x08|||\n"
                   "0x07|1234|1|||||||||\n"
                   "0x62|1234|1|||||||||\n"
                   "0x75|1234|1|||||||||\n"
                   "0x7b|1234|1|||||||||\n"
                   "0x7d|1234|0|||||||30|0|0x0a\n"
                   "0x5a|1234|1|||||||17|1|\n");
}

} // namespace
} // namespace sb::h323::q931
