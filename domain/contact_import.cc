#include "domain/contact_import.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "domain/text.h"

namespace helpdesk {
namespace {

Error FileProblem(size_t line, const std::string& why) {
  return InvalidField("body", "line " + std::to_string(line) + ": " + why);
}

// A cell of an attribute column as the JSON its type takes. Values that do not convert stay
// text, so the card's rule names the problem as it does for the API.
nlohmann::json AttributeCell(const AttributeDefinition& definition, const std::string& cell) {
  if (definition.type == "number") {
    // "12" reads as the integer 12, as a JSON body's 12 does: filters compare a value's JSON text.
    int64_t whole = 0;
    const char* const last = cell.data() + cell.size();
    if (const auto [stop, error] = std::from_chars(cell.data(), last, whole);
        error == std::errc() && stop == last) {
      return whole;
    }
    char* end = nullptr;
    const double number = std::strtod(cell.c_str(), &end);
    if (end == cell.c_str() + cell.size() && std::isfinite(number)) return number;
  } else if (definition.type == "boolean") {
    const std::string word = AsciiLower(cell);
    if (word == "true" || word == "yes" || word == "sim" || word == "1") return true;
    if (word == "false" || word == "no" || word == "não" || word == "nao" || word == "0") {
      return false;
    }
  }
  return cell;
}

// The cell without the apostrophe an export put before a formula-like value (RunsAsFormula).
std::string_view Unguarded(std::string_view cell) {
  if (cell.size() >= 2 && cell[0] == '\'' && RunsAsFormula(cell.substr(1))) cell.remove_prefix(1);
  return cell;
}

}  // namespace

bool RunsAsFormula(std::string_view cell) {
  return !cell.empty() && std::string_view("=+-@\t\r").find(cell[0]) != std::string_view::npos;
}

Result<CsvTable> ParseCsv(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  CsvTable table;
  std::vector<std::string> record;
  std::string cell;
  size_t line = 1;         // the line being read
  size_t record_line = 1;  // where the current record began
  bool quoted = false;     // inside a quoted cell
  bool closed = false;     // the current cell's closing quote was read
  bool any = false;        // the current record has a character or a separator
  bool header_done = false;

  const auto end_cell = [&]() -> std::optional<Error> {
    if (cell.size() > kMaxImportCellBytes) {
      return FileProblem(record_line,
                         "a cell is longer than " + std::to_string(kMaxImportCellBytes) + " bytes");
    }
    if (record.size() >= kMaxImportColumns) {
      return FileProblem(record_line,
                         "more than " + std::to_string(kMaxImportColumns) + " cells in a row");
    }
    record.push_back(std::move(cell));
    cell.clear();
    closed = false;
    return std::nullopt;
  };
  const auto end_record = [&]() -> std::optional<Error> {
    if (auto problem = end_cell()) return problem;
    if (!header_done) {
      table.header = std::move(record);
      header_done = true;
    } else {
      if (table.rows.size() >= kMaxImportRows) {
        return Error{ErrorCode::kTooLarge,
                     "a file has at most " + std::to_string(kMaxImportRows) + " rows"};
      }
      table.rows.push_back(std::move(record));
    }
    record.clear();
    any = false;
    record_line = line;
    return std::nullopt;
  };

  for (size_t i = 0; i < text.size();) {
    const size_t width = Utf8SequenceLength(text, i);
    if (width == 0) return FileProblem(line, "the file is not UTF-8 text");
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cell.push_back('"');
          i += 2;
          continue;
        }
        quoted = false;
        closed = true;
      } else {
        if (c == '\n') ++line;
        cell.append(text.substr(i, width));
      }
      i += width;
      if (cell.size() > kMaxImportCellBytes) {
        return FileProblem(
            record_line, "a cell is longer than " + std::to_string(kMaxImportCellBytes) + " bytes");
      }
      continue;
    }
    if (c == ',') {
      if (auto problem = end_cell()) return *problem;
      any = true;
      i += 1;
      continue;
    }
    if (c == '\r' || c == '\n') {
      i += (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ? 2 : 1;
      ++line;
      if (auto problem = end_record()) return *problem;
      continue;
    }
    if (closed) return FileProblem(line, "text after a quoted cell's closing quote");
    if (c == '"') {
      if (!cell.empty()) return FileProblem(line, "a quote inside a cell that is not quoted");
      quoted = true;
      any = true;
      i += 1;
      continue;
    }
    cell.append(text.substr(i, width));
    any = true;
    i += width;
    if (cell.size() > kMaxImportCellBytes) {
      return FileProblem(record_line,
                         "a cell is longer than " + std::to_string(kMaxImportCellBytes) + " bytes");
    }
  }
  if (quoted) return FileProblem(record_line, "a quoted cell never ends");
  if (any || closed || !cell.empty()) {
    if (auto problem = end_record()) return *problem;
  }
  if (!header_done) return InvalidField("body", "the file is empty: it needs a header row");
  return table;
}

Result<ImportColumns> ReadImportHeader(const std::vector<std::string>& header,
                                       const std::map<std::string, AttributeDefinition>& defined) {
  static constexpr const char* kCardColumns[] = {"id",    "name", "phone", "email",
                                                 "owner", "tags", "stage"};
  ImportColumns columns;
  columns.count = header.size();
  std::vector<std::string> seen;
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string name = AsciiLower(Trimmed(header[i]));
    if (name.empty())
      return InvalidField("header", "column " + std::to_string(i + 1) + " has no name");
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      return InvalidField("header", "column " + name + " appears twice");
    }
    seen.push_back(name);
    if (name == "created_at" || name == "updated_at") continue;
    if (std::find(std::begin(kCardColumns), std::end(kCardColumns), name) !=
        std::end(kCardColumns)) {
      columns.card[name] = i;
      continue;
    }
    if (name.rfind("attr.", 0) == 0) {
      const std::string key = name.substr(5);
      if (!defined.count(key)) {
        return InvalidField("header", "column " + name + ": no attribute " + key +
                                          " is defined (POST /api/v1/contact-attributes)");
      }
      columns.attributes.emplace_back(key, i);
      continue;
    }
    return InvalidField("header", "column " + name +
                                      " is not known: id, name, phone, email, owner, tags, "
                                      "stage and attr.<key> are");
  }
  if (!columns.card.count("name") && !columns.card.count("phone") && !columns.card.count("email")) {
    return InvalidField("header", "the file needs a name, phone or email column");
  }
  return columns;
}

Result<ImportRow> ReadImportRow(const ImportColumns& columns,
                                const std::map<std::string, AttributeDefinition>& defined,
                                const std::vector<std::string>& cells, size_t row) {
  ImportRow out;
  out.row = row;
  if (std::all_of(cells.begin(), cells.end(),
                  [](const std::string& cell) { return Trimmed(cell).empty(); })) {
    out.blank = true;
    return out;
  }
  if (cells.size() != columns.count) {
    return InvalidField("row", "has " + std::to_string(cells.size()) +
                                   " cells where the header has " + std::to_string(columns.count));
  }
  const auto cell = [&](const char* column) -> std::optional<std::string> {
    auto it = columns.card.find(column);
    if (it == columns.card.end()) return std::nullopt;
    std::string value = Trimmed(Unguarded(cells[it->second]));
    if (value.empty()) return std::nullopt;
    return value;
  };
  out.id = cell("id");
  out.name = cell("name").value_or("");
  out.phone = cell("phone").value_or("");
  out.email = cell("email").value_or("");
  out.owner = cell("owner");
  out.stage = cell("stage");
  if (auto tags = cell("tags")) {
    std::vector<std::string> list;
    size_t start = 0;
    while (start <= tags->size()) {
      const size_t end = std::min(tags->find(';', start), tags->size());
      std::string tag = Trimmed(std::string_view(*tags).substr(start, end - start));
      if (!tag.empty()) list.push_back(std::move(tag));
      start = end + 1;
    }
    out.tags = std::move(list);
  }
  for (const auto& [key, index] : columns.attributes) {
    std::string value = Trimmed(Unguarded(cells[index]));
    if (value.empty()) continue;
    out.attributes[key] = AttributeCell(defined.at(key), value);
  }
  return out;
}

std::string ImportedContactId(std::string_view file_sha256_hex, size_t row) {
  return "imp-" + std::string(file_sha256_hex.substr(0, 24)) + "-" + std::to_string(row);
}

}  // namespace helpdesk
