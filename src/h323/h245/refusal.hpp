#pragma once
// The aligned PER of the requests an audio endpoint on H.225.0 refuses (H.223's multiplex
// table, mode requests, maintenance loops), of their refusals, of SendTerminalCapabilitySet
// and of FunctionNotSupported: the values message.cpp frames (H.245 v15 §B.4 to §B.8, §B.13, §B.14). Each
// reads or writes the value alone, after its alternative's index.

#include "h323/h245/message.hpp"
#include "h323/per/decoder.hpp"
#include "h323/per/encoder.hpp"

#include <optional>

namespace sb::h323::h245::refusal {

MultiplexEntrySend decodeMultiplexEntrySend(per::Decoder& d);
RequestMultiplexEntry decodeRequestMultiplexEntry(per::Decoder& d);
// Reads the sequence number only (`whole` is then false: the modes are not read).
RequestMode decodeRequestMode(per::Decoder& d);
// nullopt for a loop type added after v15 (read past): it cannot be named in a refusal.
std::optional<MaintenanceLoopRequest> decodeMaintenanceLoopRequest(per::Decoder& d);
SendTerminalCapabilitySet decodeSendTerminalCapabilitySet(per::Decoder& d);

void encode(per::Encoder& e, const MultiplexEntrySendReject& m);
void encode(per::Encoder& e, const RequestMultiplexEntryReject& m);
void encode(per::Encoder& e, const RequestModeReject& m);
void encode(per::Encoder& e, const MaintenanceLoopReject& m);
void encode(per::Encoder& e, const FunctionNotSupported& m);

MultiplexEntrySendReject decodeMultiplexEntrySendReject(per::Decoder& d);
RequestMultiplexEntryReject decodeRequestMultiplexEntryReject(per::Decoder& d);
RequestModeReject decodeRequestModeReject(per::Decoder& d);
MaintenanceLoopReject decodeMaintenanceLoopReject(per::Decoder& d);
FunctionNotSupported decodeFunctionNotSupported(per::Decoder& d);

} // namespace sb::h323::h245::refusal
