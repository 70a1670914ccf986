// The customer column and the CRM list over HTTP against the real binary: contacts created and
// edited by users, phone and e-mail uniqueness, portfolios, notes with mentions, typed custom
// attributes, the filtered and sorted list with its total, a customer's conversations, and the
// channel list every user reads.
#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "tests/api_fixture.h"

namespace helpdesk::testing {
namespace {

class ContactsTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ana_ = CreateDeskWithAgentAna();
    bia_ = CreateUser("bia", "agent", json::array({"t1"}));
    sup_ = CreateUser("sup", "supervisor");
    analyst_ = CreateUser("ann", "analyst");
  }
  HttpReply Create(const std::string& token, const json& body) {
    return As(token, "POST", "/api/v1/contacts", body);
  }
  std::string ana_, bia_, sup_, analyst_;
};

TEST_F(ContactsTest, CreatedByAnAgentWithUniquePhoneAndEmail) {
  auto made = Create(ana_, {{"id", "rui"},
                            {"name", "Rui Costa"},
                            {"phone", "+55 (11) 98888-7777"},
                            {"email", "Rui@Example.com"},
                            {"tags", {"vip", "b2b", "vip"}},
                            {"social", {{"instagram", "@rui"}}}});
  ASSERT_EQ(made.status, 201) << made.body;
  const json rui = made.json();
  EXPECT_EQ(rui["id"], "rui");
  EXPECT_EQ(rui["name"], "Rui Costa");
  EXPECT_EQ(rui["tags"], json::array({"b2b", "vip"}));
  EXPECT_EQ(rui["social"]["instagram"], "@rui");
  EXPECT_EQ(rui["owner_id"], nullptr);
  EXPECT_EQ(rui["stage"], nullptr);
  EXPECT_EQ(rui["merged_into"], nullptr);
  EXPECT_EQ(rui["version"], 1);
  EXPECT_EQ(made.headers["etag"], "\"1\"");
  EXPECT_FALSE(made.headers["x-position"].empty());
  // The same create again answers as the first; another with the same id is a clash.
  EXPECT_NO_NEW_EVENTS(EXPECT_EQ(Create(ana_, {{"id", "rui"},
                                               {"name", "Rui Costa"},
                                               {"phone", "+55 (11) 98888-7777"},
                                               {"email", "Rui@Example.com"},
                                               {"tags", {"vip", "b2b"}},
                                               {"social", {{"instagram", "@rui"}}}})
                                     .status,
                                 200));
  EXPECT_EQ(Create(ana_, {{"id", "rui"}, {"name", "Other"}}).status, 409);
  // The phone in another spelling, or the e-mail in another case: the contact exists.
  auto same_phone = Create(bia_, {{"name", "Rui again"}, {"phone", "5511988887777"}});
  EXPECT_EQ(same_phone.status, 409) << same_phone.body;
  EXPECT_EQ(same_phone.error_code(), "conflict");
  EXPECT_EQ(same_phone.json()["error"]["existing_id"], "rui");
  auto same_email = Create(bia_, {{"name", "Rui again"}, {"email", " rui@example.COM"}});
  EXPECT_EQ(same_email.status, 409);
  EXPECT_EQ(same_email.json()["error"]["existing_id"], "rui");
  // A message from that phone reaches the same contact.
  const json inbound = Inbound("wa", "w1", "+5511988887777", "Oi");
  EXPECT_EQ(inbound["contact_id"], "rui");
  // Bad input changes nothing.
  EXPECT_NO_NEW_EVENTS({
    EXPECT_EQ(Create(ana_, {{"phone", "+55 11 1"}}).status, 400);
    EXPECT_EQ(Create(ana_, {{"name", ""}}).status, 400);
    EXPECT_EQ(Create(ana_, {{"name", "X"}, {"email", "not-an-email"}}).status, 400);
    EXPECT_EQ(Create(ana_, {{"name", "X"}, {"phone", "no digits"}}).status, 400);
    EXPECT_EQ(Create(ana_, {{"name", "X"}, {"tags", "vip"}}).status, 400);
    EXPECT_EQ(Create(ana_, {{"name", "X"}, {"tags", {std::string("vip\0nq", 6)}}}).status, 400);
    EXPECT_EQ(Create(ana_, {{"name", "X"}, {"social", {{"myspace", "x"}}}}).status, 400);
    EXPECT_EQ(Create(ana_, {{"name", "X"}, {"nickname", "x"}}).status, 400);
    EXPECT_EQ(Create(ana_, {{"name", "X"}, {"attributes", {{"cpf", "1"}}}}).status, 400);
    EXPECT_EQ(Create(ana_, {{"name", "X"}, {"owner_id", "ghost"}}).status, 404);
    EXPECT_EQ(Create(analyst_, {{"name", "X"}}).status, 403);
    EXPECT_EQ(server().As(ana_, "POST", "/api/v1/contacts", "{\"name\":").status, 400);
    // Ids that name the list's own routes could never be read back.
    for (const char* reserved : {"import", "imports", "export.csv"}) {
      EXPECT_EQ(Create(ana_, {{"id", reserved}, {"name", "X"}}).error_code(), "invalid_field");
    }
  });
}

TEST_F(ContactsTest, EditsNameOnlyWhatChangedAndHonourIfMatch) {
  ASSERT_EQ(Create(ana_, {{"id", "rui"}, {"name", "Rui"}, {"phone", "+5511900000001"}}).status,
            201);
  ASSERT_EQ(Create(ana_, {{"id", "lia"}, {"name", "Lia"}, {"phone", "+5511900000002"}}).status,
            201);
  auto edited = As(ana_, "PATCH", "/api/v1/contacts/rui",
                   {{"name", "Rui Costa"}, {"email", "rui@x.co"}, {"phone", "+5511900000001"}},
                   {{"If-Match", "\"1\""}});
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(edited.json()["name"], "Rui Costa");
  EXPECT_EQ(edited.json()["version"], 2);
  // The event names only the changed fields.
  auto events = Admin("GET", "/api/v1/events?stream=contact/rui").json();
  json last;
  for (const auto& e : events["items"]) last = e;
  ASSERT_EQ(last["type"], "ContactUpdated") << events.dump();
  EXPECT_EQ(last["data"],
            json({{"contact_id", "rui"}, {"name", "Rui Costa"}, {"email", "rui@x.co"}}));
  // A stale version is refused.
  auto stale =
      As(ana_, "PATCH", "/api/v1/contacts/rui", {{"name", "Old"}}, {{"If-Match", "\"1\""}});
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(stale.error_code(), "version_conflict");
  // Another contact's phone is taken; removing one's own frees it for others.
  auto taken = As(ana_, "PATCH", "/api/v1/contacts/rui", {{"phone", "+55 11 90000-0002"}});
  EXPECT_EQ(taken.status, 409);
  EXPECT_EQ(taken.json()["error"]["existing_id"], "lia");
  auto cleared = As(ana_, "PATCH", "/api/v1/contacts/lia", {{"phone", nullptr}});
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_EQ(cleared.json()["phone"], nullptr);
  auto moved = As(ana_, "PATCH", "/api/v1/contacts/rui", {{"phone", "+55 11 90000-0002"}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(Inbound("wa", "w1", "+5511900000002", "Oi")["contact_id"], "rui");
  // The old phone is nobody's now: a message from it makes a new contact.
  EXPECT_NE(Inbound("wa", "w2", "+5511900000001", "Oi")["contact_id"], "rui");
  // Nothing to change: no event. Unknown contact, bad fields: errors.
  EXPECT_NO_NEW_EVENTS({
    EXPECT_EQ(As(ana_, "PATCH", "/api/v1/contacts/rui", {{"name", "Rui Costa"}}).status, 200);
    EXPECT_EQ(As(ana_, "PATCH", "/api/v1/contacts/ghost", {{"name", "X"}}).status, 404);
    EXPECT_EQ(As(ana_, "PATCH", "/api/v1/contacts/rui", {{"name", nullptr}}).status, 400);
    EXPECT_EQ(As(ana_, "PATCH", "/api/v1/contacts/rui", {{"id", "x"}}).status, 400);
    EXPECT_EQ(
        As(ana_, "PATCH", "/api/v1/contacts/rui", {{"name", "X"}}, {{"If-Match", "v"}}).status,
        400);
  });
  // The conversation shows the new name.
  const json opened = Inbound("wa", "w3", "+5511900000002", "De novo");
  EXPECT_EQ(Conversation(opened["conversation_id"])["contact"]["name"], "Rui Costa");
}

TEST_F(ContactsTest, TypedAttributesDefinedByAdmins) {
  auto cpf = Admin("POST", "/api/v1/contact-attributes",
                   {{"key", "cpf"}, {"label", "CPF"}, {"type", "text"}});
  ASSERT_EQ(cpf.status, 201) << cpf.body;
  ASSERT_EQ(
      Admin("POST", "/api/v1/contact-attributes",
            {{"key", "plan"}, {"label", "Plano"}, {"type", "list"}, {"options", {"ouro", "prata"}}})
          .status,
      201);
  ASSERT_EQ(Admin("POST", "/api/v1/contact-attributes",
                  {{"key", "since"}, {"label", "Cliente desde"}, {"type", "date"}})
                .status,
            201);
  ASSERT_EQ(Admin("POST", "/api/v1/contact-attributes",
                  {{"key", "seats"}, {"label", "Licenças"}, {"type", "number"}})
                .status,
            201);
  EXPECT_EQ(As(ana_, "POST", "/api/v1/contact-attributes",
               {{"key", "x"}, {"label", "X"}, {"type", "text"}})
                .status,
            403);
  EXPECT_EQ(Admin("POST", "/api/v1/contact-attributes",
                  {{"key", "Bad Key"}, {"label", "X"}, {"type", "text"}})
                .status,
            400);
  EXPECT_EQ(Admin("POST", "/api/v1/contact-attributes",
                  {{"key", "cpf"}, {"label", "CPF"}, {"type", "number"}})
                .status,
            409);
  EXPECT_EQ(
      Admin("POST", "/api/v1/contact-attributes", {{"key", "l"}, {"label", "L"}, {"type", "list"}})
          .status,
      400);
  auto listed = As(ana_, "GET", "/api/v1/contact-attributes");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.json()["items"].size(), 4u);

  auto made =
      Create(ana_, {{"id", "rui"},
                    {"name", "Rui"},
                    {"attributes", {{"cpf", "123.456.789-00"}, {"plan", "ouro"}, {"seats", 12}}}});
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.json()["attributes"]["seats"], 12);
  auto wrong = As(ana_, "PATCH", "/api/v1/contacts/rui", {{"attributes", {{"plan", "bronze"}}}});
  EXPECT_EQ(wrong.status, 400);
  EXPECT_NE(wrong.body.find("attributes.plan"), std::string::npos) << wrong.body;
  EXPECT_EQ(
      As(ana_, "PATCH", "/api/v1/contacts/rui", {{"attributes", {{"since", "2026-02-30"}}}}).status,
      400);
  EXPECT_EQ(As(ana_, "PATCH", "/api/v1/contacts/rui", {{"attributes", {{"seats", "many"}}}}).status,
            400);
  auto unknown = As(ana_, "PATCH", "/api/v1/contacts/rui", {{"attributes", {{"color", "red"}}}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("attributes.color"), std::string::npos);
  auto set = As(ana_, "PATCH", "/api/v1/contacts/rui",
                {{"attributes", {{"since", "2024-02-29"}, {"cpf", nullptr}}}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.json()["attributes"],
            json({{"plan", "ouro"}, {"seats", 12}, {"since", "2024-02-29"}}));
  // The list filters by an attribute's value.
  Create(ana_, {{"id", "lia"}, {"name", "Lia"}, {"attributes", {{"plan", "prata"}}}});
  auto gold = As(ana_, "GET", "/api/v1/contacts?attr.plan=ouro");
  EXPECT_EQ(Ids(gold), std::vector<std::string>({"rui"}));
  EXPECT_EQ(gold.json()["total"], 1);
  // An empty filter does not narrow, like every other (a form that sends all its fields).
  EXPECT_EQ(As(ana_, "GET", "/api/v1/contacts?attr.plan=").json()["total"],
            As(ana_, "GET", "/api/v1/contacts").json()["total"]);
}

TEST_F(ContactsTest, PortfoliosAndNotesWithMentions) {
  ASSERT_EQ(Create(ana_, {{"id", "rui"}, {"name", "Rui"}}).status, 201);
  // An agent takes a contact into their own portfolio, not a colleague's.
  EXPECT_EQ(As(ana_, "PUT", "/api/v1/contacts/rui/owner", {{"user_id", "bia"}}).status, 403);
  auto mine = As(ana_, "PUT", "/api/v1/contacts/rui/owner", {{"user_id", "ana"}});
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(mine.json()["owner_id"], "ana");
  EXPECT_EQ(As(bia_, "PUT", "/api/v1/contacts/rui/owner", {{"user_id", nullptr}}).status, 403);
  // Nor into their own out of a colleague's: that would take it out of ana's.
  auto taken = As(bia_, "PUT", "/api/v1/contacts/rui/owner", {{"user_id", "bia"}});
  EXPECT_EQ(taken.status, 403) << taken.body;
  EXPECT_EQ(Admin("GET", "/api/v1/contacts/rui").json()["owner_id"], "ana");
  EXPECT_EQ(As(sup_, "PUT", "/api/v1/contacts/rui/owner", {{"user_id", "bia"}}).status, 200);
  EXPECT_EQ(As(sup_, "PUT", "/api/v1/contacts/rui/owner", {{"user_id", "ghost"}}).status, 404);
  EXPECT_EQ(As(sup_, "PUT", "/api/v1/contacts/rui/owner", json::object()).status, 400);
  auto portfolio = As(bia_, "GET", "/api/v1/contacts?owner=me");
  EXPECT_EQ(Ids(portfolio), std::vector<std::string>({"rui"}));
  EXPECT_EQ(portfolio.json()["total"], 1);
  EXPECT_EQ(As(ana_, "GET", "/api/v1/contacts?owner=me").json()["total"], 0);

  auto note = As(ana_, "POST", "/api/v1/contacts/rui/notes", {{"text", "@bia ligar amanhã"}});
  ASSERT_EQ(note.status, 201) << note.body;
  EXPECT_EQ(note.json()["author_id"], "ana");
  EXPECT_EQ(note.json()["text"], "@bia ligar amanhã");
  ASSERT_EQ(As(bia_, "POST", "/api/v1/contacts/rui/notes", {{"text", "feito"}}).status, 201);
  auto notes = As(sup_, "GET", "/api/v1/contacts/rui/notes");
  ASSERT_EQ(notes.status, 200);
  ASSERT_EQ(notes.json()["items"].size(), 2u);
  EXPECT_EQ(notes.json()["items"][0]["text"], "feito");  // newest first
  auto page = As(sup_, "GET", "/api/v1/contacts/rui/notes?limit=1");
  ASSERT_TRUE(page.json()["next_cursor"].is_string());
  auto next = As(
      sup_, "GET",
      "/api/v1/contacts/rui/notes?limit=1&cursor=" + page.json()["next_cursor"].get<std::string>());
  EXPECT_EQ(next.json()["items"][0]["text"], "@bia ligar amanhã");
  // Bia is told, with the contact to open.
  auto told = As(bia_, "GET", "/api/v1/notifications").json();
  ASSERT_EQ(told["items"].size(), 1u) << told.dump();
  EXPECT_EQ(told["items"][0]["kind"], "mention");
  EXPECT_EQ(told["items"][0]["contact_id"], "rui");
  EXPECT_EQ(As(ana_, "POST", "/api/v1/contacts/rui/notes", {{"text", ""}}).status, 400);
  EXPECT_EQ(As(ana_, "POST", "/api/v1/contacts/ghost/notes", {{"text", "x"}}).status, 404);
  EXPECT_EQ(As(ana_, "GET", "/api/v1/contacts/ghost/notes").status, 404);
}

TEST_F(ContactsTest, ListFiltersSortsAndCountsEveryMatch) {
  const std::vector<std::pair<std::string, std::string>> people = {{"c1", "Érica Souza"},
                                                                   {"c2", "bruno Lima"},
                                                                   {"c3", "Ana Paula"},
                                                                   {"c4", "Carlos"},
                                                                   {"c5", "ana maria"}};
  for (const auto& [id, name] : people) {
    json body{{"id", id}, {"name", name}, {"tags", json::array({id == "c4" ? "x" : "vip"})}};
    if (id == "c2") body["phone"] = "+55 21 97777-1234";
    if (id == "c3") body["email"] = "paula@empresa.com.br";
    ASSERT_EQ(Create(ana_, body).status, 201);
    // Contacts made within one millisecond sort by id: apart, "newest" is c5.
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  auto by_name = As(ana_, "GET", "/api/v1/contacts?sort=name");
  ASSERT_EQ(by_name.status, 200) << by_name.body;
  EXPECT_EQ(Ids(by_name), std::vector<std::string>({"c5", "c3", "c2", "c4", "c1"}));
  EXPECT_EQ(by_name.json()["total"], 5);
  auto newest = As(ana_, "GET", "/api/v1/contacts?sort=created");
  EXPECT_EQ(Ids(newest).front(), "c5");
  // Pages of two, each with the whole total.
  auto first = As(ana_, "GET", "/api/v1/contacts?sort=name&limit=2");
  EXPECT_EQ(Ids(first), std::vector<std::string>({"c5", "c3"}));
  EXPECT_EQ(first.json()["total"], 5);
  auto second = As(ana_, "GET",
                   "/api/v1/contacts?sort=name&limit=2&cursor=" +
                       first.json()["next_cursor"].get<std::string>());
  EXPECT_EQ(Ids(second), std::vector<std::string>({"c2", "c4"}));
  // Search: a name without accents or case, phone digits, an e-mail.
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/contacts?q=erica")), std::vector<std::string>({"c1"}));
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/contacts?q=97777-12")), std::vector<std::string>({"c2"}));
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/contacts?q=empresa.com")),
            std::vector<std::string>({"c3"}));
  auto anas = As(ana_, "GET", "/api/v1/contacts?q=ana&limit=1");
  EXPECT_EQ(anas.json()["total"], 2);
  EXPECT_EQ(anas.json()["items"].size(), 1u);
  // Filters combine; the total counts every match.
  auto vip_anas = As(ana_, "GET", "/api/v1/contacts?tag=vip&q=ana");
  EXPECT_EQ(vip_anas.json()["total"], 2);
  EXPECT_EQ(As(ana_, "GET", "/api/v1/contacts?tag=vip").json()["total"], 4);
  EXPECT_EQ(As(ana_, "GET", "/api/v1/contacts?tag=x").json()["total"], 1);
  // A changed tag moves the contact between lists.
  ASSERT_EQ(As(ana_, "PATCH", "/api/v1/contacts/c4", {{"tags", {"vip"}}}).status, 200);
  EXPECT_EQ(As(ana_, "GET", "/api/v1/contacts?tag=vip").json()["total"], 5);
  EXPECT_EQ(As(ana_, "GET", "/api/v1/contacts?tag=x").json()["total"], 0);
  auto recent = As(ana_, "GET", "/api/v1/contacts?sort=recent");
  EXPECT_EQ(Ids(recent).front(), "c4");
  // Two of owner, tag and stage: the total is the pair's count, kept as contacts change.
  for (const char* id : {"c1", "c3"}) {
    ASSERT_EQ(
        As(ana_, "PUT", std::string("/api/v1/contacts/") + id + "/owner", {{"user_id", "ana"}})
            .status,
        200);
  }
  auto mine_vip = As(ana_, "GET", "/api/v1/contacts?owner=ana&tag=vip&sort=name&limit=1");
  ASSERT_EQ(mine_vip.status, 200) << mine_vip.body;
  const json mine_first = mine_vip.json();
  EXPECT_EQ(Ids(mine_vip), std::vector<std::string>({"c3"}));
  EXPECT_EQ(mine_first["total"], 2);
  auto mine_next = As(ana_, "GET",
                      "/api/v1/contacts?owner=ana&tag=vip&sort=name&limit=1&cursor=" +
                          mine_first["next_cursor"].get<std::string>());
  EXPECT_EQ(Ids(mine_next), std::vector<std::string>({"c1"}));
  EXPECT_EQ(mine_next.json()["total"], 2);
  ASSERT_EQ(As(ana_, "PATCH", "/api/v1/contacts/c3", {{"tags", {"x"}}}).status, 200);
  EXPECT_EQ(As(ana_, "GET", "/api/v1/contacts?owner=ana&tag=vip").json()["total"], 1);
  EXPECT_EQ(As(ana_, "GET", "/api/v1/contacts?owner=ana&tag=x").json()["total"], 1);
  EXPECT_EQ(As(ana_, "GET", "/api/v1/contacts?owner=me&tag=x").json()["total"], 1);
  // Bad parameters.
  EXPECT_EQ(As(ana_, "GET", "/api/v1/contacts?sort=age").status, 400);
  EXPECT_EQ(As(ana_, "GET", "/api/v1/contacts?created_after=yesterday").status, 400);
  EXPECT_EQ(As(ana_, "GET", "/api/v1/contacts?cursor=zzz").status, 400);
  EXPECT_EQ(As(ana_, "GET", "/api/v1/contacts?created_after=2000-01-01T00:00:00Z").json()["total"],
            5);
}

TEST_F(ContactsTest, ADuplicateMergedBringsItsConversationsNotesAndPhone) {
  ASSERT_EQ(
      Create(ana_, {{"id", "rui"}, {"name", "Rui"}, {"phone", "+5511900000001"}, {"tags", {"vip"}}})
          .status,
      201);
  const json first = Inbound("wa", "w1", "+5511900000002", "Oi, sou o Rui de novo");
  const std::string dup = first["contact_id"];
  const std::string conversation = first["conversation_id"];
  ASSERT_EQ(As(ana_, "PATCH", "/api/v1/contacts/" + dup,
               {{"email", "rui@x.co"}, {"tags", {"b2b"}}, {"social", {{"x", "@rui"}}}})
                .status,
            200);
  ASSERT_EQ(
      As(ana_, "POST", "/api/v1/contacts/" + dup + "/notes", {{"text", "same person?"}}).status,
      201);
  ASSERT_EQ(As(ana_, "POST", "/api/v1/contacts/rui/notes", {{"text", "VIP since 2020"}}).status,
            201);
  const std::string path = "/api/v1/contacts/rui/merge";
  EXPECT_NO_NEW_EVENTS({
    EXPECT_EQ(As(ana_, "POST", path, {{"from", dup}}).status, 403);
    EXPECT_EQ(As(sup_, "POST", path, {{"from", "rui"}}).status, 400);
    EXPECT_EQ(As(sup_, "POST", path, {{"from", "ghost"}}).status, 404);
    EXPECT_EQ(As(sup_, "POST", path, json::object()).status, 400);
  });
  auto merged = As(sup_, "POST", path, {{"from", dup}});
  ASSERT_EQ(merged.status, 200) << merged.body;
  // The survivor keeps its own and takes what only the duplicate had.
  EXPECT_EQ(merged.json()["phone"], "+5511900000001");
  EXPECT_EQ(merged.json()["email"], "rui@x.co");
  EXPECT_EQ(merged.json()["tags"], json::array({"b2b", "vip"}));
  EXPECT_EQ(merged.json()["social"]["x"], "@rui");
  EXPECT_EQ(merged.json()["notes_count"], 2);
  // Reading the duplicate says where it went; it leaves the lists.
  auto gone = As(ana_, "GET", "/api/v1/contacts/" + dup);
  ASSERT_EQ(gone.status, 200);
  EXPECT_EQ(gone.json()["merged_into"], "rui");
  auto listed = As(ana_, "GET", "/api/v1/contacts");
  EXPECT_EQ(Ids(listed), std::vector<std::string>({"rui"}));
  EXPECT_EQ(listed.json()["total"], 1);
  // Its conversations and notes are the survivor's.
  auto conversations = As(ana_, "GET", "/api/v1/contacts/rui/conversations").json();
  ASSERT_EQ(conversations["items"].size(), 1u);
  EXPECT_EQ(conversations["items"][0]["id"], conversation);
  EXPECT_EQ(Conversation(conversation)["contact"]["id"], "rui");
  auto notes = As(ana_, "GET", "/api/v1/contacts/rui/notes").json();
  EXPECT_EQ(notes["items"].size(), 2u);
  // A message from the duplicate's phone continues its conversation, now the survivor's.
  const json again = Inbound("wa", "w2", "+55 11 90000-0002", "Alguém?");
  EXPECT_EQ(again["contact_id"], "rui");
  EXPECT_EQ(again["conversation_id"], conversation);
  // Merged once is merged: again is a no-op, another target or an edit of it refused.
  EXPECT_NO_NEW_EVENTS(EXPECT_EQ(As(sup_, "POST", path, {{"from", dup}}).status, 200));
  ASSERT_EQ(Create(ana_, {{"id", "lia"}, {"name", "Lia"}}).status, 201);
  EXPECT_EQ(As(sup_, "POST", "/api/v1/contacts/lia/merge", {{"from", dup}}).status, 409);
  EXPECT_EQ(As(sup_, "POST", "/api/v1/contacts/" + dup + "/merge", {{"from", "lia"}}).status, 409);
  EXPECT_EQ(As(ana_, "PATCH", "/api/v1/contacts/" + dup, {{"name", "X"}}).status, 409);
  // Erasing the survivor erases the duplicate it absorbed.
  auto erased = Admin("POST", "/api/v1/contacts/rui/erase");
  ASSERT_EQ(erased.status, 200) << erased.body;
  auto duplicate = As(sup_, "GET", "/api/v1/contacts/" + dup).json();
  EXPECT_EQ(duplicate["name"], "[erased]");
  EXPECT_EQ(duplicate["erased"], true);
  EXPECT_EQ(As(sup_, "GET", "/api/v1/contacts/rui/notes").body.find("same person"),
            std::string::npos);
  EXPECT_NE(Inbound("wa", "w3", "+5511900000002", "Oi")["contact_id"], "rui");
}

TEST_F(ContactsTest, OrdersAndReturnsAreUpsertedAndFollowAMerge) {
  ASSERT_EQ(Create(ana_, {{"id", "rui"}, {"name", "Rui"}}).status, 201);
  const json order{
      {"number", "1001"},
      {"kind", "order"},
      {"status", "shipped"},
      {"total", 199.9},
      {"currency", "BRL"},
      {"url", "https://shop.example/orders/1001"},
      {"placed_at", "2026-11-20T10:00:00Z"},
      {"items", {{{"sku", "T-42"}, {"name", "Tênis"}, {"quantity", 1}, {"price", 199.9}}}}};
  auto made = As(ana_, "PUT", "/api/v1/contacts/rui/orders/shop-1001", order);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.json()["external_id"], "shop-1001");
  EXPECT_EQ(made.json()["items"][0]["name"], "Tênis");
  // The same order again records nothing; a new status updates it.
  EXPECT_NO_NEW_EVENTS(
      EXPECT_EQ(As(ana_, "PUT", "/api/v1/contacts/rui/orders/shop-1001", order).status, 200));
  json delivered = order;
  delivered["status"] = "delivered";
  auto updated = As(ana_, "PUT", "/api/v1/contacts/rui/orders/shop-1001", delivered);
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.json()["status"], "delivered");
  // A return placed later is listed first; a channel's token (the shop's integration) may write.
  auto shop = Admin("POST", "/api/v1/channels",
                    {{"id", "shop"}, {"type", "webchat"}, {"name", "Loja"}, {"address", "loja"}});
  ASSERT_EQ(shop.status, 201) << shop.body;
  auto ret = As(shop.json()["token"], "PUT", "/api/v1/contacts/rui/orders/shop-r7",
                {{"number", "R7"},
                 {"kind", "return"},
                 {"status", "requested"},
                 {"placed_at", "2026-11-25T09:00:00Z"}});
  ASSERT_EQ(ret.status, 201) << ret.body;
  auto listed = As(sup_, "GET", "/api/v1/contacts/rui/orders");
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.json()["items"].size(), 2u);
  EXPECT_EQ(listed.json()["items"][0]["number"], "R7");
  EXPECT_EQ(listed.json()["items"][0]["total"], nullptr);
  EXPECT_EQ(listed.json()["items"][1]["status"], "delivered");
  // Bad orders change nothing.
  EXPECT_NO_NEW_EVENTS({
    for (const json& bad :
         {json{{"number", "1"}, {"kind", "gift"}, {"status", "x"}},
          json{{"number", "1"}, {"kind", "order"}, {"status", "x"}, {"total", -1}},
          json{{"number", "1"}, {"kind", "order"}, {"status", "x"}, {"currency", "real"}},
          json{{"number", "1"}, {"kind", "order"}, {"status", "x"}, {"color", "red"}},
          json{{"number", "1"},
               {"kind", "order"},
               {"status", "x"},
               {"items", {{{"name", "A"}, {"quantity", 0}}}}},
          json{{"kind", "order"}, {"status", "x"}}}) {
      auto refused = As(ana_, "PUT", "/api/v1/contacts/rui/orders/x", bad);
      EXPECT_EQ(refused.status, 400) << bad.dump() << " " << refused.body;
    }
    EXPECT_EQ(As(ana_, "PUT", "/api/v1/contacts/ghost/orders/x", order).status, 404);
    EXPECT_EQ(As(analyst_, "PUT", "/api/v1/contacts/rui/orders/x", order).status, 403);
    EXPECT_EQ(server().As(ana_, "PUT", "/api/v1/contacts/rui/orders/x", "[1,").status, 400);
  });
  // Merged, a duplicate's orders are the survivor's.
  ASSERT_EQ(Create(ana_, {{"id", "dup"}, {"name", "Rui C"}}).status, 201);
  ASSERT_EQ(As(ana_, "PUT", "/api/v1/contacts/dup/orders/shop-2002",
               {{"number", "2002"}, {"kind", "order"}, {"status", "paid"}})
                .status,
            201);
  ASSERT_EQ(As(sup_, "POST", "/api/v1/contacts/rui/merge", {{"from", "dup"}}).status, 200);
  EXPECT_EQ(As(sup_, "GET", "/api/v1/contacts/rui/orders").json()["items"].size(), 3u);
  EXPECT_EQ(As(sup_, "GET", "/api/v1/contacts/dup/orders").json()["items"].size(), 0u);
}

TEST_F(ContactsTest, MergesOfMergesLeadToTheLastSurvivor) {
  ASSERT_EQ(Create(ana_, {{"id", "a"}, {"name", "A"}, {"phone", "+5511900000001"}}).status, 201);
  ASSERT_EQ(Create(ana_, {{"id", "b"}, {"name", "B"}, {"phone", "+5511900000002"}}).status, 201);
  ASSERT_EQ(Create(ana_, {{"id", "c"}, {"name", "C"}, {"phone", "+5511900000003"}}).status, 201);
  ASSERT_EQ(As(sup_, "POST", "/api/v1/contacts/b/merge", {{"from", "a"}}).status, 200);
  ASSERT_EQ(As(sup_, "POST", "/api/v1/contacts/c/merge", {{"from", "b"}}).status, 200);
  // A's phone leads to C, and a new contact with it is C's duplicate.
  EXPECT_EQ(Inbound("wa", "w1", "+5511900000001", "Oi")["contact_id"], "c");
  auto taken = Create(ana_, {{"name", "A again"}, {"phone", "+5511900000001"}});
  EXPECT_EQ(taken.status, 409);
  EXPECT_EQ(taken.json()["error"]["existing_id"], "c");
  ASSERT_EQ(Create(ana_, {{"id", "d"}, {"name", "D"}}).status, 201);
  auto edited = As(ana_, "PATCH", "/api/v1/contacts/d", {{"phone", "+5511900000001"}});
  EXPECT_EQ(edited.status, 409);
  EXPECT_EQ(edited.json()["error"]["existing_id"], "c");
  // C may take a phone that leads to it already.
  EXPECT_EQ(As(ana_, "PATCH", "/api/v1/contacts/c", {{"phone", "+5511900000001"}}).status, 200);
  // Erasing C erases both.
  auto erased = Admin("POST", "/api/v1/contacts/c/erase");
  ASSERT_EQ(erased.status, 200) << erased.body;
  for (const char* id : {"a", "b", "c"}) {
    EXPECT_EQ(As(sup_, "GET", std::string("/api/v1/contacts/") + id).json()["name"], "[erased]")
        << id;
  }
  EXPECT_NE(Inbound("wa", "w2", "+5511900000001", "Oi")["contact_id"], "c");
}

TEST_F(ContactsTest, ExportIsFilteredStreamedAndFormulaSafe) {
  ASSERT_EQ(Admin("POST", "/api/v1/contact-attributes",
                  {{"key", "plan"}, {"label", "Plano"}, {"type", "text"}})
                .status,
            201);
  ASSERT_EQ(Create(ana_, {{"id", "evil"},
                          {"name", "=HYPERLINK(\"http://x\",\"a, b\")"},
                          {"phone", "+55 11 90000-0003"},
                          {"tags", {"vip", "b2b"}},
                          {"attributes", {{"plan", "@gold"}}}})
                .status,
            201);
  ASSERT_EQ(Create(ana_, {{"id", "plain"}, {"name", "Ana"}, {"tags", {"x"}}}).status, 201);
  EXPECT_EQ(As(ana_, "GET", "/api/v1/contacts/export.csv").status, 403);
  auto all = As(sup_, "GET", "/api/v1/contacts/export.csv?sort=name");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_NE(all.headers["content-type"].find("text/csv"), std::string::npos);
  const std::string header =
      "id,name,phone,email,owner,tags,stage,attr.plan,created_at,updated_at\r\n";
  ASSERT_EQ(all.body.substr(0, header.size()), header);
  EXPECT_NE(all.body.find("\r\nplain,Ana,,,,x,,,"), std::string::npos) << all.body;
  // Every cell a spreadsheet would run as a formula starts with a quote; quotes are doubled.
  EXPECT_NE(
      all.body.find("evil,\"'=HYPERLINK(\"\"http://x\"\",\"\"a, b\"\")\",'+55 11 90000-0003,,,"
                    "b2b;vip,,'@gold,"),
      std::string::npos)
      << all.body;
  auto vip = As(sup_, "GET", "/api/v1/contacts/export.csv?tag=vip");
  ASSERT_EQ(vip.status, 200);
  EXPECT_EQ(vip.body.find("plain"), std::string::npos);
  EXPECT_NE(vip.body.find("evil"), std::string::npos);
  EXPECT_EQ(As(sup_, "GET", "/api/v1/contacts/export.csv?sort=nope").status, 400);
}

TEST_F(ContactsTest, EveryConversationOfTheCustomerNewestFirst) {
  const json first = Inbound("wa", "w1", "+5511911112222", "Oi");
  const std::string contact = first["contact_id"];
  const std::string c1 = first["conversation_id"];
  ASSERT_EQ(As(ana_, "POST", "/api/v1/conversations/" + c1 + "/take").status, 200);
  ASSERT_EQ(
      As(ana_, "POST", "/api/v1/conversations/" + c1 + "/close", {{"reason", "resolvido"}}).status,
      200);
  CreateChannel("sms", "sms");
  const json second = Inbound("sms", "s1", "+5511911112222", "Outra coisa");
  EXPECT_EQ(second["contact_id"], contact);
  auto listed = As(bia_, "GET", "/api/v1/contacts/" + contact + "/conversations");
  ASSERT_EQ(listed.status, 200) << listed.body;
  const json items = listed.json()["items"];
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0]["id"], second["conversation_id"]);
  EXPECT_EQ(items[0]["channel_id"], "sms");
  EXPECT_EQ(items[1]["id"], c1);
  EXPECT_EQ(items[1]["status"], "closed");
  EXPECT_EQ(items[1]["close_reason"], "resolvido");
  EXPECT_TRUE(items[1]["closed_at"].is_string());
  EXPECT_EQ(As(bia_, "GET", "/api/v1/contacts/ghost/conversations").status, 404);
  // With the desk narrowed to teams, an agent sees only the conversations in their sight.
  ASSERT_EQ(Admin("PATCH", "/api/v1/settings", {{"agent_visibility", "teams"}}).status, 200);
  auto narrowed = As(bia_, "GET", "/api/v1/contacts/" + contact + "/conversations");
  EXPECT_EQ(narrowed.json()["items"].size(), 1u) << narrowed.body;
}

TEST_F(ContactsTest, TimelineIsTheWholeHistoryAcrossConversationsAndMerges) {
  ASSERT_EQ(Create(ana_, {{"id", "rui"}, {"name", "Rui"}, {"phone", "+55 11 97777-0001"}}).status,
            201);
  ASSERT_EQ(As(ana_, "PATCH", "/api/v1/contacts/rui", {{"name", "Rui Costa"}}).status, 200);
  const json first = Inbound("wa", "w1", "+5511977770001", "Oi, meu pedido?");
  // Enough events that some land at positions whose 8 key bytes hold a '/' (47, 0x2f).
  for (int i = 0; i < 40; ++i) Inbound("wa", "w1-" + std::to_string(i), "+5511977770001", "e aí?");
  ASSERT_EQ(As(ana_, "POST", "/api/v1/contacts/rui/notes", {{"text", "cliente antigo"}}).status,
            201);
  ASSERT_EQ(Create(ana_, {{"id", "rui2"}, {"name", "R."}, {"phone", "+55 11 97777-0002"}}).status,
            201);
  const json second = Inbound("wa", "w2", "+5511977770002", "Sou o Rui de novo");
  ASSERT_EQ(As(sup_, "POST", "/api/v1/contacts/rui/merge", {{"from", "rui2"}}).status, 200);

  // Every item once, oldest first, pages joined by the cursor.
  std::vector<json> items;
  std::string path = "/api/v1/contacts/rui/timeline?limit=7";
  for (int pages = 0; pages < 20; ++pages) {
    auto page = As(ana_, "GET", path);
    ASSERT_EQ(page.status, 200) << page.body;
    const json body = page.json();  // kept alive: the loop walks into it
    for (const json& item : body["items"]) items.push_back(item);
    if (body["next_cursor"].is_null()) break;
    path = "/api/v1/contacts/rui/timeline?limit=7&cursor=" + body["next_cursor"].get<std::string>();
  }
  std::vector<std::string> seen;
  for (const json& item : items) {
    seen.push_back(item["type"].get<std::string>() + "@" + item["stream"].get<std::string>());
  }
  const std::string conversation = "conversation/" + first["conversation_id"].get<std::string>();
  EXPECT_EQ(std::count(seen.begin(), seen.end(), "MessageReceived@" + conversation), 41)
      << "every message of the conversation, each named by its stream";
  const std::string merged = "conversation/" + second["conversation_id"].get<std::string>();
  const auto index_of = [&](const std::string& what) {
    auto it = std::find(seen.begin(), seen.end(), what);
    EXPECT_NE(it, seen.end()) << what << " missing from " << json(seen).dump();
    return it - seen.begin();
  };
  EXPECT_LT(index_of("ContactCreated@contact/rui"), index_of("ContactUpdated@contact/rui"));
  EXPECT_LT(index_of("ContactUpdated@contact/rui"), index_of("MessageReceived@" + conversation));
  EXPECT_LT(index_of("MessageReceived@" + conversation), index_of("ContactNoteAdded@contact/rui"));
  // The duplicate's history came with it.
  EXPECT_LT(index_of("ContactCreated@contact/rui2"), index_of("MessageReceived@" + merged));
  EXPECT_LT(index_of("MessageReceived@" + merged), index_of("ContactsMerged@contact/rui"));
  std::set<std::string> distinct;
  for (const json& item : items)
    distinct.insert(item["stream"].get<std::string>() + "#" +
                    std::to_string(item["position"].get<int64_t>()));
  EXPECT_EQ(distinct.size(), items.size()) << "an item twice";
  EXPECT_EQ(As(analyst_, "GET", "/api/v1/contacts/rui/timeline").status, 403);
  EXPECT_EQ(As(ana_, "GET", "/api/v1/contacts/ghost/timeline").status, 404);
  EXPECT_EQ(As(ana_, "GET", "/api/v1/contacts/rui/timeline?cursor=zz").status, 400);

  // Erased: the history keeps its shape, its personal data gone.
  const auto erase = Admin("POST", "/api/v1/contacts/rui/erase");
  ASSERT_EQ(erase.status, 200) << erase.body;
  const std::string erased = As(ana_, "GET", "/api/v1/contacts/rui/timeline?limit=200").body;
  EXPECT_EQ(erased.find("meu pedido"), std::string::npos) << erased;
  EXPECT_EQ(erased.find("cliente antigo"), std::string::npos);
  EXPECT_EQ(erased.find("Rui Costa"), std::string::npos);
  EXPECT_NE(erased.find("[erased]"), std::string::npos);
}

TEST_F(ContactsTest, AConversationGetsASubjectATypeAndAnOrderThatStaysCurrent) {
  const json inbound = Inbound("wa", "w1", "+5511966660001", "Quero trocar o tênis");
  const std::string conversation = inbound["conversation_id"];
  const std::string contact = inbound["contact_id"];
  const std::string path = "/api/v1/conversations/" + conversation;
  json order{{"number", "1001"},
             {"kind", "order"},
             {"status", "shipped"},
             {"url", "https://shop.example/o/1001"}};
  ASSERT_EQ(As(ana_, "PUT", "/api/v1/contacts/" + contact + "/orders/shop-1001", order).status,
            201);
  auto edited = As(ana_, "PATCH", path,
                   {{"subject", "Troca"}, {"type", "troca"}, {"order_ref", "shop-1001"}});
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(edited.json()["subject"], "Troca");
  EXPECT_EQ(edited.json()["type"], "troca");
  EXPECT_EQ(edited.json()["order"], (json{{"external_id", "shop-1001"},
                                          {"number", "1001"},
                                          {"kind", "order"},
                                          {"status", "shipped"},
                                          {"url", "https://shop.example/o/1001"}}));
  // The shop's news reach the conversation.
  order["status"] = "delivered";
  ASSERT_EQ(As(ana_, "PUT", "/api/v1/contacts/" + contact + "/orders/shop-1001", order).status,
            200);
  EXPECT_EQ(Conversation(conversation)["order"]["status"], "delivered");
  // An auditor's look at the past shows the link too (the order as the shop has it now).
  const auto as_of = Admin("GET", path + "?as_of=2100-01-01T00:00:00Z");
  ASSERT_EQ(as_of.status, 200) << as_of.body;
  EXPECT_EQ(as_of.json()["order"]["status"], "delivered");
  EXPECT_FALSE(as_of.json().contains("order_ref")) << "internal fields stay internal";
  // The same edit again records nothing; bad ones change nothing.
  const int version = Conversation(conversation)["version"];
  EXPECT_NO_NEW_EVENTS({
    EXPECT_EQ(As(ana_, "PATCH", path, {{"subject", "Troca"}}).status, 200);
    EXPECT_EQ(As(ana_, "PATCH", path, {{"order_ref", "shop-9"}}).status, 400);
    EXPECT_EQ(As(ana_, "PATCH", path, {{"subject", std::string(300, 'x')}}).status, 400);
    EXPECT_EQ(As(ana_, "PATCH", path, {{"subject", 7}}).status, 400);
    EXPECT_EQ(As(ana_, "PATCH", path, {{"priority", "high"}}).status, 400);
    EXPECT_EQ(As(analyst_, "PATCH", path, {{"type", "x"}}).status, 403);
    EXPECT_EQ(As(ana_, "PATCH", path, {{"type", "x"}},
                 {{"If-Match", "\"" + std::to_string(version - 1) + "\""}})
                  .status,
              409);
    EXPECT_EQ(As(ana_, "PATCH", "/api/v1/conversations/nope", {{"type", "x"}}).status, 404);
  });
  // null clears.
  auto cleared = As(ana_, "PATCH", path, {{"order_ref", nullptr}, {"type", nullptr}});
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_EQ(cleared.json()["order"], nullptr);
  EXPECT_EQ(cleared.json()["type"], nullptr);
  EXPECT_EQ(cleared.json()["subject"], "Troca");

  // Its measures: messages both ways, the first response and the resolution.
  EXPECT_EQ(cleared.json()["messages_count"], 1);
  EXPECT_EQ(cleared.json()["first_response_s"], nullptr);
  ASSERT_EQ(Admin("POST", path + "/messages", {{"text", "Claro!"}}).status, 201);
  ASSERT_EQ(Admin("POST", path + "/messages",
                  {{
                       "text",
                       "nota",
                   },
                   {"private", true}})
                .status,
            201);
  ASSERT_EQ(Admin("POST", path + "/close", {{"reason", "resolvido"}}).status, 200);
  const json closed = Conversation(conversation);
  EXPECT_EQ(closed["messages_count"], 2);
  EXPECT_GE(closed["first_response_s"].get<int64_t>(), 0);
  EXPECT_GE(closed["resolution_s"].get<int64_t>(), closed["first_response_s"].get<int64_t>());
  // The subject users gave is the customer's business: erased with them, everywhere.
  const auto erase = Admin("POST", "/api/v1/contacts/" + contact + "/erase");
  ASSERT_EQ(erase.status, 200) << erase.body;
  EXPECT_EQ(Admin("GET", path + "/timeline?limit=200").body.find("Troca"), std::string::npos);
  EXPECT_EQ(Admin("GET", "/api/v1/events?limit=500").body.find("Troca"), std::string::npos);
}

TEST_F(ContactsTest, AnEmailsSubjectNamesItsConversationUntilEdited) {
  CreateChannel("mail", "email");
  const auto send = [&](const std::string& external_id, const std::string& subject) {
    auto r = Admin("POST", "/api/v1/channels/mail/inbound",
                   {{"external_id", external_id},
                    {"from", {{"name", "Rui"}, {"email", "rui@cliente.com"}}},
                    {"subject", subject},
                    {"text", "Olá"}});
    EXPECT_EQ(r.status == 201 || r.status == 200, true) << r.body;
    return r.json();
  };
  const json first = send("e1", "Pedido 1001 atrasado");
  const std::string id = first["conversation_id"];
  EXPECT_EQ(Conversation(id)["subject"], "Pedido 1001 atrasado");
  // A reply in the same conversation keeps the subject; an edit wins.
  EXPECT_EQ(send("e2", "Re: Pedido 1001 atrasado")["conversation_id"], id);
  EXPECT_EQ(Conversation(id)["subject"], "Pedido 1001 atrasado");
  ASSERT_EQ(As(ana_, "PATCH", "/api/v1/conversations/" + id, {{"subject", "Atraso"}}).status, 200);
  EXPECT_EQ(Conversation(id)["subject"], "Atraso");
  // On a WhatsApp channel there is no subject to take.
  auto wa = Admin("POST", "/api/v1/channels/wa/inbound",
                  {{"external_id", "w9"},
                   {"from", {{"phone", "+5511955550000"}}},
                   {"subject", "ignored"},
                   {"text", "oi"}});
  ASSERT_EQ(wa.status, 201) << wa.body;
  EXPECT_EQ(Conversation(wa.json()["conversation_id"])["subject"], nullptr);
  EXPECT_EQ(Admin("POST", "/api/v1/channels/mail/inbound",
                  {{"external_id", "e3"},
                   {"from", {{"email", "x@y.co"}}},
                   {"subject", std::string(300, 's')},
                   {"text", "x"}})
                .status,
            400);
}

TEST_F(ContactsTest, EveryUserListsChannelsWithoutWhatTheyConnectTo) {
  auto connected =
      Admin("PUT", "/api/v1/channels/wa/integration",
            {{"verify_token", "verify-me-please"}, {"app_secret", "s3cr3t-app-secret"}});
  ASSERT_EQ(connected.status, 200) << connected.body;
  auto listed = As(ana_, "GET", "/api/v1/channels");
  ASSERT_EQ(listed.status, 200) << listed.body;
  ASSERT_EQ(listed.json()["items"].size(), 1u);
  EXPECT_EQ(listed.json()["items"][0], json({{"id", "wa"},
                                             {"type", "whatsapp"},
                                             {"name", listed.json()["items"][0]["name"]},
                                             {"address", listed.json()["items"][0]["address"]}}));
  auto one = As(analyst_, "GET", "/api/v1/channels/wa");
  ASSERT_EQ(one.status, 200);
  EXPECT_FALSE(one.json().contains("webhooks"));
  auto admin = Admin("GET", "/api/v1/channels/wa");
  EXPECT_EQ(admin.json()["webhooks"], true);
  for (const auto* body : {&listed.body, &one.body, &admin.body}) {
    EXPECT_EQ(body->find("s3cr3t"), std::string::npos);
  }
  EXPECT_EQ(As(ana_, "GET", "/api/v1/channels/nope").status, 404);
}

}  // namespace
}  // namespace helpdesk::testing
