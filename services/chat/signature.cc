#include "services/chat/signature.h"

#include <sodium.h>

#include <array>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/string_view.h"

namespace cdkv::chat {
namespace {

using Digest = std::array<unsigned char, crypto_hash_sha256_BYTES>;

Digest Mac(std::string_view app_id, std::string_view body, std::string_view timestamp,
           std::string_view secret) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  for (std::string_view part : {app_id, body, timestamp, secret}) {
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(part.data()),
                              part.size());
  }
  Digest digest;
  crypto_hash_sha256_final(&state, digest.data());
  return digest;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string ZaloMacHex(std::string_view app_id, std::string_view raw_body,
                       std::string_view timestamp_text, std::string_view oa_secret) {
  const Digest digest = Mac(app_id, raw_body, timestamp_text, oa_secret);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(digest.size() * 2);
  for (unsigned char b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

absl::Status VerifyZaloSignature(std::string_view header, std::string_view app_id,
                                 std::string_view raw_body, std::string_view timestamp_text,
                                 int64_t timestamp_ms, std::string_view oa_secret,
                                 absl::Time now, const SignatureOptions& options) {
  if (oa_secret.empty()) {
    return absl::UnauthenticatedError("zalo signature: no OA secret configured");
  }
  const std::string_view trimmed = Std(absl::StripAsciiWhitespace(Absl(header)));
  if (trimmed.empty()) return absl::UnauthenticatedError("zalo signature: missing");
  constexpr std::string_view kPrefix = "mac=";
  if (trimmed.substr(0, kPrefix.size()) != kPrefix) {
    return absl::UnauthenticatedError("zalo signature: expected \"mac=<hex>\"");
  }
  const std::string_view hex = trimmed.substr(kPrefix.size());
  Digest given{};
  if (hex.size() != given.size() * 2) {
    return absl::UnauthenticatedError("zalo signature: mac must be 64 hex digits");
  }
  for (size_t i = 0; i < given.size(); ++i) {
    const int hi = HexValue(hex[2 * i]);
    const int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return absl::UnauthenticatedError("zalo signature: mac must be 64 hex digits");
    }
    given[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  const Digest expected = Mac(app_id, raw_body, timestamp_text, oa_secret);
  if (sodium_memcmp(given.data(), expected.data(), given.size()) != 0) {
    return absl::UnauthenticatedError("zalo signature: mac does not match");
  }
  const absl::Time stamped = absl::FromUnixMillis(timestamp_ms);
  if (stamped < now - options.max_age) {
    return absl::UnauthenticatedError(absl::StrCat(
        "zalo signature: replay refused, event is ", absl::FormatDuration(now - stamped),
        " old (window ", absl::FormatDuration(options.max_age), ")"));
  }
  if (stamped > now + options.max_future) {
    return absl::UnauthenticatedError(absl::StrCat(
        "zalo signature: replay refused, event is stamped ",
        absl::FormatDuration(stamped - now), " in the future"));
  }
  return absl::OkStatus();
}

}  // namespace cdkv::chat
