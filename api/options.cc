#include "api/options.h"

namespace helpdesk {

std::string Usage() {
  return "usage: helpdeskd [serve] --listen HOST:PORT --data DIR --admin-token TOKEN\n"
         "                 [--kafka HOST:PORT[,HOST:PORT...]] [--log-level LEVEL]\n"
         "       helpdeskd rebuild --data DIR\n"
         "environment: HELPDESK_LISTEN HELPDESK_DATA HELPDESK_ADMIN_TOKEN HELPDESK_KAFKA "
         "HELPDESK_LOG_LEVEL\n";
}

Result<Options> ParseOptions(const std::vector<std::string>& args,
                             const std::function<const char*(const char*)>& env) {
  Options o;
  auto from_env = [&](const char* name, std::string& into) {
    if (const char* v = env(name); v && *v) into = v;
  };
  from_env("HELPDESK_LISTEN", o.listen);
  from_env("HELPDESK_DATA", o.data);
  from_env("HELPDESK_ADMIN_TOKEN", o.admin_token);
  from_env("HELPDESK_KAFKA", o.kafka);
  from_env("HELPDESK_LOG_LEVEL", o.log_level);
  size_t i = 0;
  if (!args.empty() && (args[0] == "serve" || args[0] == "rebuild")) {
    o.command = args[0];
    i = 1;
  }
  for (; i < args.size(); ++i) {
    const std::string& flag = args[i];
    auto value = [&](std::string& into) -> Status {
      if (i + 1 >= args.size()) return InvalidField(flag, "needs a value");
      into = args[++i];
      return Status::Ok();
    };
    Status s;
    if (flag == "--listen")
      s = value(o.listen);
    else if (flag == "--data")
      s = value(o.data);
    else if (flag == "--admin-token")
      s = value(o.admin_token);
    else if (flag == "--kafka")
      s = value(o.kafka);
    else if (flag == "--log-level")
      s = value(o.log_level);
    else
      return Error{ErrorCode::kInvalidField, "unknown flag " + flag};
    if (!s.ok()) return s.error();
  }
  if (o.command == "serve" && o.admin_token.empty()) {
    return Error{ErrorCode::kInvalidField, "--admin-token (or HELPDESK_ADMIN_TOKEN) is required"};
  }
  return o;
}

}  // namespace helpdesk
