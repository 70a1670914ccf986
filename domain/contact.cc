#include "domain/contact.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "domain/directory.h"
#include "domain/time.h"
#include "domain/text.h"

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

bool IsReservedContactId(const std::string& id) {
  return id == "import" || id == "imports" || id == "export.csv";
}

std::optional<std::string> TagProblem(const std::string& tag) {
  if (tag.empty() || tag.size() > 64) return "must be 1 to 64 bytes";
  if (HasControlCharacter(tag)) return "must not contain control characters";
  if (tag.find('/') != std::string::npos) return "must not contain '/'";
  return std::nullopt;
}

std::optional<std::string> StageProblem(const std::string& stage) {
  if (stage.empty() || stage.size() > 64) return "must be 1 to 64 bytes";
  if (HasControlCharacter(stage)) return "must not contain control characters";
  return std::nullopt;
}

std::optional<std::string> ContactTagsProblem(const std::vector<std::string>& tags) {
  if (tags.size() > kMaxContactTags) return "must hold at most 50 tags";
  for (const std::string& tag : tags) {
    if (auto problem = TagProblem(tag)) return "each " + *problem;
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

std::optional<std::pair<std::string, std::string>> OrderProblem(const json& order) {
  if (!order.is_object()) return {{"order", "must be an object"}};
  static const std::set<std::string> kFields{"number",   "kind", "status",    "total",
                                             "currency", "url",  "placed_at", "items"};
  for (const auto& [key, value] : order.items()) {
    if (!kFields.count(key)) return {{key, "is not a field of an order"}};
  }
  auto text = [&](const char* field, size_t max) {
    auto it = order.find(field);
    return it != order.end() && it->is_string() && !it->get_ref<const std::string&>().empty() &&
           it->get_ref<const std::string&>().size() <= max;
  };
  auto absent = [&](const char* field) {
    auto it = order.find(field);
    return it == order.end() || it->is_null();
  };
  if (!text("number", 64)) return {{"number", "must be a string of 1 to 64 bytes"}};
  const std::string kind = order.value("kind", "");
  if (kind != "order" && kind != "return") return {{"kind", "must be order or return"}};
  if (!text("status", 64)) return {{"status", "must be a string of 1 to 64 bytes"}};
  if (!absent("total")) {
    const json& total = order["total"];
    if (!total.is_number() || !std::isfinite(total.get<double>()) || total.get<double>() < 0) {
      return {{"total", "must be a number of 0 or more"}};
    }
  }
  if (!absent("currency")) {
    const json& currency = order["currency"];
    const bool iso = currency.is_string() && currency.get_ref<const std::string&>().size() == 3 &&
                     std::all_of(currency.get_ref<const std::string&>().begin(),
                                 currency.get_ref<const std::string&>().end(),
                                 [](char c) { return c >= 'A' && c <= 'Z'; });
    if (!iso) return {{"currency", "must be an ISO 4217 code such as BRL"}};
  }
  if (!absent("url")) {
    const json& url = order["url"];
    const bool web = url.is_string() && url.get_ref<const std::string&>().size() <= 2048 &&
                     (url.get_ref<const std::string&>().starts_with("https://") ||
                      url.get_ref<const std::string&>().starts_with("http://"));
    if (!web) return {{"url", "must be an http(s) URL of at most 2048 bytes"}};
  }
  if (!absent("placed_at")) {
    const json& at = order["placed_at"];
    if (!at.is_string() || !ParseRfc3339(at.get<std::string>())) {
      return {{"placed_at", "must be an RFC 3339 time"}};
    }
  }
  if (!absent("items")) {
    const json& items = order["items"];
    if (!items.is_array() || items.size() > 200) return {{"items", "must be at most 200 items"}};
    for (const json& item : items) {
      if (!item.is_object()) return {{"items", "must hold objects"}};
      for (const auto& [key, value] : item.items()) {
        if (key != "sku" && key != "name" && key != "quantity" && key != "price") {
          return {{"items", "'" + key + "' is not a field of an item"}};
        }
      }
      const auto name = item.find("name");
      if (name == item.end() || !name->is_string() || name->get_ref<const std::string&>().empty() ||
          name->get_ref<const std::string&>().size() > 256) {
        return {{"items", "must each have a name of 1 to 256 bytes"}};
      }
      const auto sku = item.find("sku");
      if (sku != item.end() && !sku->is_null() &&
          (!sku->is_string() || sku->get_ref<const std::string&>().size() > 64)) {
        return {{"items", "must have a sku of at most 64 bytes, or none"}};
      }
      const auto quantity = item.find("quantity");
      if (quantity == item.end() || !quantity->is_number() ||
          !std::isfinite(quantity->get<double>()) || quantity->get<double>() <= 0) {
        return {{"items", "must each have a quantity above 0"}};
      }
      const auto price = item.find("price");
      if (price != item.end() && !price->is_null() &&
          (!price->is_number() || !std::isfinite(price->get<double>()) ||
           price->get<double>() < 0)) {
        return {{"items", "must have a price of 0 or more, or none"}};
      }
    }
  }
  return std::nullopt;
}

json CanonicalOrder(const std::string& external_id, const json& order) {
  auto or_null = [&](const char* field) {
    auto it = order.find(field);
    return it == order.end() ? json(nullptr) : *it;
  };
  json items = json::array();
  if (auto it = order.find("items"); it != order.end() && it->is_array()) {
    for (const json& item : *it) {
      items.push_back({{"sku", item.value("sku", json(nullptr))},
                       {"name", item.value("name", "")},
                       {"quantity", item.value("quantity", json(1))},
                       {"price", item.value("price", json(nullptr))}});
    }
  }
  return {{"external_id", external_id},
          {"number", or_null("number")},
          {"kind", or_null("kind")},
          {"status", or_null("status")},
          {"total", or_null("total")},
          {"currency", or_null("currency")},
          {"url", or_null("url")},
          {"placed_at", or_null("placed_at")},
          {"items", items}};
}

std::string NameSortKey(const std::string& name) {
  std::string key = FoldForSearch(name);
  if (key.size() > 64) key.resize(64);
  return key;
}

}  // namespace helpdesk
