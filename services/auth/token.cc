#include "services/auth/token.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"

namespace cdkv::auth {
namespace {

using Key = std::array<unsigned char, TokenSigner::kKeySize>;
using Mac = std::array<unsigned char, crypto_auth_hmacsha256_BYTES>;

constexpr int kTokenVersion = 1;
// Tokens from a server whose clock runs a little ahead are still accepted.
constexpr absl::Duration kClockSkew = absl::Minutes(5);

// Closes a file descriptor on every return path.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  // Closes now so a failing close (lost write) can be reported.
  int Close() {
    int rc = close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

absl::Status ErrnoError(absl::string_view what, const std::filesystem::path& p,
                        int err) {
  return absl::ErrnoToStatus(
      err, absl::StrCat(what, " ", p.string(), ": ", std::strerror(err)));
}

std::string Base64UrlEncode(const unsigned char* data, size_t size) {
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(size, variant), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, variant);
  out.resize(out.size() - 1);  // The encoded length counts the final NUL.
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  std::string out(text.size() * 3 / 4 + 1, '\0');
  size_t out_size = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()),
                        out.size(), text.data(), text.size(), nullptr,
                        &out_size, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(out_size);
  return out;
}

Mac ComputeMac(const Key& key, std::string_view message) {
  Mac mac;
  crypto_auth_hmacsha256(mac.data(),
                         reinterpret_cast<const unsigned char*>(message.data()),
                         message.size(), key.data());
  return mac;
}

absl::Status Unauthenticated(absl::string_view message) {
  return absl::UnauthenticatedError(message);
}

absl::Status MalformedToken() {
  return Unauthenticated("malformed token; sign in again");
}

std::optional<std::string> StringField(const nlohmann::json& payload,
                                       const char* name) {
  auto it = payload.find(name);
  if (it == payload.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<int64_t> IntField(const nlohmann::json& payload,
                                const char* name) {
  auto it = payload.find(name);
  if (it == payload.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

// Reads and checks an existing key file. NOT_FOUND when there is none.
absl::StatusOr<Key> ReadKeyFile(const std::filesystem::path& path) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.ok()) return ErrnoError("cannot open token key file", path, errno);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) {
    return ErrnoError("cannot stat token key file", path, errno);
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "token key file ", path.string(), " is not a regular file"));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "token key file %s has mode %04o, so other users may read it; run "
        "`chmod 600 %s` (and consider rotating the key)",
        path.string(), st.st_mode & 07777, path.string()));
  }
  if (st.st_size != static_cast<off_t>(TokenSigner::kKeySize)) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "token key file %s has %d bytes, expected %d; restore the right file "
        "or delete it to create a new key (this signs everyone out)",
        path.string(), static_cast<int64_t>(st.st_size),
        TokenSigner::kKeySize));
  }
  Key key;
  size_t done = 0;
  while (done < key.size()) {
    ssize_t n = read(fd.get(), key.data() + done, key.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("cannot read token key file", path, errno);
    if (n == 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "token key file ", path.string(), " shrank while being read"));
    }
    done += static_cast<size_t>(n);
  }
  return key;
}

// Writes a fresh key beside `path` and links it into place. link() never
// replaces an existing file, so if another process created the key first,
// its key wins and this one is discarded.
absl::Status CreateKeyFile(const std::filesystem::path& path) {
  Key key;
  randombytes_buf(key.data(), key.size());
  unsigned char suffix[8];
  randombytes_buf(suffix, sizeof(suffix));
  std::filesystem::path tmp = path;
  tmp += ".tmp-" + Base64UrlEncode(suffix, sizeof(suffix));

  Fd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  sodium_memzero(suffix, sizeof(suffix));
  if (!fd.ok()) return ErrnoError("cannot create token key file", tmp, errno);
  absl::Status status;
  if (fchmod(fd.get(), 0600) != 0) {
    status = ErrnoError("cannot chmod token key file", tmp, errno);
  }
  size_t done = 0;
  while (status.ok() && done < key.size()) {
    ssize_t n = write(fd.get(), key.data() + done, key.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = ErrnoError("cannot write token key file", tmp, errno);
    } else {
      done += static_cast<size_t>(n);
    }
  }
  sodium_memzero(key.data(), key.size());
  if (status.ok() && fsync(fd.get()) != 0) {
    status = ErrnoError("cannot sync token key file", tmp, errno);
  }
  if (fd.Close() != 0 && status.ok()) {
    status = ErrnoError("cannot close token key file", tmp, errno);
  }
  if (status.ok() && link(tmp.c_str(), path.c_str()) != 0 && errno != EEXIST) {
    status =
        ErrnoError("cannot move token key file into place at", path, errno);
  }
  unlink(tmp.c_str());
  if (!status.ok()) return status;

  // Make the new directory entry durable, or a crash could lose the key and
  // sign everyone out.
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  Fd dir_fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd.ok() || fsync(dir_fd.get()) != 0) {
    return ErrnoError("cannot sync directory", dir, errno);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TokenSigner> TokenSigner::LoadOrCreate(
    const std::filesystem::path& key_file) {
  if (sodium_init() < 0)
    return absl::InternalError("libsodium failed to initialize");
  absl::StatusOr<Key> key = ReadKeyFile(key_file);
  if (absl::IsNotFound(key.status())) {
    if (absl::Status created = CreateKeyFile(key_file); !created.ok()) {
      return created;
    }
    key = ReadKeyFile(key_file);
  }
  if (!key.ok()) return key.status();
  TokenSigner signer(*key);
  sodium_memzero(key->data(), key->size());
  return signer;
}

absl::StatusOr<TokenSigner> TokenSigner::FromKey(std::string_view key) {
  if (sodium_init() < 0)
    return absl::InternalError("libsodium failed to initialize");
  if (key.size() != kKeySize) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "token key has %d bytes, expected %d", key.size(), kKeySize));
  }
  Key bytes;
  std::memcpy(bytes.data(), key.data(), kKeySize);
  return TokenSigner(bytes);
}

TokenSigner::~TokenSigner() { sodium_memzero(key_.data(), key_.size()); }

std::string TokenSigner::Issue(const Principal& principal, absl::Time now,
                               absl::Duration ttl) const {
  nlohmann::json payload = {
      {"v", kTokenVersion},
      {"sub", principal.account_id},
      {"role", std::string(domain::RoleName(principal.role))},
      {"name", principal.display_name},
      {"desks", principal.desk_codes},
      {"district", principal.district_code},
      {"province", principal.province_code},
      {"gen", principal.token_generation},
      {"iat", absl::ToUnixSeconds(now)},
      {"exp", absl::ToUnixSeconds(now + ttl)},
  };
  // Replacing invalid UTF-8 instead of throwing: a bad display name must not
  // take a sign-in (or a gRPC reactor) down.
  const std::string json =
      payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string token = Base64UrlEncode(
      reinterpret_cast<const unsigned char*>(json.data()), json.size());
  const Mac mac = ComputeMac(key_, token);
  token += '.';
  token += Base64UrlEncode(mac.data(), mac.size());
  return token;
}

absl::StatusOr<TokenClaims> TokenSigner::VerifyClaims(std::string_view token,
                                                      absl::Time now) const {
  if (token.empty()) return Unauthenticated("missing token; sign in first");
  if (token.size() > kMaxTokenSize) {
    return Unauthenticated(absl::StrCat("token is larger than ", kMaxTokenSize,
                                        " bytes; sign in again"));
  }
  const size_t dot = token.find('.');
  if (dot == std::string_view::npos || dot == 0 ||
      token.find('.', dot + 1) != std::string_view::npos) {
    return MalformedToken();
  }
  const std::string_view encoded_payload = token.substr(0, dot);
  std::optional<std::string> mac = Base64UrlDecode(token.substr(dot + 1));
  if (!mac.has_value() || mac->size() != crypto_auth_hmacsha256_BYTES) {
    return MalformedToken();
  }
  const Mac expected = ComputeMac(key_, encoded_payload);
  if (sodium_memcmp(expected.data(), mac->data(), expected.size()) != 0) {
    return Unauthenticated(
        "token signature is invalid (altered, or from another server); sign "
        "in again");
  }

  // From here on the payload was written by this server.
  std::optional<std::string> json = Base64UrlDecode(encoded_payload);
  if (!json.has_value()) return MalformedToken();
  nlohmann::json payload = nlohmann::json::parse(*json, nullptr, false);
  if (payload.is_discarded() || !payload.is_object()) return MalformedToken();

  std::optional<int64_t> version = IntField(payload, "v");
  if (version != kTokenVersion) {
    return Unauthenticated(
        "token format is no longer supported; sign in again");
  }
  std::optional<std::string> sub = StringField(payload, "sub");
  std::optional<std::string> role_name = StringField(payload, "role");
  std::optional<std::string> name = StringField(payload, "name");
  std::optional<std::string> district = StringField(payload, "district");
  std::optional<std::string> province = StringField(payload, "province");
  std::optional<int64_t> iat = IntField(payload, "iat");
  std::optional<int64_t> exp = IntField(payload, "exp");
  // Tokens issued before generations existed have none: generation 0, which
  // is what every account starts with.
  std::optional<int64_t> generation = int64_t{0};
  if (payload.contains("gen")) generation = IntField(payload, "gen");
  auto desks = payload.find("desks");
  if (!sub || sub->empty() || !role_name || !name || !district || !province ||
      !iat || !exp || !generation || *generation < 0 ||
      desks == payload.end() || !desks->is_array()) {
    return MalformedToken();
  }
  absl::StatusOr<domain::Role> role = domain::ParseRole(*role_name);
  if (!role.ok() || *role == domain::Role::kSystem) return MalformedToken();

  TokenClaims claims;
  claims.issued_at = absl::FromUnixSeconds(*iat);
  claims.expires_at = absl::FromUnixSeconds(*exp);
  if (now >= claims.expires_at) {
    return Unauthenticated("token expired; sign in again");
  }
  if (claims.issued_at > now + kClockSkew) {
    return Unauthenticated(
        "token was issued in the future; check the server clocks, then sign "
        "in again");
  }
  Principal& p = claims.principal;
  for (const nlohmann::json& desk : *desks) {
    if (!desk.is_string()) return MalformedToken();
    p.desk_codes.push_back(desk.get<std::string>());
  }
  p.account_id = std::move(*sub);
  p.role = *role;
  p.display_name = std::move(*name);
  p.district_code = std::move(*district);
  p.province_code = std::move(*province);
  p.token_generation = *generation;
  return claims;
}

absl::StatusOr<Principal> TokenSigner::Verify(std::string_view token,
                                              absl::Time now) const {
  absl::StatusOr<TokenClaims> claims = VerifyClaims(token, now);
  if (!claims.ok()) return claims.status();
  return std::move(claims->principal);
}

}  // namespace cdkv::auth
