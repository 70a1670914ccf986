// Contacts' personal data sealed with their own keys, and erased by destroying them:
// adapters/contact_keys.h and adapters/personal_data_vault.h on a real RocksDB.
#include "domain/personal_data.h"

#include <gtest/gtest.h>

#include <set>

#include "adapters/contact_keys.h"
#include "adapters/personal_data_vault.h"
#include "tests/support/temp_dir.h"

namespace helpdesk {
namespace {

std::shared_ptr<const SecretBox> Wrap() {
  return std::make_shared<const SecretBox>(SecretBox::FromKeyText(std::string(64, 'c')).value());
}

NewEvent Received(const std::string& text) {
  NewEvent e;
  e.id = "e1";
  e.stream = "conversation/c1";
  e.type = ev::kMessageReceived;
  e.data = {{"message_id", "m1"}, {"text", text}, {"quoted", ""}, {"external_id", "x"}};
  return e;
}

TEST(PersonalData, SealedWithTheContactsKeyOpenedForReadersErasedForGood) {
  testing::TempDir dir;
  auto keys = ContactKeys::Open(dir.path() + "/keys", Wrap()).value();
  PersonalDataVault vault(*keys);

  NewEvent e = Received("Meu CPF é 123.456.789-00");
  ASSERT_TRUE(vault.Seal(e, "k1").ok());
  const std::string sealed = e.data["text"];
  EXPECT_TRUE(PersonalDataVault::IsSealed(sealed));
  EXPECT_EQ(sealed.find("123.456"), std::string::npos);
  EXPECT_EQ(e.data["quoted"], "") << "nothing to seal stays nothing";
  EXPECT_EQ(e.data["external_id"], "x") << "only the personal fields";

  NewEvent read = e;
  vault.Open(read);
  EXPECT_EQ(read.data["text"], "Meu CPF é 123.456.789-00");

  // Text that looks sealed already is sealed all the same, and reads back as written.
  NewEvent tricky = Received("enc:v1:deadbeef:AAAA");
  ASSERT_TRUE(vault.Seal(tricky, "k1").ok());
  EXPECT_TRUE(PersonalDataVault::IsSealed(tricky.data["text"]));
  vault.Open(tricky);
  EXPECT_EQ(tricky.data["text"], "enc:v1:deadbeef:AAAA");

  // Keys survive a restart (they were synced before the events using them).
  keys.reset();
  keys = ContactKeys::Open(dir.path() + "/keys", Wrap()).value();
  PersonalDataVault reopened(*keys);
  read = e;
  reopened.Open(read);
  EXPECT_EQ(read.data["text"], "Meu CPF é 123.456.789-00");

  ASSERT_TRUE(reopened.Erase("k1").ok());
  read = e;
  reopened.Open(read);
  EXPECT_EQ(read.data["text"], kErased);
  NewEvent more = Received("again");
  EXPECT_EQ(reopened.Seal(more, "k1").error().code, ErrorCode::kInvalidTransition)
      << "nothing more is written about an erased contact";
  EXPECT_TRUE(reopened.Erase("k1").ok()) << "erasing twice is fine";

  // Another contact is untouched; a tampered value reads as erased, never as garbage.
  NewEvent other = Received("Rua das Flores, 10");
  ASSERT_TRUE(reopened.Seal(other, "k2").ok());
  NewEvent tampered = other;
  std::string text = tampered.data["text"];
  text[text.size() - 3] = text[text.size() - 3] == 'A' ? 'B' : 'A';
  tampered.data["text"] = text;
  reopened.Open(other);
  reopened.Open(tampered);
  EXPECT_EQ(other.data["text"], "Rua das Flores, 10");
  EXPECT_EQ(tampered.data["text"], kErased);
}

TEST(PersonalData, NewContactsTakeIdsWhoseKeysAreStoredAlready) {
  testing::TempDir dir;
  auto keys = ContactKeys::Open(dir.path() + "/keys", Wrap()).value();
  int next = 0;
  auto new_id = [&] { return "k" + std::to_string(next++); };
  std::set<std::string> ids;
  for (size_t i = 0; i < ContactKeys::kPrekeyed + 1; ++i) {
    auto id = keys->TakePrekeyedId(new_id);
    ASSERT_TRUE(id.ok());
    ids.insert(id.value());
  }
  EXPECT_EQ(ids.size(), ContactKeys::kPrekeyed + 1);
  EXPECT_EQ(next, 2 * static_cast<int>(ContactKeys::kPrekeyed)) << "made in batches";
  // Stored before they were handed out: a restart finds them.
  keys.reset();
  keys = ContactKeys::Open(dir.path() + "/keys", Wrap()).value();
  for (const std::string& id : ids) ASSERT_TRUE(keys->Find(id)) << id;
}

}  // namespace
}  // namespace helpdesk
