// ViewTxn on real RocksDB: a step reads its own writes, writes each key's final value once, and
// an index key made and unmade within the step never reaches the database.
#include "projections/view_txn.h"

#include <gtest/gtest.h>

#include "projections/view_store.h"
#include "tests/support/temp_dir.h"

namespace helpdesk {
namespace {

using testing::TempDir;

class ViewTxnTest : public ::testing::Test {
 protected:
  void SetUp() override { views_ = ViewStore::Open(dir_.path() + "/views").value(); }
  void Commit(ViewTxn& txn) {
    rocksdb::WriteBatch batch = txn.ToWriteBatch();
    ASSERT_TRUE(views_->Commit(batch, ConsistencyToken::Single(1)).ok());
  }
  std::optional<std::string> Stored(const std::string& key) {
    std::string value;
    if (!views_->db()->Get(rocksdb::ReadOptions(), key, &value).ok()) return std::nullopt;
    return value;
  }

  TempDir dir_;
  std::unique_ptr<ViewStore> views_;
};

TEST_F(ViewTxnTest, ReadsItsOwnWritesAndCommitsOnlyFinalValues) {
  ViewTxn first(views_->db());
  first.Put("cs/a", "v1");
  first.Put("cs/b", "gone");
  Commit(first);

  ViewTxn txn(views_->db());
  EXPECT_EQ(txn.Get("cs/a"), "v1");
  txn.Put("cs/a", "v2");
  txn.Put("cs/a", "v3");
  EXPECT_EQ(txn.Get("cs/a"), "v3");
  txn.Delete("cs/b");
  EXPECT_EQ(txn.Get("cs/b"), std::nullopt);
  rocksdb::WriteBatch batch = txn.ToWriteBatch();
  EXPECT_EQ(batch.Count(), 2u) << "one write per key";
  ASSERT_TRUE(views_->Commit(batch, ConsistencyToken::Single(2)).ok());
  EXPECT_EQ(Stored("cs/a"), "v3");
  EXPECT_EQ(Stored("cs/b"), std::nullopt);
}

TEST_F(ViewTxnTest, TheBatchListsItsKeysInOrder) {
  // RocksDB's memtable inserts a run of ascending keys cheaply: the batch comes sorted.
  struct Keys : rocksdb::WriteBatch::Handler {
    std::vector<std::string> seen;
    void Put(const rocksdb::Slice& key, const rocksdb::Slice&) override {
      seen.push_back(key.ToString());
    }
    void Delete(const rocksdb::Slice& key) override { seen.push_back(key.ToString()); }
  } keys;
  ViewTxn txn(views_->db());
  for (const char* key : {"tk/9", "cs/b", "zz", "cs/a", "tk/10", "a"}) txn.Put(key, "v");
  txn.Delete("m");
  ASSERT_TRUE(txn.ToWriteBatch().Iterate(&keys).ok());
  EXPECT_EQ(keys.seen, (std::vector<std::string>{"a", "cs/a", "cs/b", "m", "tk/10", "tk/9", "zz"}));
}

TEST_F(ViewTxnTest, AKeyInsertedAndDeletedInOneStepIsNeverWritten) {
  ViewTxn txn(views_->db());
  txn.Insert("i/all/m1", "");
  txn.Delete("i/all/m1");
  EXPECT_EQ(txn.ToWriteBatch().Count(), 0u);

  // A key the database has: deleting it must reach the database.
  ViewTxn put(views_->db());
  put.Put("i/all/m2", "");
  Commit(put);
  ViewTxn del(views_->db());
  del.Delete("i/all/m2");
  del.Insert("i/all/m2", "");  // back in the same step: must still be written
  del.Delete("i/all/m2");
  EXPECT_EQ(del.ToWriteBatch().Count(), 1u);
  Commit(del);
  EXPECT_EQ(Stored("i/all/m2"), std::nullopt);
}

TEST_F(ViewTxnTest, PrefixScansMergeTheDatabaseAndTheStep) {
  ViewTxn first(views_->db());
  first.Put("kc/k1/c1", "");
  first.Put("kc/k1/c2", "");
  first.Put("kc/k2/c9", "");
  Commit(first);
  ViewTxn txn(views_->db());
  txn.Delete("kc/k1/c1");
  txn.Put("kc/k1/c3", "");
  EXPECT_EQ(txn.KeysWithPrefix("kc/k1/"), (std::vector<std::string>{"kc/k1/c2", "kc/k1/c3"}));
}

// The first key of a prefix, or after a point in it, sees the step's own writes and deletions,
// the step below's (not committed yet) and the database's, topmost first.
TEST_F(ViewTxnTest, FirstKeyAtOrAfterSeesEveryLayer) {
  ViewTxn stored(views_->db());
  for (const char* key : {"fe/a/1", "fe/a/3", "fe/a/5", "fe/b/0"}) stored.Put(key, "");
  Commit(stored);

  ViewTxn below(views_->db());
  below.Delete("fe/a/1");
  below.Put("fe/a/2", "");
  ViewTxn txn(views_->db(), &below);
  EXPECT_EQ(txn.FirstKeyAtOrAfter("fe/a/", "fe/a/"), "fe/a/2");
  txn.Delete("fe/a/2");
  EXPECT_EQ(txn.FirstKeyAtOrAfter("fe/a/", "fe/a/"), "fe/a/3");
  txn.Put("fe/a/0", "");
  EXPECT_EQ(txn.FirstKeyAtOrAfter("fe/a/", "fe/a/"), "fe/a/0");
  EXPECT_EQ(txn.FirstKeyAtOrAfter("fe/a/", "fe/a/4"), "fe/a/5");
  txn.Delete("fe/a/5");
  EXPECT_EQ(txn.FirstKeyAtOrAfter("fe/a/", "fe/a/4"), std::nullopt);  // fe/b/ is not fe/a/
  EXPECT_EQ(txn.FirstKeyAtOrAfter("fe/c/", "fe/c/"), std::nullopt);
}

}  // namespace
}  // namespace helpdesk
