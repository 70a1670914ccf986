// POST /api/v1/checkpoints: a consistent copy of this node's stores under its data folder, for
// backups and for starting new nodes (--bootstrap-from). Admins only: it costs a flush of every
// store and disk space.
#include <spdlog/spdlog.h>

#include "api/app.h"
#include "api/json_io.h"

namespace helpdesk {

std::optional<HttpResponse> App::RouteCheckpoints(const HttpRequest& r, const Caller& caller) {
  const auto& p = r.path;
  if (p.size() != 3 || p[2] != "checkpoints") return std::nullopt;
  if (r.method != "POST" || !checkpoint_) {
    return ErrorResponse(Error{ErrorCode::kNotFound, "no such route"});
  }
  if (caller.role != Role::kAdmin) {
    return ErrorResponse(Forbidden("only admins take checkpoints"));
  }
  if (!r.body.empty()) {
    auto body = Body::Parse(r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    if (auto unknown = body.value().UnknownField({})) {
      return ErrorResponse(InvalidField(*unknown, "is not a field of a checkpoint"));
    }
  }
  auto taken = checkpoint_();
  if (!taken.ok()) return ErrorResponse(taken.error());
  return JsonResponse(201, taken.value());
}

}  // namespace helpdesk
