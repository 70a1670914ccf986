// Events as data: every type's payload, as the log has always carried it, decodes into its
// struct and encodes back to the same bytes; unknown types and non-objects decode to nothing;
// missing fields read as their defaults.
#include "domain/events.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tests/support/event_payloads.h"

namespace helpdesk {
namespace {

using nlohmann::json;

TEST(Events, EveryPayloadRoundTripsByteForByte) {
  std::set<std::string> types;
  for (const auto& [type, payload] : testing::kEventPayloads) {
    const json original = json::parse(payload);
    auto decoded = events::Decode(type, original);
    ASSERT_TRUE(decoded.has_value()) << type;
    const DomainEvent again = events::Encode(*decoded);
    EXPECT_EQ(again.type, type);
    EXPECT_EQ(again.data.dump(), original.dump()) << type;
    types.insert(type);
  }
  // Every alternative of the variant is exercised above.
  EXPECT_EQ(types.size(), std::variant_size_v<events::Event>);
}

// The contract names a contact's new stage `to`; events written before that named it `stage`.
TEST(Events, AContactStageChangeWrittenBeforeReadsItsStageAsTo) {
  auto old = events::Decode("ContactStageChanged",
                            json{{"contact_id", "k1"}, {"from", "lead"}, {"stage", "demo"}});
  ASSERT_TRUE(old);
  EXPECT_EQ(std::get<events::ContactStageChanged>(*old).to, "demo");
  EXPECT_EQ(std::get<events::ContactStageChanged>(*old).funnel_id, "default");
  EXPECT_EQ(events::Encode(*old).data["to"], "demo");
  EXPECT_FALSE(events::Encode(*old).data.contains("stage"));
}

TEST(Events, UnknownTypesAndNonObjectsDecodeToNothing) {
  EXPECT_FALSE(events::Decode("SomethingNew", json::object()).has_value());
  EXPECT_FALSE(events::Decode("ConversationTagged", json::array()).has_value());
  EXPECT_FALSE(events::Decode("ConversationTagged", json("vip")).has_value());
}

TEST(Events, MissingOrMistypedFieldsReadAsDefaults) {
  auto opened = events::Decode("ConversationOpened", json{{"conversation_id", 7}});
  ASSERT_TRUE(opened);
  const auto& o = std::get<events::ConversationOpened>(*opened);
  EXPECT_EQ(o.conversation_id, "");
  EXPECT_EQ(o.status, "queued");
  EXPECT_FALSE(o.assignee_id.has_value());
  auto received = events::Decode("MessageReceived", json{{"sent_at", "not a time"}});
  ASSERT_TRUE(received);
  EXPECT_FALSE(std::get<events::MessageReceived>(*received).sent_at.has_value());
  EXPECT_TRUE(std::get<events::MessageReceived>(*received).attachments.is_array());
  auto user = events::Decode("UserCreated", json{{"teams", json::array({"a", 1, "b"})}});
  ASSERT_TRUE(user);
  EXPECT_EQ(std::get<events::UserCreated>(*user).teams, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(std::get<events::UserCreated>(*user).role, "agent");
}

}  // namespace
}  // namespace helpdesk
