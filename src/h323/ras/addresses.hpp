#pragma once
// RAS's well-known addresses (H.225.0 §7.7 and Table 1): a gatekeeper's RAS channel on UDP
// 1719, and gatekeeper discovery by multicast to 224.0.1.41 on UDP 1718 (H.323 §7.2.1).

#include <asio/ip/udp.hpp>
#include <cstdint>

namespace sb::h323::ras {

inline constexpr std::uint16_t kRasPort = 1719;
inline constexpr std::uint16_t kDiscoveryPort = 1718;
inline const asio::ip::udp::endpoint kDiscoveryGroup{asio::ip::make_address_v4("224.0.1.41"),
                                                     kDiscoveryPort};

} // namespace sb::h323::ras
