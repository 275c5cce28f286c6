#include "services/chat/attachment_fetcher.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <map>
#include <span>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/string_view.h"

namespace cdkv::chat {
namespace {

bool IsPublicV4(const uint8_t a[4]) {
  const uint32_t v = uint32_t{a[0]} << 24 | uint32_t{a[1]} << 16 | uint32_t{a[2]} << 8 | a[3];
  auto in = [v](uint32_t net, int bits) {
    const uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
    return (v & mask) == net;
  };
  return !(in(0x00000000, 8) ||     // 0.0.0.0/8 "this network", unspecified
           in(0x0A000000, 8) ||     // 10/8 private
           in(0x64400000, 10) ||    // 100.64/10 carrier-grade NAT
           in(0x7F000000, 8) ||     // 127/8 loopback
           in(0xA9FE0000, 16) ||    // 169.254/16 link-local (cloud metadata)
           in(0xAC100000, 12) ||    // 172.16/12 private
           in(0xC0000000, 24) ||    // 192.0.0/24 protocol assignments
           in(0xC0000200, 24) ||    // 192.0.2/24 documentation
           in(0xC0A80000, 16) ||    // 192.168/16 private
           in(0xC6120000, 15) ||    // 198.18/15 benchmarking
           in(0xC6336400, 24) ||    // 198.51.100/24 documentation
           in(0xCB007100, 24) ||    // 203.0.113/24 documentation
           in(0xE0000000, 4) ||     // 224/4 multicast
           in(0xF0000000, 4));      // 240/4 reserved, broadcast
}

bool IsPublicV6(const uint8_t a[16]) {
  static constexpr uint8_t kZero[16] = {};
  if (std::memcmp(a, kZero, 15) == 0 && (a[15] == 0 || a[15] == 1)) return false;  // :: and ::1
  // ::ffff:a.b.c.d (mapped) and 64:ff9b::a.b.c.d (NAT64): judge the IPv4 inside.
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static constexpr uint8_t kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(a, kMapped, 12) == 0 || std::memcmp(a, kNat64, 12) == 0) {
    return IsPublicV4(a + 12);
  }
  if (std::memcmp(a, kZero, 12) == 0) return false;       // IPv4-compatible (deprecated)
  if ((a[0] & 0xfe) == 0xfc) return false;                // fc00::/7 unique local
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return false;  // fe80::/10 link-local
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) return false;  // fec0::/10 site-local
  if (a[0] == 0xff) return false;                         // multicast
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) return false;  // doc
  return (a[0] & 0xe0) == 0x20;  // only 2000::/3 is global unicast
}

std::string AddressText(const sockaddr* sa) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof buf);
  } else if (sa->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

// All addresses `host` resolves to (numeric hosts resolve to themselves).
absl::StatusOr<std::vector<std::string>> Resolve(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &result);
  if (rc != 0) {
    return absl::NotFoundError(absl::StrCat("attachment host ", host,
                                            " does not resolve: ", gai_strerror(rc)));
  }
  std::vector<std::string> out;
  for (addrinfo* ai = result; ai != nullptr; ai = ai->ai_next) {
    std::string text = AddressText(ai->ai_addr);
    if (!text.empty() && std::find(out.begin(), out.end(), text) == out.end()) {
      out.push_back(std::move(text));
    }
  }
  freeaddrinfo(result);
  if (out.empty()) return absl::NotFoundError(absl::StrCat("attachment host ", host,
                                                           " has no address"));
  return out;
}

bool IsImageContentType(std::string_view value) {
  std::string lower = absl::AsciiStrToLower(Absl(value));
  const size_t semi = lower.find(';');
  if (semi != std::string::npos) lower.resize(semi);
  lower = std::string(absl::StripAsciiWhitespace(lower));
  return lower == "image/jpeg" || lower == "image/jpg" || lower == "image/png" ||
         lower == "image/webp";
}

}  // namespace

bool IsPublicAddress(std::string_view ip) {
  const std::string text(ip);
  uint8_t v4[4];
  if (inet_pton(AF_INET, text.c_str(), v4) == 1) return IsPublicV4(v4);
  uint8_t v6[16];
  if (inet_pton(AF_INET6, text.c_str(), v6) == 1) return IsPublicV6(v6);
  return false;
}

absl::StatusOr<HttpUrl> ParseHttpUrl(std::string_view url) {
  auto bad = [url](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("attachment url \"",
                                                   Absl(url.substr(0, 200)), "\": ", Absl(why)));
  };
  if (url.size() > 4096) return bad("too long");
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return bad("contains spaces or control characters");
  }
  HttpUrl out;
  const size_t colon = url.find("://");
  if (colon == std::string_view::npos) return bad("not an absolute URL");
  out.scheme = absl::AsciiStrToLower(Absl(url.substr(0, colon)));
  if (out.scheme != "http" && out.scheme != "https") return bad("only http and https are allowed");
  std::string_view rest = url.substr(colon + 3);
  if (const size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (!out.target.empty() && out.target[0] == '?') out.target = "/" + out.target;
  if (authority.find('@') != std::string_view::npos) return bad("user-info is not allowed");
  std::string_view port_text;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed IPv6 literal");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("bad authority");
      port_text = after.substr(1);
      if (port_text.empty()) return bad("empty port");
    }
  } else {
    const size_t c = authority.rfind(':');
    if (c != std::string_view::npos) {
      port_text = authority.substr(c + 1);
      authority = authority.substr(0, c);
      if (port_text.empty()) return bad("empty port");
    }
    out.host = absl::AsciiStrToLower(Absl(authority));
  }
  if (out.host.empty()) return bad("empty host");
  if (port_text.empty()) {
    out.port = out.scheme == "https" ? 443 : 80;
  } else {
    int port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
        port > 65535) {
      return bad("bad port");
    }
    out.port = port;
  }
  return out;
}

AttachmentFetcher::AttachmentFetcher(FetchOptions options) : options_(std::move(options)) {}

absl::StatusOr<FetchedImage> AttachmentFetcher::Fetch(std::string_view url_text) const {
  absl::StatusOr<HttpUrl> url = ParseHttpUrl(url_text);
  if (!url.ok()) return url.status();
  const std::string host_port = absl::StrCat(url->host, ":", url->port);
  const bool allow_listed =
      std::find(options_.allowed_private_hosts.begin(), options_.allowed_private_hosts.end(),
                host_port) != options_.allowed_private_hosts.end();

  absl::StatusOr<std::vector<std::string>> addresses =
      options_.resolver ? options_.resolver(url->host) : Resolve(url->host);
  if (!addresses.ok()) return addresses.status();
  if (addresses->empty()) {
    return absl::NotFoundError(absl::StrCat("attachment host ", url->host, " has no address"));
  }
  // Prefer IPv4 (servers often lack IPv6 routes); keep the resolver's order otherwise.
  std::stable_partition(addresses->begin(), addresses->end(),
                        [](const std::string& a) { return a.find(':') == std::string::npos; });
  if (!allow_listed) {
    for (const std::string& a : *addresses) {
      if (!IsPublicAddress(a)) {
        return absl::PermissionDeniedError(absl::StrCat(
            "attachment host ", host_port, " resolves to non-public address ", a));
      }
    }
  }

  const bool v6_literal = url->host.find(':') != std::string::npos;
  const std::string origin = absl::StrCat(url->scheme, "://",
                                          v6_literal ? absl::StrCat("[", url->host, "]")
                                                     : url->host,
                                          ":", url->port);
  httplib::Client client(origin);
  // Connect to the address that was checked, not whatever DNS says next.
  client.set_hostname_addr_map({{url->host, addresses->front()}});
  client.set_follow_location(false);
  const int64_t us = absl::ToInt64Microseconds(options_.timeout);
  client.set_connection_timeout(us / 1000000, us % 1000000);
  client.set_read_timeout(us / 1000000, us % 1000000);
  client.set_write_timeout(us / 1000000, us % 1000000);

  const absl::Time deadline = absl::Now() + options_.timeout;
  absl::Status failure = absl::OkStatus();
  FetchedImage image;
  httplib::Headers headers = {{"Accept", "image/jpeg, image/png, image/webp"}};
  httplib::Result result = client.Get(
      url->target.c_str(), headers,
      [&](const httplib::Response& response) {
        if (response.status >= 300 && response.status < 400) {
          failure = absl::FailedPreconditionError(absl::StrCat(
              "attachment ", host_port, " answered a redirect (HTTP ", response.status,
              "); redirects are not followed"));
          return false;
        }
        if (response.status >= 500) {
          failure = absl::UnavailableError(
              absl::StrCat("attachment ", host_port, " answered HTTP ", response.status));
          return false;
        }
        if (response.status < 200 || response.status >= 300) {
          failure = absl::FailedPreconditionError(
              absl::StrCat("attachment ", host_port, " answered HTTP ", response.status));
          return false;
        }
        image.content_type = response.get_header_value("Content-Type");
        if (!IsImageContentType(image.content_type)) {
          failure = absl::InvalidArgumentError(absl::StrCat(
              "attachment is not an image (Content-Type \"",
              image.content_type.substr(0, 100), "\")"));
          return false;
        }
        const std::string length = response.get_header_value("Content-Length");
        uint64_t declared = 0;
        if (!length.empty()) {
          auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), declared);
          if (ec == std::errc() && end == length.data() + length.size() &&
              declared > options_.max_bytes) {
            failure = absl::ResourceExhaustedError(absl::StrCat(
                "attachment of ", declared, " bytes is over the limit of ", options_.max_bytes));
            return false;
          }
        }
        return true;
      },
      [&](const char* data, size_t size) {
        if (image.bytes.size() + size > options_.max_bytes) {
          failure = absl::ResourceExhaustedError(absl::StrCat(
              "attachment is over the limit of ", options_.max_bytes, " bytes"));
          return false;
        }
        if (absl::Now() > deadline) {
          failure = absl::DeadlineExceededError(absl::StrCat(
              "attachment download took longer than ", absl::FormatDuration(options_.timeout)));
          return false;
        }
        image.bytes.append(data, size);
        return true;
      });
  if (!failure.ok()) return failure;
  if (!result) {
    const httplib::Error error = result.error();
    // The read timeout equals the whole budget, so a timed-out read lands past the deadline.
    if (error == httplib::Error::ConnectionTimeout || absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "attachment ", host_port, " did not answer in time (",
          absl::FormatDuration(options_.timeout), "): ", httplib::to_string(error)));
    }
    return absl::UnavailableError(absl::StrCat("attachment ", host_port,
                                               " unreachable: ", httplib::to_string(error)));
  }
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(image.bytes.data()),
                                       image.bytes.size());
  absl::StatusOr<ocr::ImageFormat> format = ocr::SniffImageFormat(bytes);
  if (!format.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("attachment is not a photo: ", format.status().message()));
  }
  image.format = *format;
  return image;
}

}  // namespace cdkv::chat
