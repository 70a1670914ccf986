// Contacts' keys shared by the nodes of a cluster (adapters/kafka_key_share.h) on a real broker
// (HELPDESK_TEST_KAFKA; skipped without it): a key made on one node opens the data on another,
// an erasure on one node erases everywhere, two nodes making a key at once agree on one, and a
// restarted or new node learns what it missed. (The bookmark's storage: personal_data_test.)
#include "adapters/kafka_key_share.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>

#include "adapters/contact_keys.h"
#include "adapters/personal_data_vault.h"
#include "adapters/random_ids.h"
#include "domain/personal_data.h"
#include "tests/support/sealing_fixtures.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace helpdesk::testing {
namespace {

// One node's keys: its own store, reading and publishing the cluster's share.
struct KeyNode {
  KeyNode(const std::string& dir, const std::string& topic) {
    keys = ContactKeys::Open(dir, TestWrap()).value();
    KafkaOptions options;
    options.brokers = KafkaBrokers();
    options.topic = topic;
    auto opened = KafkaKeyShare::Open(options, *keys);
    EXPECT_TRUE(opened.ok()) << (opened.ok() ? "" : opened.error().message);
    if (opened.ok()) share = std::move(opened).value();
    keys->ShareThrough(share.get());
    vault = std::make_unique<PersonalDataVault>(*keys);
  }
  ~KeyNode() {
    vault.reset();
    share.reset();
    keys.reset();
  }
  std::unique_ptr<ContactKeys> keys;
  std::unique_ptr<KafkaKeyShare> share;
  std::unique_ptr<PersonalDataVault> vault;
};

class KafkaKeyShareTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!KafkaBrokers()) GTEST_SKIP() << "needs HELPDESK_TEST_KAFKA";
    topic_ = "helpdesk.test.keys." + NewId();
  }
  std::unique_ptr<KeyNode> Node(const std::string& name) {
    return std::make_unique<KeyNode>(dir_.path() + "/" + name, topic_);
  }
  // `sealed` as `node` reads it.
  static std::string Opened(const KeyNode& node, const NewEvent& sealed) {
    NewEvent read = sealed;
    Status opened = node.vault->Open(read);
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    return read.data["text"];
  }

  TempDir dir_;
  std::string topic_;
};

TEST_F(KafkaKeyShareTest, AKeyMadeOnOneNodeOpensTheDataOnAnother) {
  auto a = Node("a");
  auto b = Node("b");
  // A new contact (a key made ahead, in a batch) and an existing one without a key yet.
  const std::string fresh = a->vault->NewContactId([] { return NewId(); }).value();
  NewEvent first = ReceivedText("Meu CPF é 123.456.789-00");
  ASSERT_TRUE(a->vault->Seal(first, fresh).ok());
  NewEvent second = ReceivedText("rua das Flores, 12");
  ASSERT_TRUE(a->vault->Seal(second, "legacy").ok());
  EXPECT_EQ(first.data["text"].get<std::string>().find("123.456"), std::string::npos);
  // B has not asked for them: it finds them in the share when it meets them.
  EXPECT_EQ(Opened(*b, first), "Meu CPF é 123.456.789-00");
  EXPECT_EQ(Opened(*b, second), "rua das Flores, 12");
  // And seals with the same key: A opens what B writes.
  NewEvent third = ReceivedText("obrigado");
  ASSERT_TRUE(b->vault->Seal(third, "legacy").ok());
  EXPECT_EQ(Opened(*a, third), "obrigado");
}

TEST_F(KafkaKeyShareTest, AnErasureOnOneNodeErasesOnEveryNodeAndForNewOnes) {
  auto a = Node("a");
  auto b = Node("b");
  NewEvent sealed = ReceivedText("Meu CPF é 123.456.789-00");
  ASSERT_TRUE(a->vault->Seal(sealed, "rui").ok());
  ASSERT_EQ(Opened(*b, sealed), "Meu CPF é 123.456.789-00");  // B holds the key now

  ASSERT_TRUE(b->vault->Erase("rui").ok());
  ASSERT_TRUE(a->share->CatchUp().ok());
  EXPECT_EQ(Opened(*a, sealed), std::string(kErased));
  EXPECT_EQ(Opened(*b, sealed), std::string(kErased));
  // Nothing more is sealed for them, on any node.
  NewEvent later = ReceivedText("again");
  EXPECT_EQ(a->vault->Seal(later, "rui").error().code, ErrorCode::kInvalidTransition);
  EXPECT_EQ(b->vault->Seal(later, "rui").error().code, ErrorCode::kInvalidTransition);
  // A node joining later reads the share from its beginning: erased there too.
  auto c = Node("c");
  ASSERT_TRUE(c->share->CatchUp().ok());
  EXPECT_EQ(Opened(*c, sealed), std::string(kErased));
}

TEST_F(KafkaKeyShareTest, TwoNodesMakingAKeyAtOnceAgreeOnOne) {
  auto a = Node("a");
  auto b = Node("b");
  for (int round = 0; round < 5; ++round) {
    const std::string contact = "both-" + std::to_string(round);
    NewEvent on_a = ReceivedText("from a"), on_b = ReceivedText("from b");
    Status sealed_a = Status::Ok(), sealed_b = Status::Ok();
    std::thread ta([&] { sealed_a = a->vault->Seal(on_a, contact); });
    std::thread tb([&] { sealed_b = b->vault->Seal(on_b, contact); });
    ta.join();
    tb.join();
    ASSERT_TRUE(sealed_a.ok() && sealed_b.ok());
    EXPECT_EQ(Opened(*b, on_a), "from a") << round;
    EXPECT_EQ(Opened(*a, on_b), "from b") << round;
  }
  // Data sealed with a contact's key keeps opening on every node when another key for them
  // turns up later in the share (a node that had not read the first one): the first one wins.
  NewEvent sealed = ReceivedText("first key");
  ASSERT_TRUE(a->vault->Seal(sealed, "settled").ok());
  const std::string later = TestWrap()->Seal(SecretBox::NewKeyText());
  ASSERT_TRUE(b->share->Publish({{"settled", ContactKeys::KeyIdOf(later), later}}).ok());
  ASSERT_TRUE(a->share->CatchUp().ok());
  ASSERT_TRUE(b->share->CatchUp().ok());
  EXPECT_EQ(Opened(*a, sealed), "first key");
  EXPECT_EQ(Opened(*b, sealed), "first key");
  // The losers' keys were withdrawn: a new node agrees with both.
  auto c = Node("c");
  ASSERT_TRUE(c->share->CatchUp().ok());
  NewEvent on_a = ReceivedText("from a");
  ASSERT_TRUE(a->vault->Seal(on_a, "both-0").ok());
  EXPECT_EQ(Opened(*c, on_a), "from a");
  EXPECT_EQ(Opened(*c, sealed), "first key");
}

TEST_F(KafkaKeyShareTest, ARestartedNodeLearnsWhatWasPublishedWhileItWasDown) {
  auto a = Node("a");
  NewEvent sealed = ReceivedText("Meu CPF é 123.456.789-00");
  ASSERT_TRUE(a->vault->Seal(sealed, "rui").ok());
  {
    auto b = Node("b");
    ASSERT_TRUE(b->share->CatchUp().ok());
    EXPECT_FALSE(b->keys->SharedBookmark().value().empty());
  }
  ASSERT_TRUE(a->vault->Erase("rui").ok());
  auto b = Node("b");  // the same store, reopened
  ASSERT_TRUE(b->share->CatchUp().ok());
  EXPECT_EQ(Opened(*b, sealed), std::string(kErased));
}

}  // namespace
}  // namespace helpdesk::testing
