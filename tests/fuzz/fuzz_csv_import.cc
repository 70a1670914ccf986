// libFuzzer target: a contacts file as an import reads it: the CSV, its header, every row.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "domain/contact_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const std::map<std::string, helpdesk::AttributeDefinition> defined = {
      {"plan", {"plan", "Plan", "list", {"basic", "pro"}}},
      {"seats", {"seats", "Seats", "number", {}}},
      {"vip", {"vip", "VIP", "boolean", {}}},
      {"since", {"since", "Since", "date", {}}},
      {"notes", {"notes", "Notes", "text", {}}}};
  auto table = helpdesk::ParseCsv(text);
  if (!table.ok()) return 0;
  auto columns = helpdesk::ReadImportHeader(table.value().header, defined);
  if (!columns.ok()) return 0;
  size_t row = 0;
  for (const auto& cells : table.value().rows) {
    (void)helpdesk::ReadImportRow(columns.value(), defined, cells, ++row);
  }
  return 0;
}
