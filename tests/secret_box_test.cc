// Providers' secrets sealed at rest: adapters/secret_box.h.
#include "adapters/secret_box.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "adapters/random_ids.h"

namespace helpdesk {
namespace {

const std::string kKeyA = std::string(64, 'a');
const std::string kKeyB = std::string(64, 'b');

TEST(SecretBox, SealsSoThatOnlyItsKeyOpens) {
  const SecretBox box = SecretBox::FromKeyText(kKeyA + "\n").value();
  const std::string sealed = box.Seal("app-secret-123");
  EXPECT_TRUE(SecretBox::IsSealed(sealed));
  EXPECT_EQ(sealed.find("app-secret-123"), std::string::npos);
  EXPECT_NE(box.Seal("app-secret-123"), sealed) << "a fresh nonce every time";
  EXPECT_EQ(box.Open(sealed).value(), "app-secret-123");
  EXPECT_EQ(box.Seal(""), "") << "nothing set stays nothing";
  EXPECT_EQ(box.Seal(sealed), sealed) << "sealed once only";
  EXPECT_EQ(box.Open("written-before-encryption").value(), "written-before-encryption");

  const SecretBox other = SecretBox::FromKeyText(kKeyB).value();
  EXPECT_FALSE(other.Open(sealed).ok()) << "another key does not open it";
  std::string tampered = sealed;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(box.Open(tampered).ok()) << "GCM's tag catches a change";
  EXPECT_FALSE(box.Open("enc:v1:nonsense").ok());
  // Crafted values of the right shape: refused, never a crash.
  const std::string id = sealed.substr(7, 8);
  for (const std::string& body :
       std::vector<std::string>{"====", "=", "AAAA====", "A===", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                std::string(4000, '=')}) {
    EXPECT_FALSE(box.Open("enc:v1:" + id + ":" + body).ok()) << body;
  }
}

TEST(SecretBox, RotationSealsWithTheFirstKeyAndOpensWithAny) {
  const SecretBox old_box = SecretBox::FromKeyText(kKeyA).value();
  const std::string before = old_box.Seal("outbound-secret");
  const SecretBox rotated = SecretBox::FromKeyText(kKeyB + "\n" + kKeyA + "\n").value();
  EXPECT_EQ(rotated.Open(before).value(), "outbound-secret");
  const std::string after = rotated.Seal("outbound-secret");
  EXPECT_FALSE(old_box.Open(after).ok()) << "new values use the new key";
  EXPECT_TRUE(SecretBox::FromKeyText(kKeyB).value().Open(after).ok());
}

// Each thread keeps its cipher contexts between calls (for speed): a failed open, another key
// or another thread must leave no trace in the next call.
TEST(SecretBox, EveryCallStandsAloneWhateverCameBeforeOnItsThread) {
  const SecretBox a = SecretBox::FromKeyText(kKeyA).value();
  const SecretBox b = SecretBox::FromKeyText(kKeyB).value();
  const std::string by_a = a.Seal("from a");
  // A character of a full base64 group (the last group holds padding bits a change may miss).
  std::string tampered = by_a;
  char& c = tampered[tampered.size() - 6];
  c = c == 'A' ? 'B' : 'A';
  for (int round = 0; round < 3; ++round) {
    EXPECT_FALSE(a.Open(tampered).ok());
    EXPECT_FALSE(b.Open(by_a).ok());
    const std::string by_b = b.Seal("from b, round " + std::to_string(round));
    EXPECT_EQ(a.Open(by_a).value(), "from a");
    EXPECT_EQ(b.Open(by_b).value(), "from b, round " + std::to_string(round));
    EXPECT_FALSE(a.Open(by_b).ok());
  }
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const SecretBox& box = t % 2 ? a : b;
      for (int i = 0; i < 500; ++i) {
        const std::string plain = "thread " + std::to_string(t) + " value " + std::to_string(i);
        auto opened = box.Open(box.Seal(plain));
        if (!opened.ok() || opened.value() != plain) ++wrong;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wrong, 0);
}

// Randomness drawn a page at a time: draws across the page's end, and draws longer than a page,
// are as fresh as the first.
TEST(RandomBytes, DrawsAcrossAndBeyondThePageAreNeverRepeated) {
  std::set<std::string> nonces;
  for (int i = 0; i < 5000; ++i) {  // 60,000 bytes: many pages, most draws mid-page
    unsigned char nonce[12];
    RandomBytes(nonce, sizeof nonce);
    nonces.insert(std::string(reinterpret_cast<const char*>(nonce), sizeof nonce));
  }
  EXPECT_EQ(nonces.size(), 5000u);
  std::vector<unsigned char> big(10000, 0);
  RandomBytes(big.data(), big.size());
  std::set<std::string> blocks;  // no 16-byte block of it repeats another
  for (size_t at = 0; at + 16 <= big.size(); at += 16) {
    blocks.insert(std::string(reinterpret_cast<const char*>(big.data() + at), 16));
  }
  EXPECT_EQ(blocks.size(), big.size() / 16);
  EXPECT_LT(std::count(big.begin(), big.end(), 0), 200);  // about 39 expected
}

TEST(SecretBox, KeysMustBe32BytesInHex) {
  EXPECT_FALSE(SecretBox::FromKeyText("").ok());
  EXPECT_FALSE(SecretBox::FromKeyText("short").ok());
  EXPECT_FALSE(SecretBox::FromKeyText(std::string(64, 'z')).ok());
  EXPECT_TRUE(SecretBox::FromKeyText(SecretBox::NewKeyText()).ok());
}

}  // namespace
}  // namespace helpdesk
