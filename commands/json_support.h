// JSON conventions shared by the commands' codecs (the cluster hop, the write model's store):
// an absent optional is null, a time is RFC 3339 as everywhere else on the wire.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "domain/time.h"

// nlohmann/json 3.11 has no std::optional support.
namespace nlohmann {
template <class T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& v) {
    if (v) {
      j = *v;
    } else {
      j = nullptr;
    }
  }
  static void from_json(const json& j, std::optional<T>& v) {
    if (j.is_null()) {
      v.reset();
    } else {
      v = j.get<T>();
    }
  }
};
}  // namespace nlohmann

namespace helpdesk {

void to_json(nlohmann::json& j, const Timestamp& t);
// Throws nlohmann::json::other_error for anything but an RFC 3339 time.
void from_json(const nlohmann::json& j, Timestamp& t);

}  // namespace helpdesk
