// Inbound webhooks of providers: WhatsApp Cloud API at /webhooks/whatsapp/{channel_id}.
// Authenticated by the channel's own secrets (PUT /api/v1/channels/{id}/integration), not by a
// bearer token: the GET handshake by the verify token, each POST by its X-Hub-Signature-256.
#include <spdlog/spdlog.h>

#include "adapters/random_ids.h"
#include "api/app.h"
#include "api/json_io.h"
#include "domain/whatsapp.h"

namespace helpdesk {

HttpResponse App::WhatsAppWebhook(const HttpRequest& r, const std::string& channel_id) {
  const auto channel = lookups_.FindChannel(channel_id);
  if (!channel || channel->type != "whatsapp" || channel->app_secret.empty()) {
    return ErrorResponse(NotFound("WhatsApp webhooks of channel " + channel_id));
  }
  if (r.method == "GET") {
    const std::string token = QueryParam(r, "hub.verify_token").value_or("");
    const std::string challenge = QueryParam(r, "hub.challenge").value_or("");
    if (!IsWhatsAppSubscribe(QueryParam(r, "hub.mode").value_or("")) ||
        !ConstantTimeEquals(Sha256Hex(token), channel->verify_token_sha256)) {
      return ErrorResponse(Forbidden("the verify token does not match"));
    }
    if (challenge.empty() || challenge.size() > 256) {
      return ErrorResponse(InvalidField("hub.challenge", "must be 1 to 256 characters"));
    }
    HttpResponse echo;
    echo.content_type = "text/plain; charset=utf-8";
    echo.body = challenge;
    return echo;
  }
  if (r.method != "POST") return ErrorResponse(Error{ErrorCode::kNotFound, "no such route"});
  if (r.body_too_large) return TooLargeResponse(r);
  // The signature covers the exact bytes received: check it before reading anything.
  const std::string expected = "sha256=" + HmacSha256Hex(channel->app_secret, r.body);
  if (!ConstantTimeEquals(r.Header("x-hub-signature-256"), expected)) {
    return ErrorResponse(Error{ErrorCode::kUnauthorized, "the X-Hub-Signature-256 does not match"});
  }
  // Bounded like every body, though a provider signed it: a leaked app secret must not buy
  // unbounded work.
  const auto body = ParseJsonText(r.body);
  if (!body.ok()) return ErrorResponse(body.error());
  auto messages = ParseWhatsAppWebhook(body.value());
  if (!messages.ok()) return ErrorResponse(messages.error());

  const Caller as_channel = Caller::ForChannel(channel_id);
  int recorded = 0, repeated = 0, refused = 0;
  ConsistencyToken last;
  for (WhatsAppInbound& m : messages.value()) {
    cmd::ReceiveInbound a;
    a.channel_id = channel_id;
    a.external_id = m.external_id;
    a.text = std::move(m.text);
    a.from_name = std::move(m.name);
    a.from_phone = std::move(m.phone);
    a.sent_at = m.sent_at;
    a.attachments = std::move(m.attachments);
    auto outcome = commands_.Execute(as_channel, a);
    if (!outcome.ok()) {
      const ErrorCode code = outcome.error().code;
      if (code == ErrorCode::kLogUnavailable || code == ErrorCode::kInternal) {
        // Not recorded: Meta sends the whole notification again, and what was recorded before
        // is recognised by its message id.
        return ErrorResponse(outcome.error());
      }
      // This message can never be recorded (too long…): retrying would not help.
      spdlog::warn("WhatsApp message {} on {} refused: {}", a.external_id, channel_id,
                   outcome.error().message);
      ++refused;
      continue;
    }
    if (outcome.value().duplicate) {
      ++repeated;
    } else {
      ++recorded;
    }
    last = outcome.value().token;
  }
  HttpResponse response = JsonResponse(
      200, nlohmann::json{{"recorded", recorded}, {"repeated", repeated}, {"refused", refused}});
  if (recorded > 0) SetPosition(response, last);
  return response;
}

}  // namespace helpdesk
