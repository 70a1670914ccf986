#include "api/route_table.h"

namespace helpdesk {
namespace {

// One line per documented path, written by api/CMakeLists.txt from docs/openapi.yaml.
const std::vector<std::string> kDocumentedRoutes = {
#include "api/documented_routes.inc"
};

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> segments;
  size_t start = 1;  // past the leading '/'
  while (start <= path.size()) {
    const size_t end = std::min(path.find('/', start), path.size());
    segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

}  // namespace

const RouteTable& RouteTable::Documented() {
  static const RouteTable table(kDocumentedRoutes);
  return table;
}

RouteTable::RouteTable(const std::vector<std::string>& templates) : templates_(templates) {
  for (size_t i = 0; i < templates_.size(); ++i) {
    Shape shape;
    for (std::string& segment : Split(templates_[i])) {
      const bool parameter = !segment.empty() && segment.front() == '{' && segment.back() == '}';
      if (parameter) {
        segment.clear();
      } else {
        ++shape.literals;
      }
      shape.segments.push_back(std::move(segment));
    }
    by_length_[shape.segments.size()].push_back(i);
    shapes_.push_back(std::move(shape));
  }
}

size_t RouteTable::Match(const std::vector<std::string>& path) const {
  auto candidates = by_length_.find(path.size());
  if (candidates == by_length_.end()) return size();
  size_t best = size();
  for (size_t index : candidates->second) {
    const Shape& shape = shapes_[index];
    bool fits = true;
    for (size_t s = 0; s < path.size() && fits; ++s) {
      fits = shape.segments[s].empty() || shape.segments[s] == path[s];
    }
    if (fits && (best == size() || shape.literals > shapes_[best].literals)) best = index;
  }
  return best;
}

}  // namespace helpdesk
