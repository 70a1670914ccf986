// Contacts' personal data sealed with their own keys, and erased by destroying them:
// adapters/contact_keys.h and adapters/personal_data_vault.h on a real RocksDB.
#include "domain/personal_data.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "adapters/contact_keys.h"
#include "adapters/personal_data_vault.h"
#include "tests/support/sealing_fixtures.h"
#include "tests/support/temp_dir.h"

namespace helpdesk {
namespace {

using testing::ReceivedText;
using testing::TestWrap;

TEST(PersonalData, SealedWithTheContactsKeyOpenedForReadersErasedForGood) {
  testing::TempDir dir;
  auto keys = ContactKeys::Open(dir.path() + "/keys", TestWrap()).value();
  PersonalDataVault vault(*keys);

  NewEvent e = ReceivedText("Meu CPF é 123.456.789-00");
  ASSERT_TRUE(vault.Seal(e, "k1").ok());
  const std::string sealed = e.data["text"];
  EXPECT_TRUE(PersonalDataVault::IsSealed(sealed));
  EXPECT_EQ(sealed.find("123.456"), std::string::npos);
  EXPECT_EQ(e.data["quoted"], "") << "nothing to seal stays nothing";
  EXPECT_EQ(e.data["external_id"], "x") << "only the personal fields";

  NewEvent read = e;
  ASSERT_TRUE(vault.Open(read).ok());
  EXPECT_EQ(read.data["text"], "Meu CPF é 123.456.789-00");

  // Text that looks sealed already is sealed all the same, and reads back as written.
  NewEvent tricky = ReceivedText("enc:v1:deadbeef:AAAA");
  ASSERT_TRUE(vault.Seal(tricky, "k1").ok());
  EXPECT_TRUE(PersonalDataVault::IsSealed(tricky.data["text"]));
  ASSERT_TRUE(vault.Open(tricky).ok());
  EXPECT_EQ(tricky.data["text"], "enc:v1:deadbeef:AAAA");

  // Keys survive a restart (they were synced before the events using them).
  keys.reset();
  keys = ContactKeys::Open(dir.path() + "/keys", TestWrap()).value();
  PersonalDataVault reopened(*keys);
  read = e;
  ASSERT_TRUE(reopened.Open(read).ok());
  EXPECT_EQ(read.data["text"], "Meu CPF é 123.456.789-00");

  ASSERT_TRUE(reopened.Erase("k1").ok());
  read = e;
  ASSERT_TRUE(reopened.Open(read).ok());
  EXPECT_EQ(read.data["text"], kErased);
  NewEvent more = ReceivedText("again");
  EXPECT_EQ(reopened.Seal(more, "k1").error().code, ErrorCode::kInvalidTransition)
      << "nothing more is written about an erased contact";
  EXPECT_TRUE(reopened.Erase("k1").ok()) << "erasing twice is fine";

  // Another contact is untouched; a tampered value reads as erased, never as garbage.
  NewEvent other = ReceivedText("Rua das Flores, 10");
  ASSERT_TRUE(reopened.Seal(other, "k2").ok());
  NewEvent tampered = other;
  std::string text = tampered.data["text"];
  text[text.size() - 3] = text[text.size() - 3] == 'A' ? 'B' : 'A';
  tampered.data["text"] = text;
  ASSERT_TRUE(reopened.Open(other).ok());
  ASSERT_TRUE(reopened.Open(tampered).ok());
  EXPECT_EQ(other.data["text"], "Rua das Flores, 10");
  EXPECT_EQ(tampered.data["text"], kErased);
}

TEST(PersonalData, NewContactsTakeIdsWhoseKeysAreStoredAlready) {
  testing::TempDir dir;
  auto keys = ContactKeys::Open(dir.path() + "/keys", TestWrap()).value();
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
  keys = ContactKeys::Open(dir.path() + "/keys", TestWrap()).value();
  for (const std::string& id : ids) ASSERT_TRUE(keys->Find(id).value()) << id;
}

TEST(PersonalData, TheNextBatchOfKeysIsMadeBeforeTheIdsRunOut) {
  testing::TempDir dir;
  auto keys = ContactKeys::Open(dir.path() + "/keys", TestWrap()).value();
  std::mutex drawn;
  int next = 0;
  auto new_id = [&] {
    std::lock_guard<std::mutex> lock(drawn);
    return "k" + std::to_string(next++);
  };
  const int batch = static_cast<int>(ContactKeys::kPrekeyed);
  const auto take_ids = [&](size_t n) {
    for (size_t i = 0; i < n; ++i) ASSERT_TRUE(keys->TakePrekeyedId(new_id).ok()) << i;
  };
  const auto stored = [&](int last) {  // waits for the batch that ends with "k<last>"
    for (int tries = 0; tries < 1000 && !keys->Find("k" + std::to_string(last)).value(); ++tries) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return keys->Find("k" + std::to_string(last)).value() != nullptr;
  };
  // Down to kRefillBelow left: the next batch's ids are drawn then, its keys made meanwhile.
  take_ids(ContactKeys::kPrekeyed - ContactKeys::kRefillBelow + 1);
  EXPECT_EQ(next, 2 * batch);
  ASSERT_TRUE(stored(2 * batch - 1));
  // Once that batch is in, the next time the ids run low another is made, and so on: a steady
  // stream of takers never finds them all gone. The batch before counts as under way until its
  // task has ended, a moment after its ids are handed in: a taker then may leave the drawing to
  // the next take. So ids are taken until the next batch is drawn, and that must come while
  // half of kRefillBelow are still left.
  const auto take_until_drawn = [&](int drawn_at_end) {
    for (size_t i = 0; i < ContactKeys::kPrekeyed + ContactKeys::kRefillBelow / 2; ++i) {
      if (next == drawn_at_end) break;
      ASSERT_TRUE(keys->TakePrekeyedId(new_id).ok()) << i;
    }
    EXPECT_EQ(next, drawn_at_end);
  };
  take_until_drawn(3 * batch);
  take_until_drawn(4 * batch);
  // Closing waits for the batch under way: every key of it is stored.
  keys.reset();
  keys = ContactKeys::Open(dir.path() + "/keys", TestWrap()).value();
  for (int i = 0; i < next; ++i) {
    ASSERT_TRUE(keys->Find("k" + std::to_string(i)).value()) << i;
  }

  // Two takers at once, through several batches: every id once, each stored when handed out.
  std::vector<std::string> taken[2];
  auto take = [&](std::vector<std::string>& into) {
    for (size_t i = 0; i < 3 * ContactKeys::kPrekeyed; ++i) {
      auto id = keys->TakePrekeyedId(new_id);
      ASSERT_TRUE(id.ok());
      ASSERT_TRUE(keys->Find(id.value()).value()) << id.value();
      into.push_back(id.value());
    }
  };
  std::thread a([&] { take(taken[0]); }), b([&] { take(taken[1]); });
  a.join();
  b.join();
  std::set<std::string> all(taken[0].begin(), taken[0].end());
  all.insert(taken[1].begin(), taken[1].end());
  EXPECT_EQ(all.size(), 6 * ContactKeys::kPrekeyed);
}

// The rules of a cluster's key share, as each node applies what it reads (ContactKeys::
// ApplyShared): the first key of a contact wins, an erasure wins over every key.
TEST(PersonalData, TheFirstSharedKeyWinsAndAnErasureWinsOverAll) {
  testing::TempDir dir;
  auto keys = ContactKeys::Open(dir.path() + "/keys", TestWrap()).value();
  const std::string first_text = SecretBox::NewKeyText(), later_text = SecretBox::NewKeyText();
  const std::string first = TestWrap()->Seal(first_text), later = TestWrap()->Seal(later_text);
  const SecretBox first_box = SecretBox::FromKeyText(first_text).value();
  const std::string sealed = first_box.Seal("Meu CPF");
  const std::string id_first = ContactKeys::KeyIdOf(first), id_later = ContactKeys::KeyIdOf(later);
  EXPECT_NE(id_first, id_later);

  std::vector<SharedKey> withdraw;
  const ContactKeys::Withdraw withdraw_to = [&](const std::vector<SharedKey>& records) {
    withdraw.insert(withdraw.end(), records.begin(), records.end());
    return Status::Ok();
  };
  bool destroyed = false;
  ASSERT_TRUE(keys->ApplyShared({{"x", id_first, first}, {"x", id_later, later}}, "2", withdraw_to,
                                &destroyed)
                  .ok());
  ASSERT_EQ(withdraw.size(), 1u);
  EXPECT_EQ(withdraw[0].key_id, id_later);
  EXPECT_FALSE(withdraw[0].wrapped) << "a tombstone";
  ASSERT_TRUE(keys->Find("x").value());
  EXPECT_EQ(keys->Find("x").value()->Open(sealed).value(), "Meu CPF");
  // Read again (a restart before the bookmark was stored): the same key, nothing withdrawn.
  withdraw.clear();
  ASSERT_TRUE(keys->ApplyShared({{"x", id_first, first}}, "1", withdraw_to, &destroyed).ok());
  EXPECT_TRUE(withdraw.empty());
  EXPECT_EQ(keys->SharedBookmark().value(), "1");

  // A withdrawal changes nothing; an erasure destroys the key and withdraws its record.
  ASSERT_TRUE(keys->ApplyShared({{"x", id_later, std::nullopt},
                                 {"x", SharedKey::kErased, std::string(SharedKey::kErased)}},
                                "4", withdraw_to, &destroyed)
                  .ok());
  ASSERT_EQ(withdraw.size(), 1u);
  EXPECT_EQ(withdraw[0].key_id, id_first);
  EXPECT_TRUE(destroyed);
  EXPECT_FALSE(keys->Find("x").value());
  EXPECT_EQ(keys->KeyFor("x").error().code, ErrorCode::kInvalidTransition);
  // A key for an erased contact, made elsewhere at the same moment: withdrawn, never used.
  withdraw.clear();
  ASSERT_TRUE(keys->ApplyShared({{"x", id_later, later}}, "5", withdraw_to, &destroyed).ok());
  ASSERT_EQ(withdraw.size(), 1u);
  EXPECT_EQ(withdraw[0].key_id, id_later);
  EXPECT_FALSE(keys->Find("x").value());
  EXPECT_EQ(keys->SharedBookmark().value(), "5");
  // A withdrawal that cannot be sent stores nothing: the records are read again later.
  const ContactKeys::Withdraw unreachable = [](const std::vector<SharedKey>&) {
    return Status(Error{ErrorCode::kLogUnavailable, "broker away", ""});
  };
  const std::string other = TestWrap()->Seal(SecretBox::NewKeyText());
  EXPECT_FALSE(keys->ApplyShared({{"y", ContactKeys::KeyIdOf(first), first},
                                  {"y", ContactKeys::KeyIdOf(other), other}},
                                 "7", unreachable, &destroyed)
                   .ok());
  EXPECT_FALSE(keys->Find("y").value());
  EXPECT_EQ(keys->SharedBookmark().value(), "5");
}

}  // namespace
}  // namespace helpdesk
