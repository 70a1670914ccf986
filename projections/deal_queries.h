// Read-side queries of funnels and deals (FunnelProjector's views): funnels, a deal, the deal
// list with its total, a funnel's board now or at a past instant, the funnel report of a period,
// and the deals an owner should close by a day. All thread-safe (RocksDB reads).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/result.h"
#include "domain/time.h"
#include "projections/inbox_query.h"
#include "projections/view_store.h"

namespace helpdesk {

// GET /deals' filters; absent ones do not narrow. A stage is of the funnel named, else of the
// default funnel.
struct DealFilter {
  std::optional<std::string> funnel, stage, owner, contact, status;
};

struct DealPage {
  Page page;
  int64_t total = 0;
};

class DealQueries {
 public:
  explicit DealQueries(const ViewStore& views) : views_(views) {}

  // Every funnel, by id; the default one as built in until an admin redefined it.
  std::vector<nlohmann::json> Funnels() const;
  std::optional<nlohmann::json> Funnel(const std::string& id) const;
  std::optional<nlohmann::json> Deal(const std::string& id) const;

  // Newest first. A page seeks into the narrowest list the filters name and keeps the deals
  // whose list entry passes the others; `total` is the list's counter when it is the only
  // filter, else a count over that list. Errors: invalid_field "cursor".
  Result<DealPage> List(const DealFilter& filter, const std::optional<std::string>& cursor,
                        size_t limit) const;

  // The board of `funnel` (a Funnel() object): per stage in order, its deals, their value, its
  // contacts and the oldest entry; with `as_of`, as it was then.
  nlohmann::json Board(const nlohmann::json& funnel, std::optional<Timestamp> as_of) const;

  // The funnel report over [from, to): per stage entered, moved_on, won, lost, conversion and
  // the median time in stage of the stays that ended in the period; the won value.
  nlohmann::json Report(const nlohmann::json& funnel, Timestamp from, Timestamp to) const;

  // Open deals of `owner_id` whose expected_close_on is `date` ("YYYY-MM-DD") or earlier.
  std::vector<nlohmann::json> DealsToClose(const std::string& owner_id,
                                           const std::string& date) const;

 private:
  const ViewStore& views_;
};

}  // namespace helpdesk
