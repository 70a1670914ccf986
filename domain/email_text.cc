#include "domain/email_text.h"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <vector>

#include "domain/text.h"

namespace helpdesk {
namespace {

bool StartsWith(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }
bool EndsWith(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

bool IsAttributionStart(const std::string& lower) {
  return StartsWith(lower, "on ") || StartsWith(lower, "em ") || StartsWith(lower, "el ") ||
         StartsWith(lower, "le ");
}
bool IsAttributionEnd(const std::string& lower) {
  return EndsWith(lower, "wrote:") || EndsWith(lower, "escreveu:") ||
         EndsWith(lower, "escribió:") || EndsWith(lower, "a écrit :") ||
         EndsWith(lower, "a écrit:");
}

bool IsSeparator(const std::string& lower) {
  if (lower.size() >= 10 && lower.find_first_not_of('_') == std::string::npos) return true;
  for (const char* marker : {"-----original message-----", "-----mensagem original-----",
                             "-----mensaje original-----", "----- original message -----",
                             "-----mensagem encaminhada-----", "---------- forwarded message"}) {
    if (StartsWith(lower, marker)) return true;
  }
  return false;
}

bool IsHeader(const std::string& lower, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (StartsWith(lower, n)) return true;
  }
  return false;
}

// Where the quoted history starts (a line index), or lines.size() when nothing is quoted.
size_t QuoteStart(const std::vector<std::string>& lines) {
  // quoted_from[i]: every line from i on is blank or quoted. One pass from the end, so that a
  // mail of many ">" lines stays linear.
  std::vector<bool> quoted_from(lines.size() + 1, true);
  for (size_t j = lines.size(); j-- > 0;) {
    const std::string t = Trimmed(lines[j]);
    quoted_from[j] = quoted_from[j + 1] && (t.empty() || t[0] == '>');
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string lower = AsciiLower(Trimmed(lines[i]));
    if (lower.empty()) continue;
    if (IsAttributionStart(lower) && IsAttributionEnd(lower)) return i;
    if (IsAttributionStart(lower) && i + 1 < lines.size() &&
        IsAttributionEnd(AsciiLower(Trimmed(lines[i + 1])))) {
      return i;
    }
    if (IsSeparator(lower)) return i;
    if (IsHeader(lower, {"from:", "de:"}) && i + 1 < lines.size() &&
        IsHeader(AsciiLower(Trimmed(lines[i + 1])),
                 {"sent:", "enviado:", "enviada:", "date:", "data:"})) {
      return i;
    }
    if (lower[0] == '>' && quoted_from[i]) return i;
  }
  return lines.size();
}

std::string Join(const std::vector<std::string>& lines, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) {
    if (i > from) out += '\n';
    out += lines[i];
  }
  return out;
}

}  // namespace

EmailText SplitQuotedEmail(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  const size_t start = QuoteStart(lines);
  if (start == lines.size()) return EmailText{text, ""};
  size_t end = start;
  while (end > 0 && Trimmed(lines[end - 1]).empty()) --end;
  return EmailText{Join(lines, 0, end), Join(lines, start, lines.size())};
}

namespace {

struct Entity {
  const char* name;
  const char* text;
};
constexpr Entity kEntities[] = {
    {"&amp;", "&"},    {"&lt;", "<"},     {"&gt;", ">"},     {"&quot;", "\""},  {"&#39;", "'"},
    {"&apos;", "'"},   {"&nbsp;", " "},   {"&ccedil;", "ç"}, {"&atilde;", "ã"}, {"&aacute;", "á"},
    {"&eacute;", "é"}, {"&iacute;", "í"}, {"&oacute;", "ó"}, {"&uacute;", "ú"}, {"&ecirc;", "ê"},
    {"&ocirc;", "ô"},  {"&otilde;", "õ"}, {"&agrave;", "à"}};

// Tag name in lower case, and whether it closes ("</b>").
struct Tag {
  std::string name;
  bool closing = false;
  std::string attributes;
};

Tag ParseTag(const std::string& inner) {
  Tag t;
  size_t i = 0;
  if (i < inner.size() && inner[i] == '/') {
    t.closing = true;
    ++i;
  }
  while (i < inner.size() && std::isalnum(static_cast<unsigned char>(inner[i]))) {
    t.name += static_cast<char>(std::tolower(static_cast<unsigned char>(inner[i++])));
  }
  t.attributes = inner.substr(i);
  return t;
}

std::string Href(const std::string& attributes) {
  const std::string lower = AsciiLower(attributes);
  size_t at = lower.find("href=");
  if (at == std::string::npos) return "";
  at += 5;
  if (at >= attributes.size()) return "";
  const char quote = attributes[at];
  if (quote == '"' || quote == '\'') {
    const size_t end = attributes.find(quote, at + 1);
    return end == std::string::npos ? "" : attributes.substr(at + 1, end - at - 1);
  }
  const size_t end = attributes.find_first_of(" \t>", at);
  return attributes.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

// Where `needle` (lower case) starts in `text` at or after `from`, case-insensitively; npos when
// nowhere. No copy of the text: a mail with many <script> tags stays linear.
size_t FindNoCase(const std::string& text, const std::string& needle, size_t from) {
  if (needle.empty() || text.size() < needle.size()) return std::string::npos;
  for (size_t i = from; i + needle.size() <= text.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() &&
           std::tolower(static_cast<unsigned char>(text[i + k])) == needle[k]) {
      ++k;
    }
    if (k == needle.size()) return i;
  }
  return std::string::npos;
}

// Nesting shown as prefixes ("> " per quote level, two spaces per list level) stops growing
// here: deeper levels read like the deepest shown, and each line costs a bounded prefix.
constexpr int kMaxShownDepth = 8;
// Markdown past this size is cut: the caller refuses a text over 64 KiB anyway, and a crafted
// mail must not make the conversion take more memory than that.
constexpr size_t kMaxMarkdownBytes = 256 * 1024;

void NewLine(std::string& out) {
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (!out.empty() && out.back() != '\n') out += '\n';
}

}  // namespace

std::string HtmlToMarkdown(const std::string& html) {
  std::string out;
  std::vector<std::string> lists;  // "ul" / "ol", innermost last
  std::vector<int> numbers;
  std::vector<std::string> links;
  int quote_depth = 0;
  size_t i = 0;
  auto line_prefix = [&] {
    for (int q = 0; q < std::min(quote_depth, kMaxShownDepth); ++q) out += "> ";
  };
  while (i < html.size() && out.size() <= kMaxMarkdownBytes) {
    const char c = html[i];
    const bool tag_start = c == '<' && i + 1 < html.size() &&
                           (std::isalpha(static_cast<unsigned char>(html[i + 1])) ||
                            html[i + 1] == '/' || html[i + 1] == '!');
    if (tag_start && html.compare(i, 4, "<!--") == 0) {
      const size_t end = html.find("-->", i + 4);
      i = end == std::string::npos ? html.size() : end + 3;
      continue;
    }
    if (tag_start) {
      const size_t end = html.find('>', i);
      if (end == std::string::npos) break;  // a broken tag: drop the rest of it
      const Tag tag = ParseTag(html.substr(i + 1, end - i - 1));
      i = end + 1;
      const std::string& n = tag.name;
      if (!tag.closing && (n == "script" || n == "style")) {
        const size_t close = FindNoCase(html, "</" + n, i);
        const size_t close_end = close == std::string::npos ? close : html.find('>', close);
        i = close_end == std::string::npos ? html.size() : close_end + 1;
        continue;
      }
      if (n == "b" || n == "strong") {
        out += "**";
      } else if (n == "i" || n == "em") {
        out += "_";
      } else if (n == "s" || n == "strike" || n == "del") {
        out += "~~";
      } else if (n == "br") {
        while (!out.empty() && out.back() == ' ') out.pop_back();
        out += '\n';  // every <br> breaks a line: two make an empty one
        line_prefix();
      } else if (n == "p" || n == "div") {
        NewLine(out);
        if (tag.closing && n == "p") out += '\n';
      } else if (n == "ul" || n == "ol") {
        NewLine(out);
        if (tag.closing) {
          if (!lists.empty()) lists.pop_back();
          if (!numbers.empty()) numbers.pop_back();
        } else {
          lists.push_back(n);
          numbers.push_back(0);
        }
      } else if (n == "li" && !tag.closing) {
        NewLine(out);
        line_prefix();
        const size_t depth = std::min<size_t>(lists.size(), kMaxShownDepth);
        if (depth > 1) out += std::string(2 * (depth - 1), ' ');
        if (!lists.empty() && lists.back() == "ol") {
          out += std::to_string(++numbers.back()) + ". ";
        } else {
          out += "- ";
        }
      } else if (n == "blockquote") {
        NewLine(out);
        quote_depth += tag.closing ? (quote_depth > 0 ? -1 : 0) : 1;
        if (!tag.closing) line_prefix();
      } else if (n == "a") {
        if (!tag.closing) {
          links.push_back(Href(tag.attributes));
        } else if (!links.empty()) {
          if (!links.back().empty()) out += " (" + links.back() + ")";
          links.pop_back();
        }
      }
      continue;
    }
    if (c == '&') {
      bool decoded = false;
      for (const Entity& e : kEntities) {
        const std::string name = e.name;
        if (html.compare(i, name.size(), name) == 0) {
          out += e.text;
          i += name.size();
          decoded = true;
          break;
        }
      }
      if (decoded) continue;
    }
    if (c == '\n' || c == '\r' || c == '\t') {
      // Line breaks in HTML source are spaces.
      if (!out.empty() && out.back() != ' ' && out.back() != '\n') out += ' ';
      ++i;
      continue;
    }
    if (c == ' ' && !out.empty() && (out.back() == ' ' || out.back() == '\n')) {
      ++i;
      continue;
    }
    out += c;
    ++i;
  }
  // Tidy: no trailing spaces on lines, at most one empty line in a row, none at the ends.
  std::string tidy;
  int newlines = 0;
  for (char ch : out) {
    if (ch == '\n') {
      while (!tidy.empty() && tidy.back() == ' ') tidy.pop_back();
      if (++newlines > 2) continue;
    } else {
      newlines = 0;
    }
    tidy += ch;
  }
  return Trimmed(tidy);
}

}  // namespace helpdesk
