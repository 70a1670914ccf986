// E-mail bodies: quoted history split from the new text; HTML formatting kept as markdown.
#include "domain/email_text.h"

#include <gtest/gtest.h>

namespace helpdesk {
namespace {

TEST(EmailTextTest, NothingQuotedIsAllVisible) {
  const EmailText t = SplitQuotedEmail("Olá,\n\nmeu pedido não chegou.\n");
  EXPECT_EQ(t.visible, "Olá,\n\nmeu pedido não chegou.\n");
  EXPECT_EQ(t.quoted, "");
}

TEST(EmailTextTest, SplitsAtAPortugueseAttribution) {
  const EmailText t = SplitQuotedEmail(
      "Ainda não chegou.\r\n\r\nEm seg., 30 de nov. de 2026 às 10:00, Suporte "
      "<suporte@loja.com> escreveu:\r\n> Seu pedido foi enviado.\r\n");
  EXPECT_EQ(t.visible, "Ainda não chegou.");
  EXPECT_EQ(t.quoted,
            "Em seg., 30 de nov. de 2026 às 10:00, Suporte <suporte@loja.com> escreveu:\n"
            "> Seu pedido foi enviado.");
}

TEST(EmailTextTest, SplitsAtAnEnglishAttributionWrappedOverTwoLines) {
  const EmailText t = SplitQuotedEmail(
      "Thanks!\n\nOn Mon, Nov 30, 2026 at 10:00 AM Support Team\n<support@shop.com> wrote:\n> Hi");
  EXPECT_EQ(t.visible, "Thanks!");
  EXPECT_EQ(t.quoted.rfind("On Mon, Nov 30", 0), 0u);
}

TEST(EmailTextTest, SplitsAtOutlookSeparatorsAndHeaderBlocks) {
  EXPECT_EQ(SplitQuotedEmail("Ok\n-----Mensagem original-----\nDe: x").visible, "Ok");
  EXPECT_EQ(SplitQuotedEmail("Ok\n________________________________\nFrom: x").visible, "Ok");
  const EmailText headers =
      SplitQuotedEmail("Segue.\n\nDe: Loja <a@b.com>\nEnviado: segunda\nAssunto: Pedido");
  EXPECT_EQ(headers.visible, "Segue.");
  EXPECT_EQ(headers.quoted, "De: Loja <a@b.com>\nEnviado: segunda\nAssunto: Pedido");
}

TEST(EmailTextTest, InlineQuotesFollowedByNewTextAreNotCut) {
  // "> …" answered line by line: the customer wrote below the quote, so nothing is history.
  const std::string text = "> Qual o número do pedido?\n12345\n> E o CPF?\n000.000.000-00";
  EXPECT_EQ(SplitQuotedEmail(text).visible, text);
  EXPECT_EQ(SplitQuotedEmail("Certo\n\n> antes\n>> mais antes\n").visible, "Certo");
}

TEST(EmailTextTest, HtmlFormattingBecomesMarkdown) {
  EXPECT_EQ(HtmlToMarkdown("<p>Olá <b>João</b>, <i>tudo</i> <s>mal</s> bem?</p>"),
            "Olá **João**, _tudo_ ~~mal~~ bem?");
  EXPECT_EQ(HtmlToMarkdown("<ul><li>um</li><li>dois</li></ul><ol><li>primeiro</li>"
                           "<li>segundo</li></ol>"),
            "- um\n- dois\n1. primeiro\n2. segundo");
  EXPECT_EQ(HtmlToMarkdown("linha 1<br>linha 2<br><br>linha 4"), "linha 1\nlinha 2\n\nlinha 4");
  EXPECT_EQ(HtmlToMarkdown("<a href=\"https://loja.com/p/1\">pedido</a> &amp; nota &lt;1&gt;"),
            "pedido (https://loja.com/p/1) & nota <1>");
  EXPECT_EQ(HtmlToMarkdown("<style>p{color:red}</style><script>alert(1)</script><div>oi</div>"),
            "oi");
  EXPECT_EQ(HtmlToMarkdown("<blockquote>citado</blockquote>novo"), "> citado\nnovo");
  EXPECT_EQ(HtmlToMarkdown("<b>sem fim"), "**sem fim");
  EXPECT_EQ(HtmlToMarkdown("a < b e <unclosed"), "a < b e");
  EXPECT_EQ(HtmlToMarkdown("<!-- <b> -->oi"), "oi");
}

TEST(EmailTextTest, CraftedNestingCostsBoundedOutput) {
  // 2,000 nested quotes and lists, then 20,000 line breaks: the prefix of each line stops
  // growing at 8 levels, and the markdown is cut at 256 KiB whatever comes.
  std::string html;
  for (int i = 0; i < 2000; ++i) html += "<blockquote><ul>";
  for (int i = 0; i < 20000; ++i) html += "x<br>";
  const std::string md = HtmlToMarkdown(html);
  EXPECT_LE(md.size(), 256u * 1024 + 64);
  EXPECT_NE(md.find("> > > > > > > > x"), std::string::npos);
  EXPECT_EQ(md.find("> > > > > > > > > x"), std::string::npos);
}

TEST(EmailTextTest, ManyScriptTagsAreEachDroppedWithTheirContent) {
  std::string html;
  for (int i = 0; i < 5000; ++i) html += "<SCRIPT>bad()</Script>ok ";
  html += "<script>never closed";
  const std::string md = HtmlToMarkdown(html);
  EXPECT_EQ(md.find("bad"), std::string::npos);
  EXPECT_EQ(md.find("never"), std::string::npos);
  EXPECT_EQ(md.substr(0, 6), "ok ok ");
}

TEST(EmailTextTest, ManyQuotedLinesBeforeNewTextAreNotCut) {
  std::string text;
  for (int i = 0; i < 30000; ++i) text += "> old line\n";
  text += "my answer\n";
  const EmailText split = SplitQuotedEmail(text);
  EXPECT_TRUE(split.quoted.empty()) << "quotes followed by new text are inline";
  text += "> and a quote below\n";
  EXPECT_EQ(SplitQuotedEmail(text).quoted, "> and a quote below");
}

}  // namespace
}  // namespace helpdesk
