// Conversation rules: given events, when a command, then events (or a refusal).
#include "domain/conversation.h"

#include <gtest/gtest.h>

#include "tests/support/domain_fixtures.h"

namespace helpdesk {
namespace {

using conversation::Events;
using test::kNow;

class Given {
 public:
  Given() {
    Apply(conversation::DecideOpen(state_, {"c1", "ch1", "k1", std::nullopt, std::nullopt}));
  }
  Given& Apply(const Events& events, Timestamp at = kNow) {
    EXPECT_TRUE(events.ok()) << (events.ok() ? "" : events.error().message);
    if (!events.ok()) return *this;
    for (const DomainEvent& d : events.value()) {
      Evolve(state_, NewEvent{"e", "conversation/c1", d.type, at, Actor::System("test"), d.data},
             state_.version + 1);
    }
    return *this;
  }
  Given& CustomerWrites(const std::string& text, Timestamp at = kNow) {
    return Apply(conversation::DecideReceive(state_, {"m", "x-" + text, text, at}, at), at);
  }
  Given& TakenBy(const std::string& user) { return Apply(conversation::DecideTake(state_, user)); }
  Given& Closed() { return Apply(conversation::DecideClose(state_, "solved")); }
  Given& Postponed(Timestamp until) {
    return Apply(conversation::DecidePostpone(state_, until, kNow));
  }
  const ConversationState& state() const { return state_; }

 private:
  ConversationState state_;
};

std::vector<std::string> Types(const Events& e) {
  std::vector<std::string> out;
  if (e.ok()) {
    for (const auto& d : e.value()) out.push_back(d.type);
  }
  return out;
}

void ExpectRefused(const Events& e, ErrorCode code = ErrorCode::kInvalidTransition) {
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, code) << e.error().message;
}

conversation::Reply PublicReply(bool await = false) {
  return {"r1", "u1", "hello", false, await, {}};
}
conversation::Reply Note() { return {"n1", "u1", "internal", true, false, {}}; }

TEST(ConversationDecide, NewConversationIsQueuedWithoutAssignee) {
  Given g;
  EXPECT_EQ(g.state().status, ConversationStatus::kQueued);
  EXPECT_FALSE(g.state().assignee_id);
}

TEST(ConversationDecide, TakeOpensAQueuedConversation) {
  Given g;
  EXPECT_EQ(Types(conversation::DecideTake(g.state(), "u1")),
            std::vector<std::string>{ev::kConversationAssigned});
  g.TakenBy("u1");
  EXPECT_EQ(g.state().status, ConversationStatus::kOpen);
  EXPECT_EQ(g.state().assignee_id, "u1");
}

TEST(ConversationDecide, RefusesTakeWhenSomeoneHasIt) {
  Given g;
  g.TakenBy("u1");
  ExpectRefused(conversation::DecideTake(g.state(), "u2"));
}

TEST(ConversationDecide, TakeWorksWhileNobodyHasItEvenAwaitingTheCustomer) {
  Given g;
  g.Apply(conversation::DecideReply(g.state(), PublicReply(true)));
  ASSERT_EQ(g.state().status, ConversationStatus::kAwaitingCustomer);
  g.TakenBy("u1");
  EXPECT_EQ(g.state().assignee_id, "u1");
  EXPECT_EQ(g.state().status, ConversationStatus::kAwaitingCustomer);
}

TEST(ConversationDecide, AssignToTheSameUserChangesNothing) {
  Given g;
  g.TakenBy("u1");
  auto e = conversation::DecideAssign(g.state(), "u1");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e.value().empty());
}

TEST(ConversationDecide, TransferToTeamOnlyGoesBackToThatQueue) {
  Given g;
  g.TakenBy("u1").Apply(conversation::DecideTransfer(g.state(), std::nullopt, std::string("t2")));
  EXPECT_EQ(g.state().status, ConversationStatus::kQueued);
  EXPECT_FALSE(g.state().assignee_id);
  EXPECT_EQ(g.state().team_id, "t2");
}

TEST(ConversationDecide, TransferToUserKeepsItOpenWithTheNewAssignee) {
  Given g;
  g.TakenBy("u1").Apply(conversation::DecideTransfer(g.state(), std::string("u2"), std::nullopt));
  EXPECT_EQ(g.state().status, ConversationStatus::kOpen);
  EXPECT_EQ(g.state().assignee_id, "u2");
}

TEST(ConversationDecide, TransferToTheCurrentAssigneeChangesNothing) {
  Given g;
  g.TakenBy("u1");
  auto same = conversation::DecideTransfer(g.state(), std::string("u1"), std::nullopt);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same.value().empty());
  // With another team it is a move.
  auto team = conversation::DecideTransfer(g.state(), std::string("u1"), std::string("t9"));
  ASSERT_TRUE(team.ok());
  EXPECT_EQ(team.value().size(), 1u);
}

TEST(ConversationDecide, ACloseReasonHasNoControlCharacters) {
  Given g;
  g.TakenBy("u1");
  ExpectRefused(conversation::DecideClose(g.state(), "ok\x1b[31m"), ErrorCode::kInvalidField);
  ExpectRefused(conversation::DecideClose(g.state(), std::string("a\0b", 3)),
                ErrorCode::kInvalidField);
  EXPECT_TRUE(conversation::DecideClose(g.state(), "Resolvido à distância").ok());
  // A deletion's reason follows the same rule.
  ExpectRefused(conversation::DecideDelete(g.state(), "spam\n"), ErrorCode::kInvalidField);
}

TEST(ConversationDecide, TransferNeedsAUserOrATeam) {
  Given g;
  ExpectRefused(conversation::DecideTransfer(g.state(), std::nullopt, std::nullopt),
                ErrorCode::kInvalidField);
}

TEST(ConversationDecide, PublicReplyClearsWaitingButANoteDoesNot) {
  Given g;
  g.CustomerWrites("hi").TakenBy("u1");
  ASSERT_TRUE(g.state().waiting_since);
  g.Apply(conversation::DecideReply(g.state(), Note()));
  EXPECT_TRUE(g.state().waiting_since) << "a private note must not clear the wait";
  g.Apply(conversation::DecideReply(g.state(), PublicReply()));
  EXPECT_FALSE(g.state().waiting_since);
}

TEST(ConversationDecide, WaitingSinceIsTheOldestUnansweredMessage) {
  Given g;
  g.CustomerWrites("one", Timestamp{kNow.ms - 600'000}).CustomerWrites("two");
  EXPECT_EQ(g.state().waiting_since, Timestamp{kNow.ms - 600'000});
}

TEST(ConversationDecide, LateDeliveryOfAnOlderMessageMovesTheWaitBackNotTheLastMessage) {
  Given g;
  g.CustomerWrites("newer", kNow).CustomerWrites("older", Timestamp{kNow.ms - 300'000});
  EXPECT_EQ(g.state().waiting_since, Timestamp{kNow.ms - 300'000});
  EXPECT_EQ(g.state().last_message->text, "newer");
}

TEST(ConversationDecide, AwaitReplySetsAwaitingAndTheCustomerReopensIt) {
  Given g;
  g.CustomerWrites("hi").TakenBy("u1").Apply(
      conversation::DecideReply(g.state(), PublicReply(true)));
  EXPECT_EQ(g.state().status, ConversationStatus::kAwaitingCustomer);
  g.CustomerWrites("answer");
  EXPECT_EQ(g.state().status, ConversationStatus::kOpen);
}

TEST(ConversationDecide, RefusesMessagesAndNotesWhenClosed) {
  Given g;
  g.Closed();
  ExpectRefused(conversation::DecideReply(g.state(), PublicReply()));
  ExpectRefused(conversation::DecideReply(g.state(), Note()));
}

TEST(ConversationDecide, CloseNeedsAReasonAndAnUnclosedConversation) {
  Given g;
  ExpectRefused(conversation::DecideClose(g.state(), ""), ErrorCode::kInvalidField);
  g.Closed();
  EXPECT_EQ(g.state().close_reason, "solved");
  ExpectRefused(conversation::DecideClose(g.state(), "again"));
}

TEST(ConversationDecide, ReopenOnlyWhenClosedBackToOpenOrQueued) {
  Given queued;
  ExpectRefused(conversation::DecideReopen(queued.state()));
  queued.Closed().Apply(conversation::DecideReopen(queued.state()));
  EXPECT_EQ(queued.state().status, ConversationStatus::kQueued);

  Given owned;
  owned.TakenBy("u1").Closed().Apply(conversation::DecideReopen(owned.state()));
  EXPECT_EQ(owned.state().status, ConversationStatus::kOpen);
  EXPECT_FALSE(owned.state().closed_at);
}

TEST(ConversationDecide, PostponeMustBeInTheFuture) {
  Given g;
  ExpectRefused(conversation::DecidePostpone(g.state(), kNow, kNow), ErrorCode::kInvalidField);
  ExpectRefused(conversation::DecidePostpone(g.state(), Timestamp{kNow.ms - 1}, kNow),
                ErrorCode::kInvalidField);
}

TEST(ConversationDecide, PostponedWakesAtItsTimeToTheFormerStatus) {
  Given g;
  const Timestamp until{kNow.ms + 3'600'000};
  g.TakenBy("u1").Postponed(until);
  EXPECT_EQ(g.state().status, ConversationStatus::kPostponed);
  ExpectRefused(conversation::DecideWake(g.state(), Timestamp{until.ms - 1}));
  auto woke = conversation::DecideWake(g.state(), until);
  EXPECT_EQ(Types(woke), std::vector<std::string>{ev::kConversationWoke});
  g.Apply(woke);
  EXPECT_EQ(g.state().status, ConversationStatus::kOpen);
  EXPECT_FALSE(g.state().postponed_until);
}

TEST(ConversationDecide, CustomerMessageWakesAPostponedConversation) {
  Given g;
  g.Postponed(Timestamp{kNow.ms + 3'600'000});
  auto e = conversation::DecideReceive(g.state(), {"m", "x", "back", kNow}, kNow);
  EXPECT_EQ(Types(e), (std::vector<std::string>{ev::kConversationWoke, ev::kMessageReceived}));
  g.Apply(e);
  EXPECT_EQ(g.state().status, ConversationStatus::kQueued);
}

TEST(ConversationDecide, PostponingTwiceRemembersTheFirstStatus) {
  Given g;
  g.TakenBy("u1").Postponed(Timestamp{kNow.ms + 1000}).Postponed(Timestamp{kNow.ms + 2000});
  g.Apply(conversation::DecideWake(g.state(), Timestamp{kNow.ms + 2000}));
  EXPECT_EQ(g.state().status, ConversationStatus::kOpen);
}

TEST(ConversationDecide, CustomerMessageReopensAClosedConversation) {
  Given g;
  g.TakenBy("u1").Closed();
  auto e = conversation::DecideReceive(g.state(), {"m", "x", "again", kNow}, kNow);
  EXPECT_EQ(Types(e), (std::vector<std::string>{ev::kConversationReopened, ev::kMessageReceived}));
  g.Apply(e);
  EXPECT_EQ(g.state().status, ConversationStatus::kOpen);
}

TEST(ConversationDecide, TagsAreASetAndUntagNeedsTheTag) {
  Given g;
  g.Apply(conversation::DecideTag(g.state(), "vip"));
  auto again = conversation::DecideTag(g.state(), "vip");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again.value().empty());
  ExpectRefused(conversation::DecideUntag(g.state(), "other"), ErrorCode::kNotFound);
  g.Apply(conversation::DecideUntag(g.state(), "vip"));
  EXPECT_TRUE(g.state().tags.empty());
}

TEST(ConversationDecide, ClosedConversationRefusesWorkCommands) {
  Given g;
  g.Closed();
  ExpectRefused(conversation::DecideTake(g.state(), "u1"));
  ExpectRefused(conversation::DecideAssign(g.state(), "u1"));
  ExpectRefused(conversation::DecideTransfer(g.state(), std::string("u1"), std::nullopt));
  ExpectRefused(conversation::DecidePostpone(g.state(), Timestamp{kNow.ms + 1000}, kNow));
}

TEST(ConversationDecide, FutureSentAtIsClampedToNow) {
  Given g;
  g.CustomerWrites("from the future", Timestamp{kNow.ms + 3'600'000});
  EXPECT_LE(g.state().waiting_since->ms, kNow.ms + 3'600'000);
  auto e = conversation::DecideReceive(g.state(), {"m", "y", "t", Timestamp{kNow.ms + 5000}}, kNow);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e.value().back().data["sent_at"], FormatRfc3339(kNow));
}

TEST(ConversationDecide, OnlyTheAssigneesReadClearsUnread) {
  Given g;
  g.TakenBy("u1").CustomerWrites("one").CustomerWrites("two");
  ASSERT_EQ(g.state().unread, 2);
  auto by_other = conversation::DecideRead(g.state(), "u2");
  ASSERT_TRUE(by_other.ok());
  EXPECT_TRUE(by_other.value().empty());
  EXPECT_EQ(Types(conversation::DecideRead(g.state(), "u1")),
            std::vector<std::string>{ev::kConversationRead});
  g.Apply(conversation::DecideRead(g.state(), "u1"));
  EXPECT_EQ(g.state().unread, 0);
  auto again = conversation::DecideRead(g.state(), "u1");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again.value().empty());  // nothing unread: nothing to record
}

TEST(ConversationDecide, ParticipantsJoinOnceAndLeave) {
  Given g;
  g.TakenBy("u1");
  auto assignee = conversation::DecideInvite(g.state(), "u1", "u1");
  ASSERT_TRUE(assignee.ok());
  EXPECT_TRUE(assignee.value().empty());  // the assignee is in already
  g.Apply(conversation::DecideInvite(g.state(), "u2", "u1"));
  EXPECT_EQ(g.state().participants, std::set<std::string>{"u2"});
  auto twice = conversation::DecideInvite(g.state(), "u2", "u1");
  ASSERT_TRUE(twice.ok());
  EXPECT_TRUE(twice.value().empty());
  ExpectRefused(conversation::DecideLeave(g.state(), "u3", "u3"), ErrorCode::kNotFound);
  g.Apply(conversation::DecideLeave(g.state(), "u2", "u2"));
  EXPECT_TRUE(g.state().participants.empty());
  g.Closed();
  ExpectRefused(conversation::DecideInvite(g.state(), "u2", "u1"));
}

TEST(ConversationDecide, ARepliesQuickReplyIsRecorded) {
  Given g;
  conversation::Reply r = PublicReply();
  r.quick_reply_id = "qr1";
  auto e = conversation::DecideReply(g.state(), r);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e.value().front().data["quick_reply_id"], "qr1");
  EXPECT_TRUE(conversation::DecideReply(g.state(), Note())
                  .value()
                  .front()
                  .data["quick_reply_id"]
                  .is_null());
}

TEST(ConversationDecide, DeletedConversationsAreGoneForEveryCommand) {
  Given g;
  g.TakenBy("u1").Postponed(Timestamp{kNow.ms + 60'000});
  auto deleted = conversation::DecideDelete(g.state(), "spam");
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted.value()[0].data["status"], "postponed");
  g.Apply(deleted);
  EXPECT_TRUE(g.state().deleted);
  EXPECT_FALSE(g.state().postponed_until);  // nothing will wake it
  ExpectRefused(conversation::DecideDelete(g.state(), "again"), ErrorCode::kNotFound);
}

TEST(ConversationDecide, IgnoringIsForQueuedConversationsAndEndsWhenSomeoneTakesIt) {
  Given g;
  ExpectRefused(conversation::DecideIgnore(g.state(), "u1", kNow, kNow), ErrorCode::kInvalidField);
  ExpectRefused(conversation::DecideIgnore(g.state(), "u1", Timestamp{kNow.ms + 8 * kDayMs}, kNow),
                ErrorCode::kInvalidField);
  g.Apply(conversation::DecideIgnore(g.state(), "u1", Timestamp{kNow.ms + kHourMs}, kNow));
  EXPECT_EQ(g.state().ignored_until.at("u1"), Timestamp{kNow.ms + kHourMs});
  g.TakenBy("u2");
  EXPECT_TRUE(g.state().ignored_until.empty());
  ExpectRefused(conversation::DecideIgnore(g.state(), "u1", Timestamp{kNow.ms + kHourMs}, kNow));
}

}  // namespace
}  // namespace helpdesk

namespace helpdesk {
namespace {

TEST(ConversationDetails, OnlyChangesAreRecordedAndEmptyClears) {
  ConversationState s;
  s.exists = true;
  s.id = "c1";
  s.subject = "Pedido";
  auto same = conversation::DecideDetails(s, std::string("Pedido"), std::string(""), std::nullopt);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same.value().empty()) << "nothing changes: nothing recorded";
  auto changed =
      conversation::DecideDetails(s, std::string(""), std::string("troca"), std::string("o-1"));
  ASSERT_TRUE(changed.ok());
  ASSERT_EQ(changed.value().size(), 1u);
  EXPECT_EQ(changed.value()[0].data,
            (nlohmann::json{{"subject", nullptr}, {"type", "troca"}, {"order_ref", "o-1"}}));
  EXPECT_FALSE(
      conversation::DecideDetails(s, std::string(257, 'x'), std::nullopt, std::nullopt).ok());
  EXPECT_FALSE(
      conversation::DecideDetails(s, std::nullopt, std::string(65, 'x'), std::nullopt).ok());
  ConversationState missing;
  EXPECT_FALSE(
      conversation::DecideDetails(missing, std::string("x"), std::nullopt, std::nullopt).ok());
}

TEST(ConversationMeasures, FirstResponseAndResolutionFromOpening) {
  ConversationState s;
  const auto apply = [&](const DomainEvent& d, int64_t at_ms) {
    NewEvent e{"e", "conversation/c1", d.type, Timestamp{at_ms}, Actor{}, d.data};
    Evolve(s, e, s.version + 1);
  };
  apply(
      events::Encode(events::ConversationOpened{"c1", "wa", "whatsapp", "k1", std::nullopt,
                                                std::nullopt, std::nullopt, "queued", "customer"}),
      1000);
  events::MessageReceived in;
  in.message_id = "m1";
  in.text = "oi";
  apply(events::Encode(in), 1000);
  EXPECT_FALSE(s.first_response_ms);
  events::NoteAdded note;
  note.message_id = "n1";
  note.text = "private";
  apply(events::Encode(note), 30000);
  EXPECT_FALSE(s.first_response_ms) << "a note is no response";
  events::MessageSent out;
  out.message_id = "m2";
  out.text = "olá";
  apply(events::Encode(out), 61000);
  EXPECT_EQ(s.first_response_ms, 60000);
  apply(events::Encode(out), 90000);
  EXPECT_EQ(s.first_response_ms, 60000) << "the first one only";
  EXPECT_EQ(s.messages_count, 3u);
  apply(events::Encode(events::ConversationClosed{"resolvido"}), 121000);
  EXPECT_EQ(s.resolution_ms, 120000);
}

}  // namespace
}  // namespace helpdesk
