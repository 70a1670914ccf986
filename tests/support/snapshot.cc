#include "tests/support/snapshot.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace helpdesk::testing {
namespace {

using nlohmann::json;

json Strip(json j) {
  // The thermometer depends on the time of the read, nothing else does.
  if (j.is_object()) {
    j.erase("thermometer");
    for (auto& [k, v] : j.items()) v = Strip(v);
  } else if (j.is_array()) {
    for (auto& v : j) v = Strip(v);
  }
  return j;
}

// One read, sent again while it fails the way a loaded machine makes reads fail (no answer in
// time, a 503 while a remote log is slow): the page, or a failure naming what the server said.
json Read(const ServerProcess& server, const std::string& path) {
  HttpReply r;
  for (int attempt = 0; attempt < 5; ++attempt) {
    r = server.Admin("GET", path);
    if (r.status == 200 || (r.status != 0 && r.status != 503)) break;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  json page = r.json();
  if (r.status != 200 || !page.is_object()) {
    ADD_FAILURE() << "GET " << path << " answered " << r.status << ": " << r.body;
    return json::object();
  }
  return page;
}

}  // namespace

json Snapshot(const ServerProcess& server) {
  json out = json::object();
  std::vector<std::string> ids;
  for (const char* view : {"all", "closed"}) {
    std::string cursor;
    json items = json::array();
    do {
      json page = Read(server, std::string("/api/v1/conversations?limit=500&sort=oldest&view=") +
                                   view + (cursor.empty() ? "" : "&cursor=" + cursor));
      for (auto& c : page["items"]) {
        ids.push_back(c["id"]);
        items.push_back(c);
      }
      cursor = page["next_cursor"].is_string() ? page["next_cursor"].get<std::string>() : "";
    } while (!cursor.empty());
    out[view] = items;
  }
  for (const auto& id : ids) {
    out["messages/" + id] = Read(server, "/api/v1/conversations/" + id + "/messages?limit=500");
    out["timeline/" + id] = Read(server, "/api/v1/conversations/" + id + "/timeline?limit=500");
  }
  out["summary"] = Read(server, "/api/v1/inbox/summary");
  out["users"] = Read(server, "/api/v1/users?limit=500");
  out["teams"] = Read(server, "/api/v1/teams?limit=500");
  return Strip(out);
}

std::vector<json> AllEvents(const ServerProcess& server) {
  std::vector<json> events;
  std::string path = "/api/v1/events?limit=500";
  for (;;) {
    json page = Read(server, path);
    for (auto& e : page["items"]) events.push_back(e);
    if (!page["next_cursor"].is_string()) return events;
    path = "/api/v1/events?limit=500&after=" + page["next_cursor"].get<std::string>();
  }
}

}  // namespace helpdesk::testing
