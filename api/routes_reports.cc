// The reports: GET /api/v1/reports/{peak-hours,shifts,volume,overview,agents,teams,channels,tags}
// with from, to, tz, channel_id, team_id; JSON, or CSV with `Accept: text/csv`.
#include <set>

#include "api/app.h"
#include "api/json_io.h"
#include "api/report_period.h"
#include "domain/report_rules.h"

namespace helpdesk {
namespace {

using nlohmann::json;

// A report's answer in both forms.
struct Rendered {
  json body;
  std::string csv;
};

json Seconds(const LatencyHistogram& h) {
  auto value = [](std::optional<int64_t> v) { return v ? json(*v) : json(nullptr); };
  return {
      {"median", value(h.Quantile(0.5))}, {"p90", value(h.Quantile(0.9))}, {"count", h.Count()}};
}
std::string CsvSeconds(const LatencyHistogram& h) {
  auto value = [](std::optional<int64_t> v) { return v ? std::to_string(*v) : std::string(); };
  return value(h.Quantile(0.5)) + "," + value(h.Quantile(0.9));
}

Rendered PeakHours(const LocalHourCounts& c) {
  Rendered out{{{"buckets", json::array()}}, "hour,received\r\n"};
  for (int hour = 0; hour < 24; ++hour) {
    int64_t received = 0;
    for (int day = 0; day < 7; ++day) received += c.received[day][hour];
    out.body["buckets"].push_back({{"hour", hour}, {"received", received}});
    out.csv += std::to_string(hour) + "," + std::to_string(received) + "\r\n";
  }
  return out;
}

Rendered Shifts(const LocalHourCounts& c) {
  int64_t by_shift[3] = {0, 0, 0};
  for (int day = 0; day < 7; ++day) {
    for (int hour = 0; hour < 24; ++hour) {
      by_shift[static_cast<int>(ShiftOfHour(hour))] += c.received[day][hour];
    }
  }
  Rendered out{json::object(), "shift,received\r\n"};
  for (Shift s : {Shift::kMorning, Shift::kAfternoon, Shift::kNight}) {
    out.body[ShiftName(s)] = by_shift[static_cast<int>(s)];
    out.csv +=
        std::string(ShiftName(s)) + "," + std::to_string(by_shift[static_cast<int>(s)]) + "\r\n";
  }
  return out;
}

Rendered Volume(const LocalHourCounts& c) {
  Rendered out{{{"cells", json::array()}}, "weekday,hour,conversations\r\n"};
  for (int day = 0; day < 7; ++day) {
    for (int hour = 0; hour < 24; ++hour) {
      const int64_t n = c.opened[day][hour];
      out.body["cells"].push_back({{"weekday", day}, {"hour", hour}, {"conversations", n}});
      out.csv +=
          std::to_string(day) + "," + std::to_string(hour) + "," + std::to_string(n) + "\r\n";
    }
  }
  return out;
}

// The overview's fields: of the whole range, or of one team or channel.
json TotalsJson(const ReportTotals& t) {
  return {{"opened", t.opened},
          {"closed", t.closed},
          {"reopened", t.reopened},
          {"received", t.received},
          {"first_response_seconds", Seconds(t.first_response)},
          {"resolution_seconds", Seconds(t.resolution)},
          {"by_close_reason", t.close_reasons}};
}

Rendered Overview(const ReportTotals& t) {
  Rendered out;
  out.body = TotalsJson(t);
  out.csv = "metric,value\r\n";
  auto row = [&](const std::string& metric, const std::string& value) {
    out.csv += CsvField(metric) + "," + value + "\r\n";
  };
  row("opened", std::to_string(t.opened));
  row("closed", std::to_string(t.closed));
  row("reopened", std::to_string(t.reopened));
  row("received", std::to_string(t.received));
  auto quantiles = [&](const std::string& metric, const LatencyHistogram& h) {
    auto median = h.Quantile(0.5), p90 = h.Quantile(0.9);
    row(metric + "_median", median ? std::to_string(*median) : "");
    row(metric + "_p90", p90 ? std::to_string(*p90) : "");
  };
  quantiles("first_response_seconds", t.first_response);
  quantiles("resolution_seconds", t.resolution);
  for (const auto& [reason, n] : t.close_reasons) row("close_reason:" + reason, std::to_string(n));
  return out;
}

Rendered Agents(const Breakdown<AgentTotals>& agents) {
  Rendered out{{{"items", json::array()}, {"next_cursor", nullptr}},
               "user_id,assigned,closed,replies,first_response_median_seconds,"
               "first_response_p90_seconds\r\n"};
  for (const auto& [id, a] : agents) {
    out.body["items"].push_back({{"user_id", id},
                                 {"assigned", a.assigned},
                                 {"closed", a.closed},
                                 {"replies", a.replies},
                                 {"first_response_seconds", Seconds(a.first_response)}});
    out.csv += CsvField(id) + "," + std::to_string(a.assigned) + "," + std::to_string(a.closed) +
               "," + std::to_string(a.replies) + "," + CsvSeconds(a.first_response) + "\r\n";
  }
  return out;
}

// Teams and channels: the overview of each.
Rendered PerGroup(const Breakdown<ReportTotals>& groups, const std::string& id_field) {
  Rendered out{
      {{"items", json::array()}, {"next_cursor", nullptr}},
      id_field +
          ",received,opened,closed,reopened,first_response_median_seconds,"
          "first_response_p90_seconds,resolution_median_seconds,resolution_p90_seconds\r\n"};
  for (const auto& [id, t] : groups) {
    json item = TotalsJson(t);
    item[id_field] = id;
    out.body["items"].push_back(std::move(item));
    out.csv += CsvField(id) + "," + std::to_string(t.received) + "," + std::to_string(t.opened) +
               "," + std::to_string(t.closed) + "," + std::to_string(t.reopened) + "," +
               CsvSeconds(t.first_response) + "," + CsvSeconds(t.resolution) + "\r\n";
  }
  return out;
}

Rendered Tags(const Breakdown<TagTotals>& tags) {
  Rendered out{{{"items", json::array()}, {"next_cursor", nullptr}}, "tag,tagged,closed\r\n"};
  for (const auto& [tag, t] : tags) {
    out.body["items"].push_back({{"tag", tag}, {"tagged", t.tagged}, {"closed", t.closed}});
    out.csv +=
        CsvField(tag) + "," + std::to_string(t.tagged) + "," + std::to_string(t.closed) + "\r\n";
  }
  return out;
}

bool WantsCsv(const HttpRequest& r) {
  return r.Header("accept").find("text/csv") != std::string::npos;
}

}  // namespace

std::optional<HttpResponse> App::RouteReports(const HttpRequest& r, const Caller& caller) {
  const auto& p = r.path;
  if (p.size() != 4 || p[2] != "reports") return std::nullopt;
  const std::string& name = p[3];
  static const std::set<std::string> kReports = {"peak-hours", "shifts", "volume",   "overview",
                                                 "agents",     "teams",  "channels", "tags"};
  if (!kReports.count(name)) return ErrorResponse(NotFound("report " + name));
  if (r.method != "GET") return ErrorResponse(Error{ErrorCode::kNotFound, "no such route"});
  if (!CanReadReports(caller.role) || !caller.channel_id.empty()) {
    return ErrorResponse(Forbidden("only an admin, a supervisor or an analyst can read reports"));
  }

  auto period = ReadReportPeriod(r, clock_.Now());
  if (!period.ok()) return ErrorResponse(period.error());
  const TimeZone& zone = period.value().zone;
  ReportRange range{period.value().from, period.value().to, {}};
  if (auto channel = QueryParam(r, "channel_id")) {
    if (!queries_.Channel(*channel)) return ErrorResponse(NotFound("channel " + *channel));
    range.dimension.channel_id = channel;
  }
  if (auto team = QueryParam(r, "team_id")) {
    if (!queries_.Team(*team)) return ErrorResponse(NotFound("team " + *team));
    range.dimension.team_id = team;
  }

  Rendered rendered;
  if (name == "peak-hours") {
    rendered = PeakHours(reports_.ByLocalHour(range, zone));
  } else if (name == "shifts") {
    rendered = Shifts(reports_.ByLocalHour(range, zone));
  } else if (name == "volume") {
    rendered = Volume(reports_.ByLocalHour(range, zone));
  } else if (name == "overview") {
    rendered = Overview(reports_.Totals(range));
  } else if (name == "agents") {
    rendered = Agents(reports_.Agents(range));
  } else if (name == "teams") {
    rendered = PerGroup(reports_.Teams(range), "team_id");
  } else if (name == "channels") {
    rendered = PerGroup(reports_.Channels(range), "channel_id");
  } else {
    rendered = Tags(reports_.Tags(range));
  }

  if (WantsCsv(r)) {
    HttpResponse response;
    response.content_type = "text/csv; charset=utf-8";
    response.body = std::move(rendered.csv);
    response.headers["Content-Disposition"] = "attachment; filename=\"" + name + ".csv\"";
    return response;
  }
  rendered.body["from"] = FormatRfc3339(range.from);
  rendered.body["to"] = FormatRfc3339(range.to);
  rendered.body["tz"] = zone.name();
  // While a new definition's rebuild runs, the cells are still the old one's: said as it is.
  const int definition = reports_.DefinitionVersion();
  rendered.body["definition_version"] = definition;
  rendered.body["rebuilding"] = definition != kReportDefinitionVersion;
  return JsonResponse(200, rendered.body);
}

}  // namespace helpdesk
