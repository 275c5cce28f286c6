// Downloads a chat attachment (a photo the citizen sent) from the URL in the
// webhook event, defensively: the URL comes from the internet, so the fetch
// must not become a way to reach our own network (SSRF) or to exhaust memory.
//
//  - http and https only; no user-info in the URL;
//  - the host is resolved once, every address must be public (not private,
//    loopback, link-local, CGNAT, multicast, reserved or unspecified), and the
//    connection is pinned to the checked address (no DNS rebinding);
//  - except host:port pairs explicitly allow-listed (tests, a local mirror);
//  - redirects are never followed (a 3xx is an error);
//  - connect/read timeouts and an overall deadline;
//  - the body is streamed and the download stops as soon as it passes the cap;
//  - Content-Type must be image/*, and the bytes must be JPEG, PNG or WebP by
//    their magic numbers.
#ifndef CDKV_SERVICES_CHAT_ATTACHMENT_FETCHER_H_
#define CDKV_SERVICES_CHAT_ATTACHMENT_FETCHER_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ocr/image_header.h"

namespace cdkv::chat {

struct FetchOptions {
  absl::Duration timeout = absl::Seconds(15);  // whole download
  size_t max_bytes = 10 * 1024 * 1024;
  // "host:port" pairs (host as written in the URL, e.g. "127.0.0.1:8080") that
  // may be fetched although they resolve to non-public addresses.
  std::vector<std::string> allowed_private_hosts;
  // Resolves a host name to numeric addresses; empty means getaddrinfo.
  // Tests substitute one to show the connection goes to the checked address.
  std::function<absl::StatusOr<std::vector<std::string>>(const std::string& host)> resolver;
};

struct FetchedImage {
  std::string bytes;
  std::string content_type;  // as the server sent it
  ocr::ImageFormat format = ocr::ImageFormat::kJpeg;
};

struct HttpUrl {
  std::string scheme;  // "http" or "https", lower case
  std::string host;    // without brackets for IPv6 literals
  int port = 0;        // explicit or the scheme's default
  std::string target;  // path and query, at least "/"
};

// Parses an absolute http(s) URL. Other schemes, user-info, bad ports and
// empty hosts are INVALID_ARGUMENT.
absl::StatusOr<HttpUrl> ParseHttpUrl(std::string_view url);

// True for a numeric IPv4/IPv6 address that is safe to connect to from the
// server (globally routable unicast). False for anything else, including
// text that is not an address.
bool IsPublicAddress(std::string_view ip);

class AttachmentFetcher {
 public:
  explicit AttachmentFetcher(FetchOptions options);

  // Errors: INVALID_ARGUMENT (bad URL, not an image, wrong content type),
  // PERMISSION_DENIED (host resolves to a non-public address; nothing was
  // sent), NOT_FOUND (host does not resolve), FAILED_PRECONDITION (redirect,
  // 4xx), RESOURCE_EXHAUSTED (over max_bytes), DEADLINE_EXCEEDED (timeout),
  // UNAVAILABLE (connection failed, 5xx).
  absl::StatusOr<FetchedImage> Fetch(std::string_view url) const;

 private:
  FetchOptions options_;
};

}  // namespace cdkv::chat

#endif  // CDKV_SERVICES_CHAT_ATTACHMENT_FETCHER_H_
