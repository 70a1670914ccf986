#include "adapters/attachment_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "adapters/random_ids.h"
#include "domain/attachment.h"

namespace helpdesk {
namespace {

Error IoError(const std::string& what, const std::string& path) {
  return Error{ErrorCode::kInternal, what + " " + path + ": " + std::strerror(errno)};
}

// Makes the entries of folder `dir` durable.
Status SyncDir(const std::string& dir) {
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return IoError("cannot open", dir);
  const int synced = ::fsync(dfd);
  ::close(dfd);
  if (synced != 0) return IoError("cannot sync", dir);
  return Status::Ok();
}

// Writes `bytes` to `path` through a temp file and a rename, fsyncing file and directory, so
// that a crash leaves either nothing or the whole file.
Status WriteDurably(const std::string& path, std::string_view bytes) {
  static std::atomic<uint64_t> counter{0};
  const std::string tmp =
      path + ".tmp" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot create", tmp);
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Error e = IoError("cannot write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return e;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Error e = IoError("cannot sync", tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return e;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Error e = IoError("cannot rename into", path);
    ::unlink(tmp.c_str());
    return e;
  }
  return SyncDir(std::filesystem::path(path).parent_path().string());
}

Result<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("attachment");
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return IoError("cannot read", path);
  return out.str();
}

}  // namespace

Result<std::unique_ptr<AttachmentStore>> AttachmentStore::Open(const std::string& root) {
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) {
    return Error{ErrorCode::kInternal, "cannot create " + root + ": " + ec.message()};
  }
  return std::unique_ptr<AttachmentStore>(new AttachmentStore(root));
}

std::string AttachmentStore::PathOf(const std::string& sha256) const {
  return root_ + "/" + sha256.substr(0, 2) + "/" + sha256;
}

Result<AttachmentInfo> AttachmentStore::Put(std::string_view bytes, const std::string& content_type,
                                            const std::string& name) const {
  const std::string sha = Sha256Hex(bytes);
  if (auto existing = Info(sha); existing.ok()) return existing;
  std::error_code ec;
  const std::string folder = root_ + "/" + sha.substr(0, 2);
  if (std::filesystem::create_directories(folder, ec)) {
    if (Status s = SyncDir(root_); !s.ok()) return s.error();  // the new folder's entry
  }
  if (ec) return Error{ErrorCode::kInternal, "cannot create a folder in " + root_};
  // The bytes first, then the description: Info answers only once both are there.
  const std::string path = PathOf(sha);
  if (Status s = WriteDurably(path, bytes); !s.ok()) return s.error();
  const nlohmann::json meta{{"content_type", content_type}, {"name", name}, {"size", bytes.size()}};
  if (Status s = WriteDurably(path + ".json", meta.dump()); !s.ok()) return s.error();
  AttachmentInfo info{sha, content_type, name, bytes.size()};
  return info;
}

Result<AttachmentInfo> AttachmentStore::Info(const std::string& sha256) const {
  if (!IsSha256Hex(sha256)) return NotFound("attachment " + sha256);
  auto text = ReadWhole(PathOf(sha256) + ".json");
  if (!text.ok()) return NotFound("attachment " + sha256);
  const nlohmann::json meta = nlohmann::json::parse(text.value(), nullptr, false);
  const auto field = [&meta](const char* key) {
    return meta.is_object() && meta.contains(key) ? meta.at(key) : nlohmann::json();
  };
  const nlohmann::json type = field("content_type"), name = field("name"), size = field("size");
  if (!type.is_string() || !name.is_string() || !size.is_number_unsigned()) {
    return Error{ErrorCode::kInternal, "the description of attachment " + sha256 + " is damaged"};
  }
  return AttachmentInfo{sha256, type.get<std::string>(), name.get<std::string>(),
                        size.get<uint64_t>()};
}

Result<std::string> AttachmentStore::Read(const std::string& sha256) const {
  if (!IsSha256Hex(sha256)) return NotFound("attachment " + sha256);
  auto bytes = ReadWhole(PathOf(sha256));
  if (!bytes.ok() && bytes.error().code == ErrorCode::kNotFound) {
    return NotFound("attachment " + sha256);
  }
  return bytes;
}

}  // namespace helpdesk
