// What a client can read from a server, for comparing servers (a node with its peers, views
// with a rebuild) and for checking the log.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "tests/support/server_process.h"

namespace helpdesk::testing {

// Everything a client can read (conversations, their messages and timelines, the summary,
// users, teams) as one JSON value, without what depends on the time of the read.
nlohmann::json Snapshot(const ServerProcess& server);

// The whole event feed, in log order.
std::vector<nlohmann::json> AllEvents(const ServerProcess& server);

}  // namespace helpdesk::testing
