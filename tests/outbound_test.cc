// Where outbound requests may go: domain/outbound.h.
#include "domain/outbound.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

namespace helpdesk {
namespace {

bool Public(const char* text) {
  uint8_t b[16];
  if (inet_pton(AF_INET, text, b) == 1) return IsPublicAddress(b, 4);
  if (inet_pton(AF_INET6, text, b) == 1) return IsPublicAddress(b, 16);
  ADD_FAILURE() << text << " is not an address";
  return false;
}

TEST(Outbound, OnlyPublicAddressesArePublic) {
  for (const char* ok : {"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "192.169.0.1",
                         "2606:4700::1111", "::ffff:8.8.8.8"}) {
    EXPECT_TRUE(Public(ok)) << ok;
  }
  for (const char* no : {"127.0.0.1",
                         "127.9.9.9",
                         "10.1.2.3",
                         "172.16.0.1",
                         "172.31.255.255",
                         "192.168.1.1",
                         "169.254.169.254",
                         "100.64.0.1",
                         "0.0.0.0",
                         "224.0.0.1",
                         "255.255.255.255",
                         "192.0.2.1",
                         "198.18.0.1",
                         "::",
                         "::1",
                         "fe80::1",
                         "fc00::1",
                         "fd00:ec2::254",
                         "ff02::1",
                         "::ffff:127.0.0.1",
                         "::ffff:169.254.169.254",
                         "64:ff9b::a00:1",
                         "2001:db8::1"}) {
    EXPECT_FALSE(Public(no)) << no;
  }
}

TEST(Outbound, UrlsMustBeHttpsAndNotNamePrivateAddresses) {
  EXPECT_TRUE(CheckOutboundUrl("https://api.provider.com/in", false).ok());
  EXPECT_FALSE(CheckOutboundUrl("http://api.provider.com/in", false).ok());
  EXPECT_FALSE(CheckOutboundUrl("ftp://api.provider.com/in", false).ok());
  EXPECT_FALSE(CheckOutboundUrl("https://127.0.0.1:8443/in", false).ok());
  EXPECT_FALSE(CheckOutboundUrl("https://user@10.0.0.1/in", false).ok());
  EXPECT_FALSE(CheckOutboundUrl("https://[fe80::1]/in", false).ok());
  EXPECT_TRUE(CheckOutboundUrl("http://127.0.0.1:8080/in", true).ok()) << "development";
  EXPECT_FALSE(CheckOutboundUrl("ftp://x", true).ok());
  EXPECT_EQ(HostOfUrl("https://a:b@host.example:8443/p?q"), "host.example");
  EXPECT_EQ(HostOfUrl("https://[2001:db8::1]:443/"), "2001:db8::1");
}

}  // namespace
}  // namespace helpdesk
