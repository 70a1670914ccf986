#include "adapters/metrics.h"

#include <cmath>
#include <cstdio>

namespace helpdesk {

void DurationHistogram::Record(std::chrono::nanoseconds elapsed) {
  const int64_t ns = std::max<int64_t>(0, elapsed.count());
  const double seconds = static_cast<double>(ns) / 1e9;
  size_t bucket = 0;
  while (bucket < kBounds.size() && seconds > kBounds[bucket]) ++bucket;
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<uint64_t>(ns), std::memory_order_relaxed);
}

DurationHistogram::Snapshot DurationHistogram::Read() const {
  Snapshot s;
  for (size_t i = 0; i < counts_.size(); ++i) {
    s.counts[i] = counts_[i].load(std::memory_order_relaxed);
    s.count += s.counts[i];
  }
  s.sum_seconds = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
  return s;
}

namespace {

void AppendNumber(std::string& out, double value) {
  if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buffer[32];
  // Integral values (most counters) print without an exponent or a fraction.
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.9g", value);
  }
  out += buffer;
}

// Label values escape backslash, double quote and line feed; HELP text backslash and line feed.
void AppendEscaped(std::string& out, std::string_view value, bool quote) {
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

}  // namespace

void MetricsText::Family(std::string_view name, std::string_view type, std::string_view help) {
  text_ += "# HELP ";
  text_ += name;
  text_ += ' ';
  AppendEscaped(text_, help, false);
  text_ += "\n# TYPE ";
  text_ += name;
  text_ += ' ';
  text_ += type;
  text_ += '\n';
}

void MetricsText::Write(std::string_view name, Labels labels, std::string_view extra_label,
                        std::string_view extra_value, double value) {
  text_ += name;
  if (labels.size() > 0 || !extra_label.empty()) {
    text_ += '{';
    bool first = true;
    auto label = [&](std::string_view key, std::string_view label_value) {
      if (!first) text_ += ',';
      first = false;
      text_ += key;
      text_ += "=\"";
      AppendEscaped(text_, label_value, true);
      text_ += '"';
    };
    for (const auto& [key, label_value] : labels) label(key, label_value);
    if (!extra_label.empty()) label(extra_label, extra_value);
    text_ += '}';
  }
  text_ += ' ';
  AppendNumber(text_, value);
  text_ += '\n';
}

void MetricsText::Sample(std::string_view name, Labels labels, double value) {
  Write(name, labels, "", "", value);
}

void MetricsText::Histogram(std::string_view name, Labels labels,
                            const DurationHistogram::Snapshot& h) {
  const std::string base(name);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < h.counts.size(); ++i) {
    cumulative += h.counts[i];
    std::string bound = "+Inf";
    if (i < DurationHistogram::kBounds.size()) {
      bound.clear();
      AppendNumber(bound, DurationHistogram::kBounds[i]);
    }
    Write(base + "_bucket", labels, "le", bound, static_cast<double>(cumulative));
  }
  Write(base + "_sum", labels, "", "", h.sum_seconds);
  Write(base + "_count", labels, "", "", static_cast<double>(cumulative));
}

}  // namespace helpdesk
