#include "services/auth/token.h"

#include <sodium.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"
#include "tests/support/temp_dir.h"

namespace cdkv::auth {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'790'000'000);

TokenSigner Signer(char fill) {
  absl::StatusOr<TokenSigner> signer =
      TokenSigner::FromKey(std::string(TokenSigner::kKeySize, fill));
  REQUIRE(signer.ok());
  return *signer;
}

Principal Officer() {
  Principal p;
  p.account_id = "stf_officer1";
  p.role = domain::Role::kOfficer;
  p.display_name = "Nguyễn Thị Lan";
  p.desk_codes = {"XA-00001-MC", "XA-00001-TP"};
  return p;
}

std::string B64(std::string_view bytes) {
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(),
                    reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  out.pop_back();
  return out;
}

std::string UnB64(std::string_view text) {
  std::string out(text.size(), '\0');
  size_t size = 0;
  REQUIRE(sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()),
                            out.size(), text.data(), text.size(), nullptr,
                            &size, nullptr,
                            sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0);
  out.resize(size);
  return out;
}

// Expects UNAUTHENTICATED whose message contains `needle`.
void RequireRejected(const absl::StatusOr<Principal>& result,
                     const std::string& needle) {
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK_THAT(std::string(result.status().message()), Catch::Contains(needle));
}

TEST_CASE("a token round-trips the principal and its lifetime", "[token]") {
  const TokenSigner signer = Signer('k');
  const std::string token = signer.Issue(Officer(), kNow, absl::Hours(12));
  CHECK(token.size() < TokenSigner::kMaxTokenSize);

  absl::StatusOr<TokenClaims> claims =
      signer.VerifyClaims(token, kNow + absl::Hours(1));
  REQUIRE(claims.ok());
  const Principal& p = claims->principal;
  CHECK(p.account_id == "stf_officer1");
  CHECK(p.role == domain::Role::kOfficer);
  CHECK(p.display_name == "Nguyễn Thị Lan");
  CHECK(p.desk_codes == std::vector<std::string>{"XA-00001-MC", "XA-00001-TP"});
  CHECK(p.district_code.empty());
  CHECK(claims->issued_at == kNow);
  CHECK(claims->expires_at == kNow + absl::Hours(12));
}

TEST_CASE("a supervisor token keeps the jurisdiction", "[token]") {
  const TokenSigner signer = Signer('k');
  Principal p;
  p.account_id = "stf_sup";
  p.role = domain::Role::kSupervisor;
  p.district_code = "271";
  p.province_code = "01";
  absl::StatusOr<Principal> back =
      signer.Verify(signer.Issue(p, kNow, absl::Hours(1)), kNow);
  REQUIRE(back.ok());
  CHECK(back->role == domain::Role::kSupervisor);
  CHECK(back->district_code == "271");
  CHECK(back->province_code == "01");
  CHECK(back->desk_codes.empty());
}

TEST_CASE("a token expires at its expiry and not before", "[token]") {
  const TokenSigner signer = Signer('k');
  const std::string token = signer.Issue(Officer(), kNow, absl::Hours(12));
  CHECK(signer.Verify(token, kNow + absl::Hours(12) - absl::Seconds(1)).ok());
  RequireRejected(signer.Verify(token, kNow + absl::Hours(12)),
                  "token expired; sign in again");
  RequireRejected(signer.Verify(token, kNow + absl::Hours(100)),
                  "token expired");
}

TEST_CASE("an altered payload is rejected as forged", "[token]") {
  const TokenSigner signer = Signer('k');
  const std::string token = signer.Issue(Officer(), kNow, absl::Hours(1));
  const size_t dot = token.find('.');
  nlohmann::json payload = nlohmann::json::parse(UnB64(token.substr(0, dot)));
  SECTION("promoted to supervisor") {
    payload["role"] = "supervisor";
    payload["province"] = "01";
  }
  SECTION("another desk") { payload["desks"].push_back("XA-99999-MC"); }
  SECTION("longer life") {
    payload["exp"] = payload["exp"].get<int64_t>() + 86400;
  }
  const std::string forged = B64(payload.dump()) + token.substr(dot);
  RequireRejected(signer.Verify(forged, kNow), "signature is invalid");
}

TEST_CASE("an altered MAC is rejected", "[token]") {
  const TokenSigner signer = Signer('k');
  std::string token = signer.Issue(Officer(), kNow, absl::Hours(1));
  // Changing the first MAC character changes decoded bits (the last one
  // may carry only padding bits).
  const size_t first_mac_char = token.find('.') + 1;
  token[first_mac_char] = token[first_mac_char] == 'A' ? 'B' : 'A';
  RequireRejected(signer.Verify(token, kNow), "signature is invalid");
}

TEST_CASE("a token from another key is rejected", "[token]") {
  const std::string token = Signer('x').Issue(Officer(), kNow, absl::Hours(1));
  RequireRejected(Signer('k').Verify(token, kNow), "signature is invalid");
}

TEST_CASE("empty, oversize and garbage tokens are rejected", "[token]") {
  const TokenSigner signer = Signer('k');
  RequireRejected(signer.Verify("", kNow), "missing token");
  RequireRejected(
      signer.Verify(std::string(TokenSigner::kMaxTokenSize + 1, 'a'), kNow),
      "larger than 4096 bytes");
  for (const char* garbage :
       {"abc", ".", "a.", ".abc", "a.b.c", "!!!!.????", "eyJ2IjoxfQ.AAAA"}) {
    INFO(garbage);
    RequireRejected(signer.Verify(garbage, kNow), "malformed token");
  }
  // A correctly signed payload that is not a token of ours.
  const std::string token = signer.Issue(Officer(), kNow, absl::Hours(1));
  RequireRejected(signer.Verify(token + "." + token, kNow), "malformed");
}

TEST_CASE("a system principal cannot be turned into a usable token",
          "[token]") {
  const TokenSigner signer = Signer('k');
  Principal p = Officer();
  p.role = domain::Role::kSystem;
  RequireRejected(signer.Verify(signer.Issue(p, kNow, absl::Hours(1)), kNow),
                  "malformed");
}

TEST_CASE("FromKey insists on 32 bytes", "[token]") {
  CHECK(TokenSigner::FromKey("short").status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("LoadOrCreate creates a private key file and reloads it",
          "[token][key_file]") {
  absl::StatusOr<testing::TempDir> dir = testing::TempDir::Create();
  REQUIRE(dir.ok());
  const std::filesystem::path key_file = dir->path() / "token.key";

  absl::StatusOr<TokenSigner> created = TokenSigner::LoadOrCreate(key_file);
  REQUIRE(created.ok());
  struct stat st;
  REQUIRE(stat(key_file.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  CHECK(st.st_size == 32);
  // No temporary file is left behind.
  CHECK(std::distance(std::filesystem::directory_iterator(dir->path()),
                      std::filesystem::directory_iterator()) == 1);

  absl::StatusOr<TokenSigner> loaded = TokenSigner::LoadOrCreate(key_file);
  REQUIRE(loaded.ok());
  const std::string token = created->Issue(Officer(), kNow, absl::Hours(1));
  CHECK(loaded->Verify(token, kNow).ok());

  // A different key file is a different key.
  absl::StatusOr<TokenSigner> other =
      TokenSigner::LoadOrCreate(dir->path() / "other.key");
  REQUIRE(other.ok());
  RequireRejected(other->Verify(token, kNow), "signature");
}

TEST_CASE("LoadOrCreate refuses a readable or wrong-size key file",
          "[token][key_file]") {
  absl::StatusOr<testing::TempDir> dir = testing::TempDir::Create();
  REQUIRE(dir.ok());
  const std::filesystem::path key_file = dir->path() / "token.key";
  REQUIRE(TokenSigner::LoadOrCreate(key_file).ok());

  SECTION("readable by others") {
    REQUIRE(chmod(key_file.c_str(), 0644) == 0);
    absl::StatusOr<TokenSigner> signer = TokenSigner::LoadOrCreate(key_file);
    REQUIRE_FALSE(signer.ok());
    CHECK(signer.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(std::string(signer.status().message()),
               Catch::Contains("chmod 600"));
  }
  SECTION("wrong size") {
    std::ofstream(key_file, std::ios::app) << "x";
    absl::StatusOr<TokenSigner> signer = TokenSigner::LoadOrCreate(key_file);
    REQUIRE_FALSE(signer.ok());
    CHECK(signer.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(std::string(signer.status().message()),
               Catch::Contains("33 bytes, expected 32"));
  }
  SECTION("a missing directory") {
    absl::StatusOr<TokenSigner> signer =
        TokenSigner::LoadOrCreate(dir->path() / "nope" / "token.key");
    CHECK_FALSE(signer.ok());
  }
}

// A token signed with Signer('k')'s key over `payload`, as the server would.
std::string SignedPayload(const nlohmann::json& payload) {
  const std::string encoded = B64(payload.dump());
  const std::string key(TokenSigner::kKeySize, 'k');
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(
      &state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(
      &state, reinterpret_cast<const unsigned char*>(encoded.data()),
      encoded.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return encoded + "." +
         B64(std::string_view(reinterpret_cast<const char*>(mac), sizeof(mac)));
}

TEST_CASE("a token carries its account's token generation", "[token]") {
  const TokenSigner signer = Signer('k');
  Principal p = Officer();
  p.token_generation = 7;
  const std::string token = signer.Issue(p, kNow, absl::Hours(1));
  absl::StatusOr<Principal> back = signer.Verify(token, kNow);
  REQUIRE(back.ok());
  CHECK(back->token_generation == 7);

  const size_t dot = token.find('.');
  nlohmann::json payload = nlohmann::json::parse(UnB64(token.substr(0, dot)));
  CHECK(payload["gen"] == 7);
  // A properly signed token with a bad generation is still refused.
  payload["gen"] = -1;
  RequireRejected(signer.Verify(SignedPayload(payload), kNow), "malformed");
  payload["gen"] = "7";
  RequireRejected(signer.Verify(SignedPayload(payload), kNow), "malformed");
  // Tokens issued before generations existed count as generation 0.
  payload.erase("gen");
  back = signer.Verify(SignedPayload(payload), kNow);
  REQUIRE(back.ok());
  CHECK(back->token_generation == 0);
}

}  // namespace
}  // namespace cdkv::auth
