#include "api/node.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "adapters/embedded_log.h"

namespace helpdesk {
namespace {

std::string LogDir(const std::string& data) {
  return (std::filesystem::path(data) / "log").string();
}
std::string ViewsDir(const std::string& data) {
  return (std::filesystem::path(data) / "views").string();
}

Status EnsureDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error{ErrorCode::kInternal, "cannot create " + dir + ": " + ec.message()};
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Node>> Node::Start(const NodeOptions& options) {
  Status made = EnsureDir(options.data_dir);
  if (!made.ok()) return made.error();
  std::unique_ptr<Node> node(new Node());
  auto log = EmbeddedLog::Open(LogDir(options.data_dir));
  if (!log.ok()) return log.error();
  node->log_ = std::move(log).value();
  auto views = ViewStore::Open(ViewsDir(options.data_dir));
  if (!views.ok()) return views.error();
  node->views_ = std::move(views).value();

  node->commands_ = std::make_unique<CommandService>(*node->log_, node->clock_);
  Status loaded = node->commands_->Load();
  if (!loaded.ok()) return loaded.error();
  node->projections_ = std::make_unique<ProjectionRunner>(*node->log_, *node->views_);
  node->projections_->Start();
  node->queries_ = std::make_unique<ViewQueries>(*node->views_);
  node->scheduler_ =
      std::make_unique<WakeScheduler>(*node->commands_, *node->queries_, node->clock_);
  node->scheduler_->Start();
  node->app_ = std::make_unique<App>(*node->commands_, *node->views_, *node->projections_,
                                     *node->log_, node->clock_, options.admin_token);
  return node;
}

Node::~Node() {
  // Stop the producers of work before what they use: scheduler, projections, then storage.
  scheduler_.reset();
  app_.reset();
  projections_.reset();
  commands_.reset();
  views_.reset();
  log_.reset();
  spdlog::info("node stopped");
}

Status RebuildViews(const std::string& data_dir) {
  auto log = EmbeddedLog::Open(LogDir(data_dir));
  if (!log.ok()) return log.error();
  Status destroyed = ViewStore::Destroy(ViewsDir(data_dir));
  if (!destroyed.ok()) return destroyed;
  auto views = ViewStore::Open(ViewsDir(data_dir));
  if (!views.ok()) return views.error();
  ProjectionRunner runner(*log.value(), *views.value());
  Status done = runner.CatchUp();
  if (!done.ok()) return done;
  spdlog::info("views rebuilt up to {}", runner.Applied().ToString());
  return Status::Ok();
}

}  // namespace helpdesk
