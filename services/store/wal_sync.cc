#include "services/store/wal_sync.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"

namespace cdkv::store {
namespace {

absl::Status Errno(const std::string& what, const std::string& path) {
  const int error = errno;
  return absl::InternalError(
      absl::StrCat(what, " ", path, ": ", std::strerror(error)));
}

// The directory entry of a new file is durable only once its directory is.
absl::Status SyncDirectoryOf(const std::string& path) {
  const std::filesystem::path parent =
      std::filesystem::path(path).parent_path();
  const std::string dir = parent.empty() ? std::string(".") : parent.string();
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open directory", dir);
  const int rc = ::fsync(fd);
  absl::Status status = rc == 0 ? absl::OkStatus() : Errno("fsync", dir);
  ::close(fd);
  return status;
}

}  // namespace

WalSync::WalSync(const std::string& database_path)
    : wal_path_(absl::StrCat(database_path, "-wal")) {}

WalSync::~WalSync() {
  if (fd_ >= 0) ::close(fd_);
}

absl::Status WalSync::Open() {
  if (fd_ >= 0) {
    struct stat held {};
    struct stat named {};
    if (::fstat(fd_, &held) == 0 && ::stat(wal_path_.c_str(), &named) == 0 &&
        held.st_dev == named.st_dev && held.st_ino == named.st_ino) {
      return absl::OkStatus();
    }
    ::close(fd_);
    fd_ = -1;
  }
  const int fd = ::open(wal_path_.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open the SQLite log", wal_path_);
  if (absl::Status s = SyncDirectoryOf(wal_path_); !s.ok()) {
    ::close(fd);
    return s;
  }
  fd_ = fd;
  return absl::OkStatus();
}

absl::Status WalSync::Sync() {
  if (absl::Status s = Open(); !s.ok()) return s;
  if (::fdatasync(fd_) != 0) return Errno("fdatasync", wal_path_);
  return absl::OkStatus();
}

}  // namespace cdkv::store
