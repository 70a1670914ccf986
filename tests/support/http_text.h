// The text of HTTP/1.1 heads, for the tests' own clients and servers.
#pragma once

#include <cctype>
#include <map>
#include <string>

namespace helpdesk::testing {

inline std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The header lines of `head` (everything before the blank line, first line excluded), names in
// lower case.
inline std::map<std::string, std::string> ParseHeaderLines(const std::string& head) {
  std::map<std::string, std::string> headers;
  size_t line_end = head.find("\r\n");
  while (line_end != std::string::npos) {
    const size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string line =
        head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    headers[Lower(line.substr(0, colon))] = value;
  }
  return headers;
}

}  // namespace helpdesk::testing
