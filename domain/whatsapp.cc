#include "domain/whatsapp.h"

#include <map>

namespace helpdesk {
namespace {

using nlohmann::json;

std::string StringAt(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

const json* ObjectAt(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? &*it : nullptr;
}

// The text and attachments of one message, by its type.
void ReadContent(const json& message, const std::string& type, WhatsAppInbound& out) {
  if (type == "text") {
    if (const json* text = ObjectAt(message, "text")) out.text = StringAt(*text, "body");
    return;
  }
  if (type == "image" || type == "audio" || type == "video" || type == "document" ||
      type == "sticker") {
    const json* media = ObjectAt(message, type.c_str());
    if (!media) return;
    const std::string mime = StringAt(*media, "mime_type");
    json item{{"whatsapp_media_id", StringAt(*media, "id")},
              {"content_type", mime},
              {"kind", type == "document" || type == "sticker" ? std::string("file") : type}};
    if (const std::string name = StringAt(*media, "filename"); !name.empty()) item["name"] = name;
    if (const std::string sha = StringAt(*media, "sha256"); !sha.empty()) {
      item["provider_sha256"] = sha;
    }
    out.attachments.push_back(std::move(item));
    out.text = StringAt(*media, "caption");
    return;
  }
  if (type == "location") {
    if (const json* at = ObjectAt(message, "location")) {
      const auto number = [&](const char* key) {
        auto it = at->find(key);
        return it != at->end() && it->is_number() ? it->dump() : std::string("?");
      };
      out.text = "Location: " + number("latitude") + ", " + number("longitude");
      if (const std::string name = StringAt(*at, "name"); !name.empty())
        out.text += " (" + name + ")";
    }
    return;
  }
  if (type == "button") {
    if (const json* button = ObjectAt(message, "button")) out.text = StringAt(*button, "text");
    return;
  }
  if (type == "interactive") {
    if (const json* interactive = ObjectAt(message, "interactive")) {
      for (const char* reply : {"button_reply", "list_reply"}) {
        if (const json* r = ObjectAt(*interactive, reply)) out.text = StringAt(*r, "title");
      }
    }
    return;
  }
  // Reactions, contacts cards, unsupported types: kept visible rather than lost (below).
}

std::string Placeholder(const std::string& type) {
  return "[" + (type.empty() ? std::string("unknown") : type) + " message]";
}

}  // namespace

bool IsWhatsAppSubscribe(const std::string& mode) { return mode == "subscribe"; }

Result<std::vector<WhatsAppInbound>> ParseWhatsAppWebhook(const json& body) {
  if (!body.is_object() || StringAt(body, "object") != "whatsapp_business_account") {
    return InvalidField("object", "must be whatsapp_business_account");
  }
  auto entries = body.find("entry");
  if (entries == body.end() || !entries->is_array()) {
    return InvalidField("entry", "must be an array");
  }
  std::vector<WhatsAppInbound> out;
  for (const json& entry : *entries) {
    auto changes = entry.is_object() ? entry.find("changes") : entry.end();
    if (!entry.is_object() || changes == entry.end() || !changes->is_array()) {
      return InvalidField("entry[].changes", "must be an array");
    }
    for (const json& change : *changes) {
      if (!change.is_object()) return InvalidField("entry[].changes[]", "must be an object");
      const json* value = ObjectAt(change, "value");
      if (!value) continue;                      // a change without messages (account updates)
      std::map<std::string, std::string> names;  // wa_id -> profile name
      if (auto contacts = value->find("contacts");
          contacts != value->end() && contacts->is_array()) {
        for (const json& c : *contacts) {
          if (!c.is_object()) continue;
          const json* profile = ObjectAt(c, "profile");
          names[StringAt(c, "wa_id")] = profile ? StringAt(*profile, "name") : "";
        }
      }
      auto messages = value->find("messages");
      if (messages == value->end()) continue;  // statuses only
      if (!messages->is_array()) return InvalidField("messages", "must be an array");
      for (const json& m : *messages) {
        if (!m.is_object()) return InvalidField("messages[]", "must be an object");
        WhatsAppInbound in;
        in.external_id = StringAt(m, "id");
        const std::string from = StringAt(m, "from");
        if (in.external_id.empty() || from.empty()) {
          return InvalidField("messages[]", "needs an id and a from");
        }
        in.phone = from.front() == '+' ? from : "+" + from;
        in.name = names[from];
        const std::string timestamp = StringAt(m, "timestamp");
        if (!timestamp.empty()) {
          try {
            size_t used = 0;
            const long long seconds = std::stoll(timestamp, &used);
            // Unix seconds up to the end of year 9999; past that it is garbage (and its
            // milliseconds would overflow): the message is kept, without a sending time.
            constexpr long long kLastSecond = 253402300799;  // 9999-12-31T23:59:59Z
            if (used == timestamp.size() && seconds > 0 && seconds <= kLastSecond) {
              in.sent_at = Timestamp{seconds * 1000};
            }
          } catch (const std::exception&) {
          }
        }
        const std::string type = StringAt(m, "type");
        ReadContent(m, type, in);
        if (in.text.empty() && in.attachments.empty()) in.text = Placeholder(type);
        out.push_back(std::move(in));
      }
    }
  }
  return out;
}

}  // namespace helpdesk
