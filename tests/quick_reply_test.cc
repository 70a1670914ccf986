// Quick replies: validation, who sees and who changes one, and what each command records.
#include "domain/quick_reply.h"

#include <gtest/gtest.h>

namespace helpdesk {
namespace {

QuickReplyState Made(const quick_reply::Draft& d, const std::string& owner) {
  QuickReplyState s;
  auto created = quick_reply::DecideCreate(s, "q1", d, owner);
  EXPECT_TRUE(created.ok());
  for (const auto& e : created.value()) {
    Evolve(s,
           NewEvent{"e", QuickReplyStream("q1"), e.type, Timestamp{}, Actor::User(owner), e.data},
           s.version + 1);
  }
  return s;
}

TEST(QuickReplyTest, ShortcutAndTextAreChecked) {
  EXPECT_FALSE(quick_reply::Validate({"", "text", true}).ok());
  EXPECT_FALSE(quick_reply::Validate({"two words", "text", true}).ok());
  EXPECT_FALSE(quick_reply::Validate({std::string(65, 'x'), "text", true}).ok());
  EXPECT_FALSE(quick_reply::Validate({"ok", "", true}).ok());
  EXPECT_EQ(quick_reply::Validate({"ok", "", true}).error().code, ErrorCode::kInvalidField);
  EXPECT_TRUE(quick_reply::Validate({"/bomdia", "Bom dia! Como posso ajudar?", true}).ok());
}

TEST(QuickReplyTest, PrivateOnesAreTheOwnersOnly) {
  const QuickReplyState mine = Made({"sig", "Ana, Suporte", false}, "ana");
  EXPECT_TRUE(quick_reply::IsVisibleTo(mine, "ana"));
  EXPECT_FALSE(quick_reply::IsVisibleTo(mine, "bia"));
  EXPECT_TRUE(quick_reply::CanChange(mine, "ana", Role::kAgent));
  EXPECT_FALSE(quick_reply::CanChange(mine, "sup", Role::kSupervisor));  // not even seen
}

TEST(QuickReplyTest, SupervisorsChangePublicOnesAgentsOnlyTheirOwn) {
  const QuickReplyState shared = Made({"hi", "Olá!", true}, "ana");
  EXPECT_TRUE(quick_reply::IsVisibleTo(shared, "bia"));
  EXPECT_FALSE(quick_reply::CanChange(shared, "bia", Role::kAgent));
  EXPECT_TRUE(quick_reply::CanChange(shared, "sup", Role::kSupervisor));
  EXPECT_TRUE(quick_reply::CanChange(shared, "ana", Role::kAgent));
}

TEST(QuickReplyTest, UpdatesRecordTheNewFieldsAndDeletesHideIt) {
  QuickReplyState s = Made({"hi", "Olá!", true}, "ana");
  auto same = quick_reply::DecideUpdate(s, {"hi", "Olá!", true});
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same.value().empty());
  auto changed = quick_reply::DecideUpdate(s, {"hi", "Oi!", false});
  ASSERT_TRUE(changed.ok());
  ASSERT_EQ(changed.value().size(), 1u);
  EXPECT_EQ(changed.value()[0].type, ev::kQuickReplyUpdated);
  EXPECT_EQ(changed.value()[0].data["visibility"], "private");
  auto deleted = quick_reply::DecideDelete(s);
  ASSERT_TRUE(deleted.ok());
  Evolve(s,
         NewEvent{"e", QuickReplyStream("q1"), ev::kQuickReplyDeleted, Timestamp{},
                  Actor::User("ana"), deleted.value()[0].data},
         s.version + 1);
  EXPECT_FALSE(quick_reply::IsVisibleTo(s, "ana"));
  EXPECT_FALSE(quick_reply::DecideDelete(s).ok());
  EXPECT_EQ(quick_reply::DecideUpdate(s, {"hi", "x", true}).error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace helpdesk
