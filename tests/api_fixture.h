// Shared set-up for API tests: a real server on a temp folder, and helpers that speak the
// contract's HTTP to it.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/server_process.h"
#include "tests/support/snapshot.h"

namespace helpdesk::testing {

using nlohmann::json;

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_.path() + "/data");
    ASSERT_TRUE(server_->Start()) << "helpdeskd did not start";
  }
  void TearDown() override { server_.reset(); }

  ServerProcess& server() { return *server_; }

  HttpReply Admin(const std::string& method, const std::string& path, const json& body = nullptr,
                  std::map<std::string, std::string> headers = {}) {
    return server_->Admin(method, path, body.is_null() ? "" : body.dump(), std::move(headers));
  }
  HttpReply As(const std::string& token, const std::string& method, const std::string& path,
               const json& body = nullptr, std::map<std::string, std::string> headers = {}) {
    return server_->As(token, method, path, body.is_null() ? "" : body.dump(), std::move(headers));
  }

  // Creates a user and returns their token.
  std::string CreateUser(const std::string& id, const std::string& role = "agent",
                         const json& teams = json::array()) {
    auto r = Admin("POST", "/api/v1/users",
                   {{"id", id},
                    {"name", id + " Name"},
                    {"email", id + "@example.com"},
                    {"role", role},
                    {"teams", teams}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("token", "");
  }
  // The desk most suites start from: team t1, WhatsApp channel "wa" and agent "ana" in t1.
  // Returns ana's token.
  std::string CreateDeskWithAgentAna() {
    CreateTeam("t1");
    CreateChannel("wa");
    return CreateUser("ana", "agent", json::array({"t1"}));
  }
  void CreateTeam(const std::string& id) {
    auto r = Admin("POST", "/api/v1/teams", {{"id", id}, {"name", "Team " + id}});
    EXPECT_EQ(r.status, 201) << r.body;
  }
  void CreateChannel(const std::string& id, const std::string& type = "whatsapp") {
    auto r = Admin("POST", "/api/v1/channels",
                   {{"id", id}, {"type", type}, {"name", id}, {"address", "+5511000"}});
    EXPECT_EQ(r.status, 201) << r.body;
  }
  // A customer message; returns the inbound answer.
  json Inbound(const std::string& channel, const std::string& external_id, const std::string& phone,
               const std::string& text = "hello", const std::string& name = "Customer",
               const std::string& sent_at = "") {
    json body{
        {"external_id", external_id}, {"from", {{"name", name}, {"phone", phone}}}, {"text", text}};
    if (!sent_at.empty()) body["sent_at"] = sent_at;
    auto r = Admin("POST", "/api/v1/channels/" + channel + "/inbound", body);
    EXPECT_TRUE(r.status == 201 || r.status == 200) << r.body;
    return r.json();
  }
  json Conversation(const std::string& id) {
    return Admin("GET", "/api/v1/conversations/" + id).json();
  }
  // Ids of a list answer, in order.
  static std::vector<std::string> Ids(const HttpReply& r) {
    std::vector<std::string> ids;
    const json body = r.json();  // keep it alive: the loop walks into it
    for (const auto& item : body["items"]) ids.push_back(item["id"]);
    return ids;
  }
  // How many events the log holds (via the feed).
  size_t EventCount() { return AllEvents(server()).size(); }

  // Stops the server (the embedded log has one owner at a time), exports its log as NDJSON and
  // feeds it to `python3 <repo>/docs/examples/<script_and_args>`: the script's output (a test
  // failure, and "", if either step fails).
  std::string RunExampleOnExport(const std::string& script_and_args) {
    server().Stop();
    std::vector<std::string> args{"export-events", "--data", server().data_dir()};
    for (const auto& a : server().LogArgs()) args.push_back(a);
    std::string ndjson;
    if (RunHelpdeskd(args, &ndjson) != 0) {
      ADD_FAILURE() << "export-events failed";
      return "";
    }
    const std::string file = dir_.path() + "/events.ndjson";
    std::ofstream(file) << ndjson;
    const std::string command =
        "/usr/bin/python3 " HELPDESK_SOURCE_DIR "/docs/examples/" + script_and_args + " < " + file;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) {
      ADD_FAILURE() << "cannot run " << command;
      return "";
    }
    std::string out;
    char buffer[4096];
    for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
    if (pclose(pipe) != 0) {
      ADD_FAILURE() << command << ": " << out;
      return "";
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

// Asserts that `action` leaves the log exactly as it was.
#define EXPECT_NO_NEW_EVENTS(action)             \
  do {                                           \
    const size_t before_ = EventCount();         \
    action;                                      \
    EXPECT_EQ(EventCount(), before_) << #action; \
  } while (0)

}  // namespace helpdesk::testing
