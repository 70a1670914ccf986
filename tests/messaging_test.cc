// WhatsApp's rules: the 24-hour customer service window and template parameters.
#include <gtest/gtest.h>

#include "domain/message_template.h"
#include "domain/messaging_window.h"
#include "tests/support/domain_fixtures.h"

namespace helpdesk {
namespace {

using test::kNow;

TEST(MessagingWindowTest, OpenForADayAfterTheCustomersLastMessageOnWhatsAppOnly) {
  const Timestamp wrote{kNow.ms - kCustomerServiceWindowMs + 1000};
  EXPECT_TRUE(WindowOpen("whatsapp", wrote, kNow));
  EXPECT_EQ(WindowExpiresAt("whatsapp", wrote), Timestamp{wrote.ms + kCustomerServiceWindowMs});
  EXPECT_FALSE(WindowOpen("whatsapp", Timestamp{kNow.ms - kCustomerServiceWindowMs}, kNow));
  EXPECT_FALSE(WindowOpen("whatsapp", std::nullopt, kNow));  // the customer never wrote
  EXPECT_FALSE(WindowExpiresAt("whatsapp", std::nullopt));
  EXPECT_TRUE(WindowOpen("sms", std::nullopt, kNow));
  EXPECT_TRUE(WindowOpen("email", Timestamp{0}, kNow));
  EXPECT_FALSE(WindowExpiresAt("webchat", wrote));
}

TEST(MessagingWindowTest, TemplatesNeedAnOptInOnlyOutsideTheWindow) {
  const Timestamp wrote{kNow.ms - kHourMs};
  EXPECT_TRUE(MaySendTemplate("whatsapp", wrote, kNow, false));
  EXPECT_FALSE(MaySendTemplate("whatsapp", std::nullopt, kNow, false));  // starting
  EXPECT_TRUE(MaySendTemplate("whatsapp", std::nullopt, kNow, true));
  EXPECT_FALSE(
      MaySendTemplate("whatsapp", Timestamp{kNow.ms - 2 * kCustomerServiceWindowMs}, kNow, false));
  EXPECT_TRUE(MaySendTemplate("sms", std::nullopt, kNow, false));
}

TEST(MessageTemplateTest, ParametersAreNumberedWithoutGaps) {
  EXPECT_EQ(message_template::CountParams("Olá!").value(), 0);
  EXPECT_EQ(message_template::CountParams("Olá {{1}}, pedido {{2}} ({{1}})").value(), 2);
  EXPECT_FALSE(message_template::CountParams("Olá {{2}}").ok());
  EXPECT_FALSE(message_template::CountParams("Olá {{nome}}").ok());
  EXPECT_FALSE(message_template::CountParams("Olá {{1}").ok());
  EXPECT_FALSE(message_template::CountParams("Olá {{0}}").ok());
}

TEST(MessageTemplateTest, RenderFillsEveryPlaceholder) {
  TemplateState t;
  t.id = "welcome";
  t.body = "Olá {{1}}, seu pedido {{2}} saiu. Obrigado, {{1}}!";
  t.params = 2;
  EXPECT_EQ(message_template::Render(t, {"Rui", "123"}).value(),
            "Olá Rui, seu pedido 123 saiu. Obrigado, Rui!");
  EXPECT_EQ(message_template::Render(t, {"Rui"}).error().code, ErrorCode::kInvalidField);
  EXPECT_FALSE(message_template::Render(t, {"Rui", ""}).ok());
}

TEST(MessageTemplateTest, TheRenderedTextObeysTheMessageLimit) {
  TemplateState t;
  t.id = "promo";
  for (int i = 0; i < 200; ++i) t.body += "{{1}} ";
  t.params = 1;
  // 200 copies of a 1 KiB value: 200 KiB, over the limit, refused before it is built.
  auto big = message_template::Render(t, {std::string(1024, 'a')});
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, ErrorCode::kInvalidField);
  EXPECT_FALSE(message_template::Render(t, {std::string(70 * 1024, 'a')}).ok());
  // 200 copies of 300 bytes plus the spaces: within 64 KiB.
  auto fits = message_template::Render(t, {std::string(300, 'a')});
  ASSERT_TRUE(fits.ok());
  EXPECT_EQ(fits.value().size(), 200u * 301);
}

TEST(MessageTemplateTest, CreateChecksNameAndBody) {
  EXPECT_TRUE(message_template::DecideCreate({}, "t", "wa", "boas_vindas", "Oi {{1}}").ok());
  EXPECT_FALSE(message_template::DecideCreate({}, "t", "wa", "", "Oi").ok());
  EXPECT_FALSE(message_template::DecideCreate({}, "t", "wa", "x", "").ok());
  EXPECT_FALSE(message_template::DecideCreate({}, "t", "wa", "x", std::string(5000, 'a')).ok());
}

}  // namespace
}  // namespace helpdesk
