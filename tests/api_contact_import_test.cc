// Contacts imported from a CSV file over HTTP against the real binary: rows matched by phone,
// then e-mail, created or updated, bad rows reported and skipped, the same file twice creating
// nothing, and files refused whole before anything is recorded.
#include <chrono>
#include <thread>

#include "tests/api_fixture.h"

namespace helpdesk::testing {
namespace {

class ContactImportTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ana_ = CreateDeskWithAgentAna();
    sup_ = CreateUser("sup", "supervisor");
    ASSERT_EQ(
        Admin(
            "POST", "/api/v1/contact-attributes",
            {{"key", "plan"}, {"label", "Plano"}, {"type", "list"}, {"options", {"ouro", "prata"}}})
            .status,
        201);
  }
  HttpReply Post(const std::string& token, const std::string& csv, const std::string& query = "") {
    return server().As(token, "POST", "/api/v1/contacts/import" + query, csv,
                       {{"Content-Type", "text/csv; charset=utf-8"}});
  }
  // Posts the file and waits for its import to end: the import resource.
  json Import(const std::string& csv, const std::string& query = "") {
    auto started = Post(sup_, csv, query);
    EXPECT_EQ(started.status, 202) << started.body;
    const std::string id = started.json().value("import_id", "");
    EXPECT_EQ(started.headers["location"], "/api/v1/contacts/imports/" + id);
    for (int i = 0; i < 200; ++i) {
      auto progress = As(sup_, "GET", "/api/v1/contacts/imports/" + id);
      EXPECT_EQ(progress.status, 200) << progress.body;
      if (progress.json()["status"] != "running") return progress.json();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "import " << id << " still running";
    return json();
  }
  json Contact(const std::string& id) { return Admin("GET", "/api/v1/contacts/" + id).json(); }
  std::string ana_, sup_;
};

constexpr char kFile[] =
    "name,phone,email,owner,tags,stage,attr.plan\r\n"
    "Rui Costa,5511988887777,,,vip,,ouro\r\n"                        // 1: Rui, by his phone
    "Bia Souza,,bia@cliente.com,ana@example.com,b2b,qualified,\r\n"  // 2: new, owner by e-mail
    "Bad Phone,no phone,,,,,\r\n"                                    // 3: not a phone
    "Only A Name,,,,,,\r\n"                      // 4: new, found again by file and row
    "Ghost Owner,5511900000001,,nobody,,,\r\n"   // 5: no such user
    "Short,row\r\n"                              // 6: cells missing
    "Wrong Plan,5511900000002,,,,,diamante\r\n"  // 7: not an option
    "Caio Lima,5511900000003,caio@cliente.com,ana,,,prata\r\n"  // 8: new, owner by id
    ",,,,,,\r\n";                                               // 9: blank

TEST_F(ContactImportTest, RowsAreMatchedCreatedUpdatedOrReported) {
  ASSERT_EQ(
      Admin("POST", "/api/v1/contacts",
            {{"id", "rui"}, {"name", "Rui"}, {"phone", "+55 11 98888-7777"}, {"tags", {"old"}}})
          .status,
      201);
  const json done = Import(kFile);
  EXPECT_EQ(done["status"], "done") << done.dump();
  EXPECT_EQ(done["mode"], "upsert");
  EXPECT_EQ(done["rows"], 9);
  EXPECT_EQ(done["rows_done"], 9);
  EXPECT_EQ(done["created"], 3) << done.dump();
  EXPECT_EQ(done["updated"], 1);
  EXPECT_EQ(done["unchanged"], 0);
  EXPECT_EQ(done["skipped"], 5);
  ASSERT_EQ(done["errors"].size(), 4u) << done.dump();
  EXPECT_EQ(done["errors"][0]["row"], 3);
  EXPECT_EQ(done["errors"][0]["field"], "phone");
  EXPECT_EQ(done["errors"][1]["row"], 5);
  EXPECT_EQ(done["errors"][1]["field"], "owner");
  EXPECT_EQ(done["errors"][2]["row"], 6);
  EXPECT_EQ(done["errors"][2]["field"], "row");
  EXPECT_EQ(done["errors"][3]["row"], 7);
  EXPECT_EQ(done["errors"][3]["field"], "attributes.plan");

  // Rui was found by his phone in another spelling: his name, tag and plan set, tags added.
  const json rui = Contact("rui");
  EXPECT_EQ(rui["name"], "Rui Costa");
  EXPECT_EQ(rui["tags"], json::array({"old", "vip"}));
  EXPECT_EQ(rui["attributes"]["plan"], "ouro");
  // Bia is new, in ana's portfolio (named by e-mail), at her stage.
  auto bias = Admin("GET", "/api/v1/contacts?q=bia@cliente.com");
  ASSERT_EQ(bias.json()["items"].size(), 1u) << bias.body;
  const json bia = bias.json()["items"][0];
  EXPECT_EQ(bia["owner_id"], "ana");
  EXPECT_EQ(bia["tags"], json::array({"b2b"}));
  EXPECT_EQ(Admin("GET", "/api/v1/contacts?owner=ana").json()["total"], 2);
  EXPECT_EQ(Admin("GET", "/api/v1/contacts").json()["total"], 4);

  // The same file again creates nothing; every good row finds its contact unchanged.
  const json again = Import(kFile);
  EXPECT_EQ(again["status"], "done");
  EXPECT_EQ(again["created"], 0) << again.dump();
  EXPECT_EQ(again["updated"], 0);
  EXPECT_EQ(again["unchanged"], 4);
  EXPECT_EQ(Admin("GET", "/api/v1/contacts").json()["total"], 4);

  // create_only leaves the contacts it finds as they are.
  const json only =
      Import("name,phone\nRui Renamed,5511988887777\nNew One,5511900000009\n", "?mode=create_only");
  EXPECT_EQ(only["created"], 1) << only.dump();
  EXPECT_EQ(only["skipped"], 1);
  EXPECT_EQ(Contact("rui")["name"], "Rui Costa");
}

// An export imports back unchanged: cells guarded against formulas read as their values, and a
// whole number compares as the API's does.
TEST_F(ContactImportTest, AnExportImportsBackUnchanged) {
  ASSERT_EQ(Admin("POST", "/api/v1/contact-attributes",
                  {{"key", "seats"}, {"label", "Seats"}, {"type", "number"}})
                .status,
            201);
  ASSERT_EQ(Admin("POST", "/api/v1/contacts",
                  {{"id", "f1"},
                   {"name", "=SUM(1)"},
                   {"email", "f1@x.co"},
                   {"tags", {"-x", "vip"}},
                   {"attributes", {{"seats", -5}}}})
                .status,
            201);
  const json before = Contact("f1");
  auto exported = As(sup_, "GET", "/api/v1/contacts/export.csv");
  ASSERT_EQ(exported.status, 200) << exported.body;
  ASSERT_NE(exported.body.find("'=SUM(1)"), std::string::npos) << exported.body;
  const json back = Import(exported.body);
  EXPECT_EQ(back["status"], "done") << back.dump();
  EXPECT_EQ(back["errors"], json::array()) << back.dump();
  EXPECT_EQ(back["updated"], 0) << back.dump();
  EXPECT_EQ(back["unchanged"], 1) << back.dump();
  EXPECT_EQ(Contact("f1"), before);

  // A whole number from a file filters like the same number given by the API.
  const json seats = Import("name,email,attr.seats\nVia CSV,csv12@x.co,12\n");
  EXPECT_EQ(seats["created"], 1) << seats.dump();
  ASSERT_EQ(
      Admin("POST", "/api/v1/contacts", {{"name", "Via API"}, {"attributes", {{"seats", 12}}}})
          .status,
      201);
  EXPECT_EQ(Admin("GET", "/api/v1/contacts?attr.seats=12").json()["total"], 2);
}

// Several batches, each decided while the one before becomes durable: a row of a later batch
// finds the contact an earlier batch made, and the counts and errors add up across them.
TEST_F(ContactImportTest, BatchesDecidedOneAfterAnotherAddUp) {
  std::string csv = "name,phone,email\n";
  const int rows = 1234;  // 3 batches of 500 (ContactImporter::kBatchRows), the last short
  for (int i = 1; i <= rows; ++i) {
    if (i == 777) {
      csv += "Bad Phone,no phone,\n";
    } else if (i == 1200) {
      csv += "Same As Row Three,5511970000003,\n";  // row 3's phone, two batches later
    } else {
      csv += "Cliente " + std::to_string(i) + ",5511970" + std::to_string(1000000 + i).substr(1) +
             ",c" + std::to_string(i) + "@example.com\n";
    }
  }
  const json done = Import(csv);
  EXPECT_EQ(done["status"], "done") << done.dump();
  EXPECT_EQ(done["rows_done"], rows);
  EXPECT_EQ(done["created"], rows - 2) << done.dump();
  EXPECT_EQ(done["updated"], 1);
  EXPECT_EQ(done["skipped"], 1);
  ASSERT_EQ(done["errors"].size(), 1u) << done.dump();
  EXPECT_EQ(done["errors"][0]["row"], 777);
  EXPECT_EQ(Admin("GET", "/api/v1/contacts").json()["total"], rows - 2);
  auto three = Admin("GET", "/api/v1/contacts?q=5511970000003").json();
  ASSERT_EQ(three["items"].size(), 1u) << three.dump();
  EXPECT_EQ(three["items"][0]["name"], "Same As Row Three");
  EXPECT_EQ(three["items"][0]["email"], "c3@example.com");
}

TEST_F(ContactImportTest, BrokenFilesAndWrongCallersChangeNothing) {
  EXPECT_NO_NEW_EVENTS({
    EXPECT_EQ(Post(ana_, kFile).status, 403);
    EXPECT_EQ(Post(sup_, "name\n\"never ends\n").status, 400);
    EXPECT_EQ(Post(sup_, "name\nRui\xC3\x28\n").status, 400);
    EXPECT_EQ(Post(sup_, "name,nickname\nRui,R\n").status, 400);
    EXPECT_EQ(Post(sup_, "name,attr.cpf\nRui,1\n").status, 400);
    EXPECT_EQ(Post(sup_, "").status, 400);
    EXPECT_EQ(Post(sup_, kFile, "?mode=replace").status, 400);
    EXPECT_EQ(server().As(sup_, "POST", "/api/v1/contacts/import", "{\"name\":\"Rui\"}").status,
              400);  // JSON, not CSV
    std::string wide = "name";
    for (int i = 0; i < 1000; ++i) wide += ",c";
    auto too_wide = Post(sup_, wide + "\n");
    EXPECT_EQ(too_wide.status, 400);
    EXPECT_NE(too_wide.body.find("line 1"), std::string::npos) << too_wide.body;
    // Past the file limit: refused before the body is read.
    EXPECT_EQ(Post(sup_, "name\n" + std::string(17 << 20, 'a')).status, 413);
    EXPECT_EQ(As(ana_, "GET", "/api/v1/contacts/imports/x").status, 403);
    EXPECT_EQ(As(sup_, "GET", "/api/v1/contacts/imports/nope").status, 404);
  });
}

}  // namespace
}  // namespace helpdesk::testing
