// The rules of a contact's card that need no state: admin-defined attributes and the values they
// accept, social profiles, a contact's tags, and the key the contact list sorts names by.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace helpdesk {

// A typed custom attribute an admin defined for contacts ("CPF", "plan", "birthday"…).
struct AttributeDefinition {
  std::string key, label;
  std::string type;                  // "text" | "number" | "date" | "boolean" | "list"
  std::vector<std::string> options;  // the allowed values of a "list"
  friend bool operator==(const AttributeDefinition&, const AttributeDefinition&) = default;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(AttributeDefinition, key, label, type, options)

// At most this many definitions on a desk, and this many options in a list.
inline constexpr size_t kMaxAttributeDefinitions = 200;
inline constexpr size_t kMaxAttributeOptions = 200;
// Ids a contact cannot take: they name routes under /api/v1/contacts (the import, its
// resources, the export), so such a contact could never be read back.
bool IsReservedContactId(const std::string& id);

// At most this many tags on a contact.
inline constexpr size_t kMaxContactTags = 50;

// What is wrong with a definition (`field: why`, the field named as the API names it), or
// nullopt. Keys are 1–64 of [a-z0-9_]; labels 1–256 bytes; a "list" has 1–200 distinct
// options of 1–256 bytes, and only a list has options.
std::optional<std::pair<std::string, std::string>> AttributeDefinitionProblem(
    const AttributeDefinition& definition);

// Why `value` does not fit `definition` (nullopt: it fits). null always fits: it removes the
// value. text: a string of at most 1024 bytes; number: a finite JSON number; date: "YYYY-MM-DD",
// a real day; boolean: true or false; list: one of the options.
std::optional<std::string> AttributeValueProblem(const AttributeDefinition& definition,
                                                 const nlohmann::json& value);

// The attributes a create or a patch sets (null values remove), checked against the desk's
// definitions: the first offending key's problem as {"attributes.<key>", why}.
std::optional<std::pair<std::string, std::string>> AttributesProblem(
    const nlohmann::json& attributes, const std::map<std::string, AttributeDefinition>& defined);

// The social profiles a contact may carry.
inline constexpr const char* kSocialKeys[] = {"instagram", "facebook", "linkedin", "x", "site"};
// Why `social` is not a valid social object (an object whose keys are among kSocialKeys and whose
// values are strings of at most 2048 bytes, or null to remove): {"social.<key>", why}.
std::optional<std::pair<std::string, std::string>> SocialProblem(const nlohmann::json& social);

// Why a tag (of a conversation or a contact) is not valid: 1 to 64 bytes, without '/' or
// control characters (tags are parts of view keys).
std::optional<std::string> TagProblem(const std::string& tag);
// Why a funnel stage name is not valid: 1 to 64 bytes without control characters.
std::optional<std::string> StageProblem(const std::string& stage);
// Why a contact's tag list is not valid: at most 50 tags, each 1–64 bytes without '/'.
std::optional<std::string> ContactTagsProblem(const std::vector<std::string>& tags);

// `object` with `patch` merged in (RFC 7386 on one level: a null removes the key).
nlohmann::json MergeFlat(nlohmann::json object, const nlohmann::json& patch);
// The keys of `patch` that change `object` (each with its new value or null): what an event
// records.
nlohmann::json ChangedKeys(const nlohmann::json& object, const nlohmann::json& patch);

// An order or return as a shop's integration sends it: what is wrong with it as {field, why},
// or nullopt. number 1–64 bytes; kind "order" or "return"; status 1–64 bytes; total a number
// >= 0 or null; currency three capital letters (ISO 4217) or null; url http(s) or null;
// placed_at RFC 3339 or null; items at most 200 of {sku?, name (1–256 bytes), quantity (> 0),
// price? (>= 0)}. Unknown fields are refused.
std::optional<std::pair<std::string, std::string>> OrderProblem(const nlohmann::json& order);
// The order as recorded: every field present (absent optional ones as null, items as []).
nlohmann::json CanonicalOrder(const std::string& external_id, const nlohmann::json& order);

// The name as the contact list sorts it: folded for search, at most 64 bytes.
std::string NameSortKey(const std::string& name);

}  // namespace helpdesk
