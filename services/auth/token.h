#ifndef CDKV_SERVICES_AUTH_TOKEN_H_
#define CDKV_SERVICES_AUTH_TOKEN_H_

#include <array>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/auth/principal.h"

namespace cdkv::auth {

// What a valid token says, with its lifetime (GetSession reports the expiry).
struct TokenClaims {
  Principal principal;
  absl::Time issued_at;
  absl::Time expires_at;
};

// Issues and checks bearer tokens:
//   base64url(JSON payload) "." base64url(HMAC-SHA256(key, first part))
// The MAC covers the encoded payload text, so a forged token is rejected
// before a single byte of attacker-controlled JSON is parsed. Tokens are
// self-contained (no database lookup per call); they cannot be revoked
// before expiry except by rotating the key, which signs everyone out.
//
// Thread-safe: all methods are const and the key never changes.
class TokenSigner {
 public:
  static constexpr size_t kKeySize = 32;
  // Larger tokens are refused unread; issued tokens stay far below this
  // because AccountStore bounds names and desk lists.
  static constexpr size_t kMaxTokenSize = 4096;

  // Reads the key from `key_file`, or creates it (random, mode 0600, written
  // to a temporary file and linked into place so a reader never sees half a
  // key and two processes starting together end up with the same key).
  // Refuses a key file of the wrong size or with any group/other permission.
  static absl::StatusOr<TokenSigner> LoadOrCreate(
      const std::filesystem::path& key_file);
  // For tests and tools: a signer with the given kKeySize-byte key.
  static absl::StatusOr<TokenSigner> FromKey(std::string_view key);

  TokenSigner(const TokenSigner&) = default;
  TokenSigner& operator=(const TokenSigner&) = default;
  ~TokenSigner();

  // A token for `principal` valid from `now` for `ttl`. The role must be one
  // a person holds (not kSystem): Verify refuses anything else.
  std::string Issue(const Principal& principal, absl::Time now,
                    absl::Duration ttl) const;

  // UNAUTHENTICATED, with a message saying what to do, for an empty,
  // oversize, malformed, forged (wrong key or altered), or expired token.
  absl::StatusOr<TokenClaims> VerifyClaims(std::string_view token,
                                           absl::Time now) const;
  absl::StatusOr<Principal> Verify(std::string_view token,
                                   absl::Time now) const;

 private:
  explicit TokenSigner(const std::array<unsigned char, kKeySize>& key)
      : key_(key) {}

  std::array<unsigned char, kKeySize> key_;
};

}  // namespace cdkv::auth

#endif  // CDKV_SERVICES_AUTH_TOKEN_H_
