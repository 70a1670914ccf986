// Attachments and audio over HTTP against the real binary: upload (content-addressed, at most
// 20 MB), download, and messages, notes and inbound messages that reference uploads.
#include <openssl/sha.h>

#include <cstdio>

#include "tests/api_fixture.h"

namespace helpdesk::testing {
namespace {

std::string Sha256Of(const std::string& bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  std::string hex;
  char buf[3];
  for (unsigned char b : digest) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    hex += buf;
  }
  return hex;
}

class AttachmentsTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ana_ = CreateDeskWithAgentAna();
    analyst_ = CreateUser("ann", "analyst");
    auto in = Inbound("wa", "m1", "+5511911110000", "hi, a photo follows");
    conversation_ = in.value("conversation_id", "");
    ASSERT_EQ(As(ana_, "POST", "/api/v1/conversations/" + conversation_ + "/take").status, 200);
  }
  HttpReply Upload(const std::string& token, const std::string& bytes,
                   const std::string& content_type, const std::string& name) {
    return As(token, "POST", "/api/v1/attachments?name=" + name, "",
              {{"Content-Type", content_type}}, bytes);
  }
  HttpReply As(const std::string& token, const std::string& method, const std::string& path,
               const json& body = nullptr, std::map<std::string, std::string> headers = {},
               const std::string& raw = "") {
    if (!raw.empty()) return server().As(token, method, path, raw, std::move(headers));
    return ApiTest::As(token, method, path, body, std::move(headers));
  }
  std::string Messages() { return "/api/v1/conversations/" + conversation_ + "/messages"; }

  std::string ana_, analyst_, conversation_;
};

// Bytes no text protocol would survive: NULs, high bytes, CR LF.
std::string BinaryBytes(size_t n) {
  std::string bytes(n, '\0');
  for (size_t i = 0; i < n; ++i) bytes[i] = static_cast<char>((i * 131 + 7) % 256);
  return bytes;
}

TEST_F(AttachmentsTest, AnUploadIsStoredByItsHashAndDownloadedByteForByte) {
  const std::string bytes = BinaryBytes(300000);
  auto up = Upload(ana_, bytes, "image/png", "foto%20da%20nota.png");
  ASSERT_EQ(up.status, 201) << up.body;
  const json ref = up.json();
  EXPECT_EQ(ref["sha256"], Sha256Of(bytes));
  EXPECT_EQ(ref["size"], bytes.size());
  EXPECT_EQ(ref["kind"], "image");
  EXPECT_EQ(ref["name"], "foto da nota.png");
  EXPECT_EQ(up.headers["location"], "/api/v1/attachments/" + Sha256Of(bytes));

  auto down = As(ana_, "GET", "/api/v1/attachments/" + Sha256Of(bytes));
  ASSERT_EQ(down.status, 200);
  EXPECT_EQ(down.body, bytes);
  EXPECT_EQ(down.headers["content-type"], "image/png");
  EXPECT_NE(down.headers["content-disposition"].find("foto%20da%20nota.png"), std::string::npos);

  // The same bytes again: one copy, the same address.
  auto again = Upload(ana_, bytes, "image/png", "other.png");
  EXPECT_EQ(again.status, 201);  // never telling whether the file was there before
  EXPECT_EQ(again.json()["sha256"], ref["sha256"]);

  auto meta = As(ana_, "GET", "/api/v1/attachments/" + Sha256Of(bytes) + "?meta=1");
  EXPECT_EQ(meta.status, 200);
  EXPECT_EQ(meta.json()["content_type"], "image/png");
  // Files belong to conversations: who cannot read those cannot read them.
  EXPECT_EQ(As(analyst_, "GET", "/api/v1/attachments/" + Sha256Of(bytes)).status, 403);
}

TEST_F(AttachmentsTest, TwentyMegabytesIsTheLimit) {
  const std::string at_limit = BinaryBytes(20 * 1024 * 1024);
  EXPECT_EQ(Upload(ana_, at_limit, "audio/ogg", "long.ogg").status, 201);
  const std::string over = at_limit + "x";
  auto refused = Upload(ana_, over, "audio/ogg", "longer.ogg");
  EXPECT_EQ(refused.status, 413);
  EXPECT_EQ(refused.error_code(), "too_large");
  EXPECT_EQ(As(ana_, "GET", "/api/v1/attachments/" + Sha256Of(over)).status, 404);
  // Other routes keep their 1 MB limit.
  auto big_json = As(ana_, "POST", Messages(), json{{"text", std::string(2 << 20, 'a')}});
  EXPECT_EQ(big_json.status, 413);
}

TEST_F(AttachmentsTest, BadUploadsAreRefusedAndStoreNothing) {
  EXPECT_EQ(Upload(ana_, "x", "", "a.txt").status, 400);  // no content type
  EXPECT_EQ(Upload(ana_, "x", "nonsense", "a.txt").error_code(), "invalid_field");
  EXPECT_EQ(Upload(ana_, "x", "text/plain", "..%2Fetc%2Fpasswd").error_code(), "invalid_field");
  EXPECT_EQ(
      As(ana_, "POST", "/api/v1/attachments?name=a.txt", nullptr, {{"Content-Type", "text/plain"}})
          .status,
      400);  // no bytes
  EXPECT_EQ(Upload(analyst_, "x", "text/plain", "a.txt").status, 403);
  EXPECT_EQ(As(ana_, "GET", "/api/v1/attachments/" + Sha256Of("x")).status, 404);
  EXPECT_EQ(As(ana_, "GET", "/api/v1/attachments/..%2F..%2Fetc").status, 404);
  EXPECT_EQ(ApiTest::As("not-a-token", "GET", "/api/v1/attachments/" + Sha256Of("x")).status, 401);
}

TEST_F(AttachmentsTest, MessagesAndNotesCarryReferencesToUploads) {
  const std::string photo = BinaryBytes(1000);
  const std::string voice = BinaryBytes(2000);
  ASSERT_EQ(Upload(ana_, photo, "image/jpeg", "photo.jpg").status, 201);
  ASSERT_EQ(Upload(ana_, voice, "audio/ogg; codecs=opus", "voice.ogg").status, 201);

  // A photo without words.
  auto sent = As(ana_, "POST", Messages(), json{{"attachments", {Sha256Of(photo)}}});
  ASSERT_EQ(sent.status, 201) << sent.body;
  EXPECT_EQ(sent.json()["attachments"][0]["kind"], "image");
  EXPECT_EQ(sent.json()["attachments"][0]["name"], "photo.jpg");
  // A voice note in an internal note, renamed.
  auto note = As(ana_, "POST", Messages(),
                 json{{"text", "listen to this"},
                      {"private", true},
                      {"attachments", {{{"sha256", Sha256Of(voice)}, {"name", "cliente.ogg"}}}}});
  ASSERT_EQ(note.status, 201) << note.body;

  const json messages = As(ana_, "GET", Messages()).json();
  const json& items = messages["items"];
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[1]["attachments"][0]["sha256"], Sha256Of(photo));
  EXPECT_EQ(items[1]["attachments"][0]["size"], 1000);
  EXPECT_EQ(items[1]["text"], "");
  EXPECT_EQ(items[2]["attachments"][0]["kind"], "audio");
  EXPECT_EQ(items[2]["attachments"][0]["name"], "cliente.ogg");
  EXPECT_EQ(items[2]["attachments"][0]["content_type"], "audio/ogg; codecs=opus");

  // The event records the reference, never the bytes.
  auto feed = As(analyst_, "GET", "/api/v1/events?type=MessageSent").json();
  ASSERT_EQ(feed["items"].size(), 1u);
  EXPECT_EQ(feed["items"][0]["data"]["attachments"][0]["sha256"], Sha256Of(photo));
}

TEST_F(AttachmentsTest, AMessageNamingAnUnknownOrMalformedAttachmentChangesNothing) {
  const std::string unknown = Sha256Of("never uploaded");
  EXPECT_NO_NEW_EVENTS({
    auto r = As(ana_, "POST", Messages(), json{{"text", "see"}, {"attachments", {unknown}}});
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.error_code(), "not_found");
    EXPECT_EQ(As(ana_, "POST", Messages(), json{{"attachments", {"nope"}}}).error_code(),
              "invalid_field");
    EXPECT_EQ(As(ana_, "POST", Messages(), json{{"attachments", {42}}}).error_code(),
              "invalid_field");
    EXPECT_EQ(As(ana_, "POST", Messages(), json{{"attachments", "x"}}).status, 400);
    EXPECT_EQ(As(ana_, "POST", Messages(), json{{"attachments", json::array()}}).status, 400);
    json eleven = json::array();
    for (int i = 0; i < 11; ++i) eleven.push_back(unknown);
    EXPECT_EQ(As(ana_, "POST", Messages(), json{{"attachments", eleven}}).error_code(),
              "invalid_field");
  });
}

// A role that cannot post learns nothing about which files are stored: stored or not, 403.
TEST_F(AttachmentsTest, ARoleThatCannotPostLearnsNothingAboutUploads) {
  const std::string stored =
      Upload(ana_, "photo bytes", "image/png", "p.png").json().value("sha256", "");
  EXPECT_NO_NEW_EVENTS({
    for (const std::string& sha : {stored, Sha256Of("never uploaded")}) {
      auto r = As(analyst_, "POST", Messages(), json{{"text", "x"}, {"attachments", {sha}}});
      EXPECT_EQ(r.status, 403) << r.body;
    }
  });
}

TEST_F(AttachmentsTest, AChannelUploadsItsCustomersMediaAndReferencesIt) {
  auto channel = Admin("POST", "/api/v1/channels",
                       {{"id", "web"}, {"type", "webchat"}, {"name", "Site"}, {"address", "site"}});
  ASSERT_EQ(channel.status, 201);
  const std::string channel_token = channel.json().value("token", "");
  const std::string audio = BinaryBytes(5000);
  ASSERT_EQ(Upload(channel_token, audio, "audio/mpeg", "audio.mp3").status, 201);
  json body{{"external_id", "w1"},
            {"from", {{"name", "Rita"}, {"email", "rita@example.com"}}},
            {"attachments", {Sha256Of(audio), {{"url", "https://cdn.example/x.pdf"}}}}};
  auto in = ApiTest::As(channel_token, "POST", "/api/v1/channels/web/inbound", body);
  ASSERT_EQ(in.status, 201) << in.body;
  const json messages =
      Admin("GET", "/api/v1/conversations/" + in.json().value("conversation_id", "") + "/messages")
          .json();
  const json& attachments = messages["items"][0]["attachments"];
  ASSERT_EQ(attachments.size(), 2u);
  EXPECT_EQ(attachments[0]["kind"], "audio");
  EXPECT_EQ(attachments[0]["size"], 5000);
  EXPECT_EQ(attachments[1]["url"], "https://cdn.example/x.pdf");  // a channel's own link, kept
}

}  // namespace
}  // namespace helpdesk::testing
