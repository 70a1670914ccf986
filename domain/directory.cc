#include "domain/directory.h"

#include <algorithm>
#include <cctype>

#include "domain/events.h"
#include "domain/personal_data.h"
#include "domain/text.h"

namespace helpdesk {
namespace {

std::string WithoutSpaces(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c))) out += c;
  }
  return out;
}

bool IsHandleChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
         (static_cast<unsigned char>(c) >= 0x80);
}

}  // namespace

void Evolve(UserState& s, const NewEvent& e, const std::optional<events::Event>& event,
            uint64_t v) {
  s.version = v;
  if (!event) return;
  std::visit(events::Overloaded{
                 [&](const events::UserCreated& u) {
                   s.exists = true;
                   s.id = u.user_id;
                   s.name = u.name;
                   s.email = u.email;
                   s.role = ParseRole(u.role).value_or(Role::kAgent);
                   if (!u.token_sha256.empty()) {
                     s.tokens[kInitialTokenId] =
                         TokenState{kInitialTokenId, u.token_sha256, e.at, std::nullopt};
                   }
                   s.teams.insert(u.teams.begin(), u.teams.end());
                 },
                 [&](const events::UserPresenceChanged& p) { s.presence = p.status; },
                 [&](const events::UserUpdated& u) {
                   if (u.name) s.name = *u.name;
                   if (u.email) s.email = *u.email;
                   if (u.role) s.role = ParseRole(*u.role).value_or(s.role);
                   if (u.avatar_url) s.avatar_url = *u.avatar_url;
                   if (u.active) {
                     s.active = *u.active;
                     if (!s.active) s.presence = "offline";
                   }
                 },
                 [&](const events::UserTokenIssued& t) {
                   s.tokens[t.token_id] = TokenState{t.name, t.token_sha256, e.at, t.expires_at};
                 },
                 [&](const events::UserTokenRevoked& t) {
                   // Gone: a revoked token never comes back, and keeping it would let a user grow
                   // their record by issuing and revoking in a loop.
                   s.tokens.erase(t.token_id);
                 },
                 [](const auto&) {},
             },
             *event);
}

bool TokenAdmits(const UserState& user, const TokenState& token, Timestamp now) {
  if (!user.exists || !user.active) return false;
  return !token.expires_at || now.ms < token.expires_at->ms;
}

void Evolve(DeskSettingsState& s, const NewEvent&, const std::optional<events::Event>& event,
            uint64_t v) {
  s.version = v;
  s.exists = true;
  if (const auto* defined = events::As<events::ContactAttributeDefined>(event)) {
    s.contact_attributes[defined->key] =
        AttributeDefinition{defined->key, defined->label, defined->type, defined->options};
    return;
  }
  const auto* update = events::As<events::DeskSettingsUpdated>(event);
  if (!update) return;
  if (update->agent_visibility) {
    s.agent_visibility =
        ParseAgentVisibility(*update->agent_visibility).value_or(s.agent_visibility);
  }
  if (update->close_reasons) s.close_reasons = *update->close_reasons;
}

bool IsAllowedCloseReason(const DeskSettingsState& settings, const std::string& reason) {
  if (settings.close_reasons.empty()) return true;
  return std::find(settings.close_reasons.begin(), settings.close_reasons.end(), reason) !=
         settings.close_reasons.end();
}

std::optional<std::string> CloseReasonsProblem(const std::vector<std::string>& reasons) {
  if (reasons.size() > 100) return "must hold at most 100 reasons";
  for (size_t i = 0; i < reasons.size(); ++i) {
    if (reasons[i].empty() || reasons[i].size() > 256) {
      return "must hold reasons of 1 to 256 bytes (item " + std::to_string(i) + " is not)";
    }
    const auto end = reasons.begin() + static_cast<std::ptrdiff_t>(i);
    if (std::find(reasons.begin(), end, reasons[i]) != end) {
      return "must not repeat a reason (\"" + reasons[i] + "\" is there twice)";
    }
  }
  return std::nullopt;
}

void Evolve(TeamState& s, const NewEvent&, const std::optional<events::Event>& event, uint64_t v) {
  s.version = v;
  if (!event) return;
  std::visit(events::Overloaded{
                 [&](const events::TeamCreated& t) {
                   s.exists = true;
                   s.id = t.team_id;
                   s.name = t.name;
                 },
                 [&](const events::TeamMemberAdded& m) { s.members.insert(m.user_id); },
                 [&](const events::TeamMemberRemoved& m) { s.members.erase(m.user_id); },
                 [](const auto&) {},
             },
             *event);
}

void Evolve(ChannelState& s, const NewEvent&, const std::optional<events::Event>& event,
            uint64_t v) {
  s.version = v;
  if (!event) return;
  std::visit(events::Overloaded{
                 [&](const events::ChannelCreated& c) {
                   s.exists = true;
                   s.id = c.channel_id;
                   s.type = c.type;
                   s.name = c.name;
                   s.address = c.address;
                   s.token_sha256 = c.token_sha256;
                 },
                 [&](const events::ChannelIntegrationSet& i) {
                   s.verify_token_sha256 = i.verify_token_sha256;
                   s.app_secret = i.app_secret;
                   s.outbound_url = i.outbound_url;
                   s.outbound_secret = i.outbound_secret;
                 },
                 [](const auto&) {},
             },
             *event);
}

bool IsValidOutboundUrl(const std::string& url) {
  if (url.size() > 2048) return false;
  size_t host = 0;
  if (url.rfind("http://", 0) == 0) {
    host = 7;
  } else if (url.rfind("https://", 0) == 0) {
    host = 8;
  } else {
    return false;
  }
  if (host >= url.size() || url[host] == '/' || url[host] == ':') return false;
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

void Evolve(ContactState& s, const NewEvent&, const std::optional<events::Event>& event,
            uint64_t v) {
  s.version = v;
  if (!event) return;
  std::visit(
      events::Overloaded{
          [&](const events::ContactCreated& c) {
            s.exists = true;
            s.id = c.contact_id;
            s.name = c.name;
            s.phone = c.phone;
            s.email = c.email;
            s.stage = c.stage;
            s.owner_id = c.owner_id.value_or("");
            s.tags = c.tags;
            s.attributes = c.attributes.is_object() ? c.attributes : nlohmann::json::object();
            s.social = c.social.is_object() ? c.social : nlohmann::json::object();
            s.created_by_import = c.import_id;
            s.created_by_import_row = c.import_row;
          },
          [&](const events::ContactStageChanged& c) {
            if (c.to.empty()) return;
            s.stage = c.to;
            s.funnel_id = c.funnel_id;
          },
          [&](const events::ContactUpdated& u) {
            if (u.name) s.name = *u.name;
            if (u.phone) s.phone = *u.phone;
            if (u.email) s.email = *u.email;
            if (u.tags) s.tags = *u.tags;
            if (u.attributes.is_object()) s.attributes = MergeFlat(s.attributes, u.attributes);
            if (u.social.is_object()) s.social = MergeFlat(s.social, u.social);
          },
          [&](const events::ContactOwnerChanged& o) { s.owner_id = o.owner_id.value_or(""); },
          [&](const events::ContactNoteAdded&) { ++s.notes; },
          [&](const events::ContactsMerged& m) { s.merged_from.push_back(m.from); },
          [&](const events::OrderRecorded& o) {
            const std::string external_id = o.order.value("external_id", "");
            if (!external_id.empty()) s.orders[external_id] = o.order;
          },
          [&](const events::ContactOptedIn& o) { s.opted_in.insert(o.channel_id); },
          [&](const events::ContactOptedOut& o) { s.opted_in.erase(o.channel_id); },
          [&](const events::ContactBlocked&) { s.blocked = true; },
          [&](const events::ContactUnblocked&) { s.blocked = false; },
          [&](const events::ContactErased&) {
            s.erased = true;
            s.name = kErased;
            s.phone.clear();
            s.email.clear();
            s.opted_in.clear();
            s.attributes = nlohmann::json::object();
            s.social = nlohmann::json::object();
          },
          [](const auto&) {},
      },
      *event);
}

bool IsValidPresence(const std::string& status) {
  return status == "online" || status == "away" || status == "offline";
}

bool IsValidChannelType(const std::string& type) {
  return type == "whatsapp" || type == "sms" || type == "email" || type == "webchat";
}

bool ChannelMatchesByPhone(const std::string& type) { return type == "whatsapp" || type == "sms"; }

std::string NormalizePhone(const std::string& phone) {
  std::string out;
  for (char c : phone) {
    if (std::isdigit(static_cast<unsigned char>(c))) out += c;
  }
  return out;
}

std::string NormalizeEmail(const std::string& email) {
  std::string s = AsciiLower(email);
  s.erase(std::remove_if(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); }),
          s.end());
  return s;
}

std::string FoldForSearch(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == 0xC3 && i + 1 < text.size()) {
      // U+00C0..U+00FF: the accented Latin letters lose case and accent ("É", "é" -> "e");
      // the others (Æ, ×, Þ, ß…) lose only case (second byte + 0x20 for U+00C0..U+00DE).
      static constexpr char kBase[] =
          "aaaaaa\0ceeeeiiii\0noooo\0\0ouuuuy\0\0aaaaaa\0ceeeeiiii\0noooo\0\0ouuuuy\0y";
      unsigned char next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0xBF && kBase[next - 0x80] != '\0') {
        out += kBase[next - 0x80];
      } else {
        if (next >= 0x80 && next <= 0x9E && next != 0x97)
          next = static_cast<unsigned char>(next + 0x20);
        out += static_cast<char>(c);
        out += static_cast<char>(next);
      }
      ++i;
    } else {
      out += static_cast<char>(std::tolower(c));
    }
  }
  return out;
}

bool LooksLikePhoneQuery(const std::string& query) {
  int digits = 0;
  for (char c : query) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      ++digits;
    } else if (c != '+' && c != ' ' && c != '-' && c != '(' && c != ')' && c != '.') {
      return false;
    }
  }
  return digits > 0;
}

bool LooksLikeEmail(const std::string& email) {
  const auto at = email.find('@');
  if (at == std::string::npos || at == 0 || email.find('@', at + 1) != std::string::npos)
    return false;
  const auto dot = email.find('.', at + 2);
  return dot != std::string::npos && dot + 1 < email.size();
}

std::vector<std::string> FindMentions(const std::string& text,
                                      const std::vector<UserState>& users) {
  std::vector<std::string> found;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '@' || (i > 0 && IsHandleChar(text[i - 1]))) continue;
    size_t j = i + 1;
    while (j < text.size() && IsHandleChar(text[j])) ++j;
    std::string handle = AsciiLower(text.substr(i + 1, j - i - 1));
    while (!handle.empty() && (handle.back() == '.' || handle.back() == '-')) handle.pop_back();
    if (handle.empty()) continue;
    for (const UserState& u : users) {
      const std::string local = AsciiLower(u.email.substr(0, u.email.find('@')));
      if (AsciiLower(WithoutSpaces(u.name)) == handle || local == handle) {
        if (std::find(found.begin(), found.end(), u.id) == found.end()) found.push_back(u.id);
      }
    }
  }
  return found;
}

}  // namespace helpdesk
