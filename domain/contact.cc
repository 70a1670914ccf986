#include "domain/contact.h"

#include <cmath>
#include <set>

#include "domain/directory.h"

namespace helpdesk {
namespace {

using nlohmann::json;

constexpr size_t kMaxLabelBytes = 256;
constexpr size_t kMaxTextValueBytes = 1024;
constexpr size_t kMaxSocialBytes = 2048;

bool IsAttributeKey(const std::string& key) {
  if (key.empty() || key.size() > 64) return false;
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// "YYYY-MM-DD" naming a day that exists.
bool IsCalendarDate(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  const int year = std::stoi(s.substr(0, 4));
  const int month = std::stoi(s.substr(5, 2));
  const int day = std::stoi(s.substr(8, 2));
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  const int last = kDays[month - 1] + (month == 2 && IsLeapYear(year) ? 1 : 0);
  return day <= last;
}

}  // namespace

std::optional<std::pair<std::string, std::string>> AttributeDefinitionProblem(
    const AttributeDefinition& d) {
  if (!IsAttributeKey(d.key)) return {{"key", "must be 1 to 64 of a-z, 0-9 and _"}};
  if (d.label.empty() || d.label.size() > kMaxLabelBytes) {
    return {{"label", "must be 1 to 256 bytes"}};
  }
  static const std::set<std::string> kTypes{"text", "number", "date", "boolean", "list"};
  if (!kTypes.count(d.type)) return {{"type", "must be text, number, date, boolean or list"}};
  if (d.type != "list") {
    if (!d.options.empty()) return {{"options", "are only for a list"}};
    return std::nullopt;
  }
  if (d.options.empty() || d.options.size() > kMaxAttributeOptions) {
    return {{"options", "must hold 1 to 200 values"}};
  }
  std::set<std::string> seen;
  for (const std::string& option : d.options) {
    if (option.empty() || option.size() > kMaxLabelBytes) {
      return {{"options", "must each be 1 to 256 bytes"}};
    }
    if (!seen.insert(option).second) return {{"options", "repeat '" + option + "'"}};
  }
  return std::nullopt;
}

std::optional<std::string> AttributeValueProblem(const AttributeDefinition& d, const json& value) {
  if (value.is_null()) return std::nullopt;
  if (d.type == "text") {
    if (!value.is_string() || value.get_ref<const std::string&>().size() > kMaxTextValueBytes) {
      return "must be a string of at most 1024 bytes";
    }
  } else if (d.type == "number") {
    if (!value.is_number() || !std::isfinite(value.get<double>())) return "must be a number";
  } else if (d.type == "date") {
    if (!value.is_string() || !IsCalendarDate(value.get_ref<const std::string&>())) {
      return "must be a date, YYYY-MM-DD";
    }
  } else if (d.type == "boolean") {
    if (!value.is_boolean()) return "must be true or false";
  } else if (d.type == "list") {
    if (!value.is_string()) return "must be one of the attribute's options";
    const std::string& v = value.get_ref<const std::string&>();
    bool known = false;
    for (const std::string& option : d.options) known = known || option == v;
    if (!known) return "must be one of the attribute's options";
  } else {
    return "has a definition of an unknown type";
  }
  return std::nullopt;
}

std::optional<std::pair<std::string, std::string>> AttributesProblem(
    const json& attributes, const std::map<std::string, AttributeDefinition>& defined) {
  if (!attributes.is_object()) return {{"attributes", "must be an object"}};
  for (const auto& [key, value] : attributes.items()) {
    auto it = defined.find(key);
    if (it == defined.end()) {
      return {{"attributes." + key, "is not an attribute the desk defined"}};
    }
    if (auto problem = AttributeValueProblem(it->second, value)) {
      return {{"attributes." + key, *problem}};
    }
  }
  return std::nullopt;
}

std::optional<std::pair<std::string, std::string>> SocialProblem(const json& social) {
  if (!social.is_object()) return {{"social", "must be an object"}};
  for (const auto& [key, value] : social.items()) {
    bool known = false;
    for (const char* k : kSocialKeys) known = known || key == k;
    if (!known) return {{"social." + key, "is not one of instagram, facebook, linkedin, x, site"}};
    if (value.is_null()) continue;
    if (!value.is_string() || value.get_ref<const std::string&>().empty() ||
        value.get_ref<const std::string&>().size() > kMaxSocialBytes) {
      return {{"social." + key, "must be a string of 1 to 2048 bytes, or null"}};
    }
  }
  return std::nullopt;
}

std::optional<std::string> ContactTagsProblem(const std::vector<std::string>& tags) {
  if (tags.size() > kMaxContactTags) return "must hold at most 50 tags";
  for (const std::string& tag : tags) {
    if (tag.empty() || tag.size() > 64) return "must each be 1 to 64 bytes";
    if (tag.find('/') != std::string::npos) return "must not contain '/'";
  }
  return std::nullopt;
}

json MergeFlat(json object, const json& patch) {
  if (!object.is_object()) object = json::object();
  if (!patch.is_object()) return object;
  for (const auto& [key, value] : patch.items()) {
    if (value.is_null()) {
      object.erase(key);
    } else {
      object[key] = value;
    }
  }
  return object;
}

json ChangedKeys(const json& object, const json& patch) {
  json changed = json::object();
  if (!patch.is_object()) return changed;
  for (const auto& [key, value] : patch.items()) {
    const auto it = object.is_object() ? object.find(key) : object.end();
    const bool present = object.is_object() && it != object.end();
    if (value.is_null() ? present : (!present || *it != value)) changed[key] = value;
  }
  return changed;
}

std::string NameSortKey(const std::string& name) {
  std::string key = FoldForSearch(name);
  if (key.size() > 64) key.resize(64);
  return key;
}

}  // namespace helpdesk
