// RouteTable: the documented routes (docs/openapi.yaml's path templates), and which of them a
// request's path falls under. Metrics label requests by template ("/api/v1/conversations/
// {conversation_id}/take"), never by raw path, so a series' count is bounded by the contract.
// The templates are read from the contract when the build is configured: a route documented
// there is a route measured here.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

namespace helpdesk {

class RouteTable {
 public:
  // The contract's routes.
  static const RouteTable& Documented();
  explicit RouteTable(const std::vector<std::string>& templates);

  // The index of the template `path` (decoded segments) falls under, or size() for none. A
  // literal segment wins over a parameter: /api/v1/contacts/import is not a contact's id.
  size_t Match(const std::vector<std::string>& path) const;
  size_t size() const { return templates_.size(); }
  const std::string& Template(size_t index) const { return templates_[index]; }

 private:
  struct Shape {
    std::vector<std::string> segments;  // "" for a parameter
    size_t literals = 0;
  };
  std::vector<std::string> templates_;
  std::vector<Shape> shapes_;
  std::unordered_map<size_t, std::vector<size_t>> by_length_;  // segment count -> templates
};

}  // namespace helpdesk
