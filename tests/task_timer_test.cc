// The task timer's walk over due reminders, against real views in a temp dir, a stand-in for the
// command pipeline and a projector that lags on demand: a walk starts over only once the views
// hold what the last one sent, so a burst is not decided twice while the views catch up.
#include "api/task_timer.h"

#include <gtest/gtest.h>

#include <mutex>
#include <set>

#include "projections/task_projector.h"
#include "projections/view_store.h"
#include "tests/support/temp_dir.h"

namespace helpdesk {
namespace {

const Timestamp kDue{1'800'000'000'000};

// Records each task reminded; each success is an event at the next position of one of two
// partitions, in turn.
class RecordingCommands final : public Commands {
 public:
  Result<CommandOutcome> Execute(const Caller&, Command command) override {
    std::lock_guard<std::mutex> lock(mu_);
    const auto* remind = std::get_if<cmd::RemindTask>(&command);
    if (!remind) return Error{ErrorCode::kInvalidField, "not a reminder", ""};
    reminded_.push_back(remind->task_id);
    ConsistencyToken token;
    token.Set(static_cast<int>(reminded_.size() % 2), ++position_);
    return CommandOutcome::For(std::move(token), remind->task_id);
  }
  std::vector<std::string> TakeReminded() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::exchange(reminded_, {});
  }
  // The positions the log holds so far, on both partitions.
  ConsistencyToken head() const {
    ConsistencyToken token;
    token.Set(0, position_);
    token.Set(1, position_);
    return token;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> reminded_;
  uint64_t position_ = 0;
};

// The projector's progress, set by the test.
class SettableProgress final : public ViewProgress {
 public:
  ConsistencyToken Applied() const override { return applied_; }
  bool WaitFor(const ConsistencyToken& token, std::chrono::milliseconds) const override {
    return applied_.Covers(token);
  }
  ConsistencyToken applied_;
};

class TaskTimerTest : public ::testing::Test {
 protected:
  void SetUp() override { views_ = ViewStore::Open(dir_.path() + "/views").value(); }
  // Index keys of reminders due at kDue, as the task projector leaves them.
  void Due(const std::vector<std::string>& ids) {
    rocksdb::WriteBatch batch;
    for (const std::string& id : ids) ASSERT_TRUE(batch.Put(TaskReminderKey(kDue.ms, id), "").ok());
    ASSERT_TRUE(views_->Commit(batch, ConsistencyToken()).ok());
  }

  testing::TempDir dir_;
  std::unique_ptr<ViewStore> views_;
  RecordingCommands commands_;
  SettableProgress progress_;
  ManualClock clock_{kDue};
};

TEST_F(TaskTimerTest, AWalkStartsOverOnlyOnceTheViewsHoldTheLastOnesReminders) {
  Due({"a", "b"});
  TaskQueries tasks(*views_);
  TaskTimer timer(commands_, tasks, clock_, &progress_);
  EXPECT_EQ(timer.RunOnce(), 2);
  EXPECT_EQ(commands_.TakeReminded(), (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(timer.HasMore());

  // The views have not applied the reminders: their index keys are still there, and the timer
  // leaves them alone instead of deciding them again.
  clock_.Advance(1000);
  EXPECT_EQ(timer.RunOnce(), 0);
  EXPECT_TRUE(commands_.TakeReminded().empty());

  // Views that hold one partition's reminder but not the other's: still not.
  progress_.applied_.Set(0, 1000);
  EXPECT_EQ(timer.RunOnce(), 0);

  // Once the views hold them all, a new walk reads the index again (here the keys stay: the
  // stand-in pipeline writes no views, so the same tasks are sent again, as a stale view would).
  progress_.applied_ = commands_.head();
  EXPECT_EQ(timer.RunOnce(), 2);
  EXPECT_EQ(commands_.TakeReminded().size(), 2u);
}

TEST_F(TaskTimerTest, ABurstIsWalkedPassAfterPassFromWhereTheLastStopped) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5003; ++i) ids.push_back("t" + std::to_string(100000 + i));
  Due(ids);
  TaskQueries tasks(*views_);
  TaskTimer timer(commands_, tasks, clock_, &progress_);
  EXPECT_EQ(timer.RunOnce(), 5000);  // a full pass: the walk goes on at once
  EXPECT_TRUE(timer.HasMore());
  std::vector<std::string> sent = commands_.TakeReminded();
  // The views have applied nothing yet, but the walk goes on from its cursor, not from the start.
  EXPECT_EQ(timer.RunOnce(), 3);
  EXPECT_FALSE(timer.HasMore());
  for (std::string& id : commands_.TakeReminded()) sent.push_back(std::move(id));
  EXPECT_EQ(sent, ids);  // each once, in the index's order
}

TEST_F(TaskTimerTest, AStalledProjectorDelaysANewWalkByHalfAMinuteAtMost) {
  Due({"a"});
  TaskQueries tasks(*views_);
  TaskTimer timer(commands_, tasks, clock_, &progress_);
  EXPECT_EQ(timer.RunOnce(), 1);
  clock_.Advance(29'999);
  EXPECT_EQ(timer.RunOnce(), 0);
  clock_.Advance(1);
  EXPECT_EQ(timer.RunOnce(), 1);
}

TEST_F(TaskTimerTest, OnAClusterANodeRemindsOnlyTheTasksWhosePartitionsItOwns) {
  Due({"a", "b", "c"});
  TaskQueries tasks(*views_);
  TaskTimer timer(commands_, tasks, clock_, &progress_,
                  [](const std::string& stream) { return stream != "task/b"; });
  EXPECT_EQ(timer.RunOnce(), 2);
  EXPECT_EQ(commands_.TakeReminded(), (std::vector<std::string>{"a", "c"}));
}

TEST_F(TaskTimerTest, ABurstWalkedByANodeReachesEveryTaskItOwns) {
  std::vector<std::string> ids, owned;
  for (int i = 0; i < 5003; ++i) {
    ids.push_back("t" + std::to_string(100000 + i));
    if (i % 7 != 0) owned.push_back(ids.back());
  }
  Due(ids);
  TaskQueries tasks(*views_);
  const std::set<std::string> mine(owned.begin(), owned.end());
  TaskTimer timer(commands_, tasks, clock_, &progress_, [&mine](const std::string& stream) {
    return mine.count(stream.substr(std::string("task/").size())) > 0;
  });
  timer.RunOnce();
  EXPECT_TRUE(timer.HasMore());  // the pass read 5,000 keys, though it sent fewer
  timer.RunOnce();
  EXPECT_FALSE(timer.HasMore());
  EXPECT_EQ(commands_.TakeReminded(), owned);
}

TEST_F(TaskTimerTest, WithoutViewProgressEveryPassReadsTheIndex) {
  Due({"a"});
  TaskQueries tasks(*views_);
  TaskTimer timer(commands_, tasks, clock_);
  EXPECT_EQ(timer.RunOnce(), 1);
  EXPECT_EQ(timer.RunOnce(), 1);
}

}  // namespace
}  // namespace helpdesk
