// Reading a contacts file for an import (POST /api/v1/contacts/import): an RFC 4180 CSV parser
// with bounded cost, the header's columns, and each data row as the card values it sets. Pure:
// the card's own rules (phone, e-mail, tags, attribute types) are checked where every create
// and edit checks them, when the row is decided.
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/contact.h"
#include "domain/result.h"

namespace helpdesk {

// Bounds of one file. A file past them is refused whole, before anything is imported.
inline constexpr size_t kMaxImportBytes = 16u * 1024 * 1024;
inline constexpr size_t kMaxImportRows = 100000;
inline constexpr size_t kMaxImportColumns = 256;
inline constexpr size_t kMaxImportCellBytes = 4096;

// The file as records of cells. Records end with CRLF or LF; a final line break adds no record.
struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// Reads `text` (UTF-8, an optional byte-order mark) into records, refusing the whole file with
// 400 invalid_field "body" and the line at fault for: bytes that are not UTF-8, a quote inside
// an unquoted cell, text after a closing quote, a quoted cell that never ends, a record past
// kMaxImportColumns cells or a cell past kMaxImportCellBytes; 413 too_large past kMaxImportRows
// data rows. Linear in the size of `text`.
Result<CsvTable> ParseCsv(std::string_view text);

// What the header's columns mean. Known: id, name, phone, email, owner, tags, stage and
// attr.<key> for each defined attribute; created_at and updated_at (an export's) are read and
// ignored. Names are compared without surrounding blanks and case.
struct ImportColumns {
  std::map<std::string, size_t> card;                      // "id", "name", … → column index
  std::vector<std::pair<std::string, size_t>> attributes;  // attribute key → column index
  size_t count = 0;
};

// The header's columns, or 400 invalid_field "header" for an empty header, an unknown or
// repeated column, an attribute nobody defined, or a header without name, phone or email.
Result<ImportColumns> ReadImportHeader(const std::vector<std::string>& header,
                                       const std::map<std::string, AttributeDefinition>& defined);

// What one data row sets. An empty cell sets nothing (the contact keeps its value).
struct ImportRow {
  size_t row = 0;  // counted from 1 after the header
  std::optional<std::string> id;
  std::string name, phone, email;
  std::optional<std::string> owner;  // a user's id or e-mail
  std::optional<std::vector<std::string>> tags;
  std::optional<std::string> stage;
  nlohmann::json attributes = nlohmann::json::object();
  bool blank = false;  // every cell empty: nothing to import
};

struct ImportRowError {
  size_t row = 0;
  std::string field, message;
  friend bool operator==(const ImportRowError&, const ImportRowError&) = default;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ImportRowError, row, field, message)

// Row `cells` (number `row`) read through `columns`: a cell an export guarded against formulas
// read without its apostrophe, tags split on ';', attribute cells turned into their type's JSON
// (a whole number as an integer, as the API stores 12, other numbers as floating point;
// true/false for yes/no/sim/não/1/0; text otherwise; whether the value fits is the card's rule). A
// record with another number of cells than the header is an error naming field "row".
Result<ImportRow> ReadImportRow(const ImportColumns& columns,
                                const std::map<std::string, AttributeDefinition>& defined,
                                const std::vector<std::string>& cells, size_t row);

// Whether a spreadsheet would run `cell` as a formula: it begins with =, +, -, @, a tab or a CR.
// Exports prefix such a cell with an apostrophe (text, to a spreadsheet; api-contract-customers),
// and ReadImportRow takes that apostrophe off again, so an export imports back unchanged. (A
// value that itself begins with an apostrophe and then one of those loses the apostrophe.)
bool RunsAsFormula(std::string_view cell);

// The id a row's new contact gets when the file names none: the same file gives the same ids,
// so sending it again (or resuming it after a crash) finds the contacts it made.
std::string ImportedContactId(std::string_view file_sha256_hex, size_t row);

}  // namespace helpdesk
