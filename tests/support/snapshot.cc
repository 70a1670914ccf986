#include "tests/support/snapshot.h"

#include <gtest/gtest.h>

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

}  // namespace

json Snapshot(const ServerProcess& server) {
  json out = json::object();
  std::vector<std::string> ids;
  for (const char* view : {"all", "closed"}) {
    std::string cursor;
    json items = json::array();
    do {
      auto r =
          server.Admin("GET", std::string("/api/v1/conversations?limit=500&sort=oldest&view=") +
                                  view + (cursor.empty() ? "" : "&cursor=" + cursor));
      EXPECT_EQ(r.status, 200);
      json page = r.json();
      for (auto& c : page["items"]) {
        ids.push_back(c["id"]);
        items.push_back(c);
      }
      cursor = page["next_cursor"].is_null() ? "" : page["next_cursor"].get<std::string>();
    } while (!cursor.empty());
    out[view] = items;
  }
  for (const auto& id : ids) {
    out["messages/" + id] =
        server.Admin("GET", "/api/v1/conversations/" + id + "/messages?limit=500").json();
    out["timeline/" + id] =
        server.Admin("GET", "/api/v1/conversations/" + id + "/timeline?limit=500").json();
  }
  out["summary"] = server.Admin("GET", "/api/v1/inbox/summary").json();
  out["users"] = server.Admin("GET", "/api/v1/users?limit=500").json();
  out["teams"] = server.Admin("GET", "/api/v1/teams?limit=500").json();
  return Strip(out);
}

std::vector<json> AllEvents(const ServerProcess& server) {
  std::vector<json> events;
  std::string path = "/api/v1/events?limit=500";
  for (;;) {
    json page = server.Admin("GET", path).json();
    for (auto& e : page["items"]) events.push_back(e);
    if (page["next_cursor"].is_null()) return events;
    path = "/api/v1/events?limit=500&after=" + page["next_cursor"].get<std::string>();
  }
}

}  // namespace helpdesk::testing
