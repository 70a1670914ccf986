// Reading a contacts file: RFC 4180 records, the header's columns, and each row's values.
#include "domain/contact_import.h"

#include <gtest/gtest.h>

namespace helpdesk {
namespace {

using nlohmann::json;

std::map<std::string, AttributeDefinition> Defined() {
  return {{"plan", {"plan", "Plan", "list", {"gold", "silver"}}},
          {"seats", {"seats", "Seats", "number", {}}},
          {"vip", {"vip", "VIP", "boolean", {}}}};
}

TEST(ContactImport, ReadsQuotedCellsLineBreaksAndBothLineEndings) {
  auto table = ParseCsv(
      "\xEF\xBB\xBFname,phone,tags\r\n"
      "\"Costa, Rui\",+55 11 98888-7777,\"vip;\"\"b2b\"\"\"\n"
      "\"Ana\nSilva\",,\r\n");
  ASSERT_TRUE(table.ok()) << table.error().message;
  EXPECT_EQ(table.value().header, (std::vector<std::string>{"name", "phone", "tags"}));
  ASSERT_EQ(table.value().rows.size(), 2u);
  EXPECT_EQ(table.value().rows[0][0], "Costa, Rui");
  EXPECT_EQ(table.value().rows[0][2], "vip;\"b2b\"");
  EXPECT_EQ(table.value().rows[1], (std::vector<std::string>{"Ana\nSilva", "", ""}));
}

TEST(ContactImport, RefusesBrokenFilesWhole) {
  const auto problem = [](const std::string& text) {
    auto table = ParseCsv(text);
    return table.ok() ? std::string("ok") : table.error().message;
  };
  EXPECT_NE(problem("name\n\"never ends\n").find("line 2: a quoted cell never ends"),
            std::string::npos);
  EXPECT_NE(problem("name\nab\"c\n").find("line 2: a quote inside"), std::string::npos);
  EXPECT_NE(problem("name\n\"ab\"c\n").find("line 2: text after"), std::string::npos);
  EXPECT_NE(problem("name\n\xC3\x28\n").find("not UTF-8"), std::string::npos);
  EXPECT_NE(problem("name\n\xED\xA0\x80\n").find("not UTF-8"), std::string::npos);  // surrogate
  EXPECT_NE(problem("").find("empty"), std::string::npos);
  EXPECT_NE(problem("name\n" + std::string(kMaxImportCellBytes + 1, 'a') + "\n").find("longer"),
            std::string::npos);
  std::string wide = "name";
  for (size_t i = 0; i < kMaxImportColumns; ++i) wide += ",c";
  EXPECT_NE(problem(wide + "\n").find("more than 256 cells"), std::string::npos);
  std::string many = "name\n";
  for (size_t i = 0; i <= kMaxImportRows; ++i) many += "x\n";
  auto too_many = ParseCsv(many);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().code, ErrorCode::kTooLarge);
}

TEST(ContactImport, HeaderNamesKnownColumnsOnce) {
  auto columns = ReadImportHeader({" Name ", "PHONE", "attr.plan", "created_at"}, Defined());
  ASSERT_TRUE(columns.ok()) << columns.error().message;
  EXPECT_EQ(columns.value().card.at("name"), 0u);
  EXPECT_EQ(columns.value().card.at("phone"), 1u);
  ASSERT_EQ(columns.value().attributes.size(), 1u);
  EXPECT_EQ(columns.value().attributes[0].first, "plan");
  const auto refused = [](const std::vector<std::string>& header) {
    return !ReadImportHeader(header, Defined()).ok();
  };
  EXPECT_TRUE(refused({"name", "name"}));
  EXPECT_TRUE(refused({"name", "nickname"}));
  EXPECT_TRUE(refused({"name", "attr.cpf"}));  // nobody defined it
  EXPECT_TRUE(refused({"tags", "owner"}));     // nothing that names a person
  EXPECT_TRUE(refused({"name", ""}));
}

TEST(ContactImport, RowsSetTheirNonEmptyCellsWithTypedAttributes) {
  const auto columns =
      ReadImportHeader({"name", "email", "tags", "owner", "attr.seats", "attr.vip", "attr.plan"},
                       Defined())
          .value();
  auto row = ReadImportRow(columns, Defined(),
                           {" Rui ", "", "vip; b2b;;", "ana@x.co", "12.5", "Sim", "gold"}, 7);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row.value().row, 7u);
  EXPECT_EQ(row.value().name, "Rui");
  EXPECT_EQ(row.value().email, "");
  EXPECT_EQ(*row.value().tags, (std::vector<std::string>{"vip", "b2b"}));
  EXPECT_EQ(*row.value().owner, "ana@x.co");
  EXPECT_EQ(row.value().attributes, (json{{"seats", 12.5}, {"vip", true}, {"plan", "gold"}}));
  // A value that does not convert stays text, for the card's rule to name.
  auto odd = ReadImportRow(columns, Defined(), {"Rui", "", "", "", "many", "maybe", ""}, 8);
  EXPECT_EQ(odd.value().attributes, (json{{"seats", "many"}, {"vip", "maybe"}}));
  EXPECT_TRUE(ReadImportRow(columns, Defined(), {"", " ", "", "", "", "", ""}, 9).value().blank);
  auto short_row = ReadImportRow(columns, Defined(), {"Rui", "x"}, 10);
  ASSERT_FALSE(short_row.ok());
  EXPECT_NE(short_row.error().message.find("'row'"), std::string::npos);
}

TEST(ContactImport, AnExportsGuardedCellsReadAsTheirValues) {
  const auto columns =
      ReadImportHeader({"name", "phone", "tags", "attr.seats", "attr.plan"}, Defined()).value();
  // What an export writes for "=SUM(1)", "+5511…", tags "-x;vip", -5 and "@home".
  auto row = ReadImportRow(columns, Defined(),
                           {"'=SUM(1)", "'+5511988887777", "'-x;vip", "'-5", "'@home"}, 1);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row.value().name, "=SUM(1)");
  EXPECT_EQ(row.value().phone, "+5511988887777");
  EXPECT_EQ(*row.value().tags, (std::vector<std::string>{"-x", "vip"}));
  EXPECT_EQ(row.value().attributes, (json{{"seats", -5}, {"plan", "@home"}}));
  // An apostrophe before anything else is the value's own.
  auto own = ReadImportRow(columns, Defined(), {"'Tis", "", "", "", "'"}, 2);
  EXPECT_EQ(own.value().name, "'Tis");
  EXPECT_EQ(own.value().attributes, (json{{"plan", "'"}}));
  for (const char* formula : {"=1", "+1", "-1", "@a", "\t1", "\r1"}) {
    EXPECT_TRUE(RunsAsFormula(formula)) << formula;
  }
  for (const char* text : {"", "1", "a=1", "'=1", " =1"}) EXPECT_FALSE(RunsAsFormula(text)) << text;
}

TEST(ContactImport, WholeNumbersReadAsIntegersLikeTheApiStoresThem) {
  const auto columns = ReadImportHeader({"name", "attr.seats"}, Defined()).value();
  const auto seats = [&](const std::string& cell) {
    return ReadImportRow(columns, Defined(), {"Rui", cell}, 1).value().attributes["seats"];
  };
  EXPECT_TRUE(seats("12").is_number_integer());
  EXPECT_EQ(seats("12").dump(), "12");  // the text an attr.seats=12 filter compares
  EXPECT_EQ(seats("-5").dump(), "-5");
  EXPECT_TRUE(seats("12.5").is_number_float());
  EXPECT_EQ(seats("12.0").dump(), "12.0");
  // Past 64 bits it is still a number, as floating point.
  EXPECT_TRUE(seats("99999999999999999999").is_number_float());
}

TEST(ContactImport, TheSameFileAndRowGiveTheSameId) {
  EXPECT_EQ(ImportedContactId("abcdef0123456789abcdef0123456789", 3),
            ImportedContactId("abcdef0123456789abcdef0123456789", 3));
  EXPECT_NE(ImportedContactId("abcdef0123456789abcdef0123456789", 3),
            ImportedContactId("abcdef0123456789abcdef0123456789", 4));
}

}  // namespace
}  // namespace helpdesk
