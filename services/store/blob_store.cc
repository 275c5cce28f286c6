#include "services/store/blob_store.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"

namespace cdkv::store {
namespace {

constexpr char kTempPrefix[] = ".tmp-";

// Owns a file descriptor; close errors are checked explicitly where they
// matter (after writing), so the destructor only cleans up.
class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int Release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

absl::Status ErrnoStatus(int err, std::string_view what,
                         const std::filesystem::path& path) {
  std::string message = absl::StrCat(std::string(what), " ", path.string(),
                                     ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
    case EROFS:
      return absl::PermissionDeniedError(message);
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(message);
    default:
      return absl::InternalError(message);
  }
}

absl::Status FsyncDirectory(const std::filesystem::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(errno, "cannot open directory", dir);
  if (::fsync(fd.get()) != 0) return ErrnoStatus(errno, "cannot fsync", dir);
  return absl::OkStatus();
}

absl::Status WriteAll(int fd, std::string_view bytes,
                      const std::filesystem::path& path) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "cannot write", path);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status InvalidHash(std::string_view hash) {
  constexpr size_t kShown = 80;
  return absl::InvalidArgumentError(absl::StrCat(
      "\"", std::string(hash.substr(0, kShown)),
      hash.size() > kShown ? "..." : "",
      "\" is not a blob hash; expected 64 lowercase hex digits (SHA-256)"));
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest,
                     reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
  return std::string(hex, crypto_hash_sha256_BYTES * 2);
}

bool IsValidBlobHash(std::string_view hash) {
  if (hash.size() != crypto_hash_sha256_BYTES * 2) return false;
  for (char c : hash) {
    bool digit = c >= '0' && c <= '9';
    bool lower_hex = c >= 'a' && c <= 'f';
    if (!digit && !lower_hex) return false;
  }
  return true;
}

absl::StatusOr<BlobStore> BlobStore::Open(const std::filesystem::path& root,
                                          size_t max_blob_bytes) {
  if (sodium_init() < 0) {
    return absl::InternalError("libsodium failed to initialize");
  }
  if (root.empty()) {
    return absl::InvalidArgumentError("blob store root must not be empty");
  }
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("cannot create blob store root ",
                                            root.string(), ": ", ec.message()));
  }
  std::filesystem::path absolute = std::filesystem::canonical(root, ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("cannot resolve blob store root ",
                                            root.string(), ": ", ec.message()));
  }
  return BlobStore(std::move(absolute), max_blob_bytes);
}

std::filesystem::path BlobStore::PathFor(std::string_view hash) const {
  return root_ / std::string(hash.substr(0, 2)) /
         std::string(hash.substr(2, 2)) / std::string(hash);
}

absl::StatusOr<std::string> BlobStore::Put(std::string_view bytes) const {
  if (bytes.size() > max_blob_bytes_) {
    return absl::InvalidArgumentError(absl::StrCat("blob is ", bytes.size(),
                                                   " bytes; the limit is ",
                                                   max_blob_bytes_, " bytes"));
  }
  std::string hash = Sha256Hex(bytes);
  absl::StatusOr<std::string> existing = Get(hash);
  if (existing.ok()) return hash;
  // DATA_LOSS falls through: rewriting the file repairs it.
  if (existing.status().code() != absl::StatusCode::kNotFound &&
      existing.status().code() != absl::StatusCode::kDataLoss) {
    return existing.status();
  }
  absl::Status status = WriteDurably(PathFor(hash), bytes);
  if (!status.ok()) return status;
  return hash;
}

absl::Status BlobStore::WriteDurably(const std::filesystem::path& final_path,
                                     std::string_view bytes) const {
  std::filesystem::path leaf_dir = final_path.parent_path();
  std::filesystem::path mid_dir = leaf_dir.parent_path();
  std::error_code ec;
  std::filesystem::create_directories(leaf_dir, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot create ", leaf_dir.string(), ": ", ec.message()));
  }
  // Same directory as the target, so rename is atomic and never crosses a
  // filesystem.
  std::string temp_path =
      (leaf_dir / absl::StrCat(kTempPrefix, "XXXXXX")).string();
  UniqueFd fd(::mkostemp(temp_path.data(), O_CLOEXEC));
  if (fd.get() < 0)
    return ErrnoStatus(errno, "cannot create temp file in", leaf_dir);
  absl::Status status = WriteAll(fd.get(), bytes, temp_path);
  if (status.ok() && ::fsync(fd.get()) != 0) {
    status = ErrnoStatus(errno, "cannot fsync", temp_path);
  }
  if (status.ok() && ::close(fd.Release()) != 0) {
    status = ErrnoStatus(errno, "cannot close", temp_path);
  }
  if (status.ok() && ::rename(temp_path.c_str(), final_path.c_str()) != 0) {
    status = ErrnoStatus(errno, "cannot rename into", final_path);
  }
  if (!status.ok()) {
    ::unlink(temp_path.c_str());
    return status;
  }
  // The rename is durable only once its directory is synced, and a freshly
  // created directory only once its parent is. Syncing all three levels
  // every time also covers directories created by a Put that crashed before
  // syncing them.
  for (const std::filesystem::path& dir : {leaf_dir, mid_dir, root_}) {
    status = FsyncDirectory(dir);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> BlobStore::Get(std::string_view hash) const {
  if (!IsValidBlobHash(hash)) return InvalidHash(hash);
  std::filesystem::path path = PathFor(hash);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) {
      return absl::NotFoundError(
          absl::StrCat("no blob with hash ", std::string(hash)));
    }
    return ErrnoStatus(errno, "cannot open", path);
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0)
    return ErrnoStatus(errno, "cannot stat", path);
  std::string bytes;
  bytes.reserve(static_cast<size_t>(st.st_size));
  char buffer[64 * 1024];
  while (true) {
    ssize_t n = ::read(fd.get(), buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "cannot read", path);
    }
    if (n == 0) break;
    bytes.append(buffer, static_cast<size_t>(n));
  }
  std::string actual = Sha256Hex(bytes);
  if (actual != hash) {
    return absl::DataLossError(
        absl::StrCat("blob ", std::string(hash), " is corrupt on disk (",
                     bytes.size(), " bytes hashing to ", actual,
                     "); restore it from backup or ask the "
                     "citizen to upload the photo again"));
  }
  return bytes;
}

absl::StatusOr<bool> BlobStore::Exists(std::string_view hash) const {
  if (!IsValidBlobHash(hash)) return InvalidHash(hash);
  std::filesystem::path path = PathFor(hash);
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) return S_ISREG(st.st_mode);
  if (errno == ENOENT) return false;
  return ErrnoStatus(errno, "cannot stat", path);
}

absl::StatusOr<int> BlobStore::RemoveStaleTempFiles(
    absl::Duration min_age) const {
  using Clock = std::filesystem::file_time_type::clock;
  const Clock::time_point cutoff =
      Clock::now() - std::chrono::duration_cast<Clock::duration>(
                         absl::ToChronoNanoseconds(min_age));
  int removed = 0;
  std::error_code ec;
  std::filesystem::recursive_directory_iterator it(root_, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    // Temp files live only in the leaf (<root>/ab/cd/) directories.
    if (it.depth() > 2) {
      it.disable_recursion_pending();
      continue;
    }
    const std::filesystem::directory_entry& entry = *it;
    std::string name = entry.path().filename().string();
    if (name.rfind(kTempPrefix, 0) != 0) continue;
    std::error_code file_ec;
    if (!entry.is_regular_file(file_ec)) continue;
    Clock::time_point modified = entry.last_write_time(file_ec);
    if (file_ec || modified > cutoff) continue;
    if (std::filesystem::remove(entry.path(), file_ec)) ++removed;
  }
  if (ec) {
    return absl::InternalError(absl::StrCat(
        "cannot scan blob store ", root_.string(), ": ", ec.message()));
  }
  return removed;
}

}  // namespace cdkv::store
