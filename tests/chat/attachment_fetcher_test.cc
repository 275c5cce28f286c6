#include "services/chat/attachment_fetcher.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "tests/chat/local_http_server.h"
#include "tests/support/free_port.h"

namespace cdkv::chat {
namespace {

using testing::LocalHttpServer;

// Enough of a PNG for the magic-byte check: signature and an IHDR chunk.
std::string PngBytes() {
  std::string png("\x89PNG\r\n\x1a\n", 8);
  png += std::string("\x00\x00\x00\x0dIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00",
                     21);
  png += std::string(100, '\x00');
  return png;
}

std::string JpegBytes() {
  std::string jpg("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00", 11);
  jpg += std::string(200, '\x11');
  jpg += std::string("\xFF\xD9", 2);
  return jpg;
}

struct Fixture {
  Fixture() {
    httplib::Server& s = server.server();
    s.Get("/ok.png", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(PngBytes(), "image/png");
    });
    s.Get("/ok.jpg", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(JpegBytes(), "image/jpeg; charset=binary");
    });
    s.Get("/page", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("<html>hi</html>", "text/html");
    });
    s.Get("/fake.jpg", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("%PDF-1.4 not a photo", "image/jpeg");
    });
    s.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      res.set_content(PngBytes(), "image/png");
    });
    s.Get("/dribble", [this](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("image/png", [this](size_t offset, httplib::DataSink& sink) {
        if (offset == 0) {
          const std::string head = PngBytes();
          return sink.write(head.data(), head.size());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (offset > 100000) {
          sink.done();
          return true;
        }
        ++dribbled;
        return sink.write("0123456789", 10);
      });
    });
    s.Get("/huge-declared", [](const httplib::Request&, httplib::Response& res) {
      res.set_content_provider(
          50 * 1024 * 1024, "image/png",
          [](size_t offset, size_t length, httplib::DataSink& sink) {
            std::string chunk(std::min<size_t>(length, 64 * 1024), '\0');
            if (offset == 0) chunk.replace(0, 8, std::string("\x89PNG\r\n\x1a\n", 8));
            return sink.write(chunk.data(), chunk.size());
          });
    });
    s.Get("/huge-chunked", [this](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("image/png", [this](size_t offset, httplib::DataSink& sink) {
        if (offset >= 50u * 1024 * 1024) {
          sink.done();
          return true;
        }
        std::string chunk(64 * 1024, '\0');
        if (offset == 0) chunk.replace(0, 8, std::string("\x89PNG\r\n\x1a\n", 8));
        streamed += chunk.size();
        return sink.write(chunk.data(), chunk.size());
      });
    });
    s.Get("/redirect", [this](const httplib::Request&, httplib::Response& res) {
      res.set_redirect(server.Url("/ok.png"));
    });
    s.Get("/missing", [](const httplib::Request&, httplib::Response& res) { res.status = 404; });
    s.Get("/broken", [](const httplib::Request&, httplib::Response& res) { res.status = 503; });
    server.Start();
    options.allowed_private_hosts = {server.HostPort()};
    options.timeout = absl::Seconds(5);
    options.max_bytes = 1024 * 1024;
  }

  // Declared before the server, which is stopped (and its handlers joined) first.
  std::atomic<int> dribbled{0};
  std::atomic<size_t> streamed{0};
  LocalHttpServer server;
  FetchOptions options;
};

TEST_CASE("fetches an allow-listed local image", "[attachment_fetcher]") {
  Fixture f;
  AttachmentFetcher fetcher(f.options);
  auto png = fetcher.Fetch(f.server.Url("/ok.png"));
  REQUIRE(png.ok());
  CHECK(png->bytes == PngBytes());
  CHECK(png->format == ocr::ImageFormat::kPng);
  CHECK(png->content_type == "image/png");

  auto jpg = fetcher.Fetch(f.server.Url("/ok.jpg?size=big#frag"));
  REQUIRE(jpg.ok());
  CHECK(jpg->format == ocr::ImageFormat::kJpeg);
}

TEST_CASE("the connection goes to the address that was checked", "[attachment_fetcher]") {
  Fixture f;
  const std::string port = std::to_string(f.server.port());
  // "photos.cdn.test" does not exist in DNS; the resolver says 127.0.0.1, and
  // the fetch only works if the connection uses that answer.
  FetchOptions pinned = f.options;
  pinned.allowed_private_hosts = {"photos.cdn.test:" + port};
  int calls = 0;
  pinned.resolver = [&calls](const std::string& host)
      -> absl::StatusOr<std::vector<std::string>> {
    ++calls;
    CHECK(host == "photos.cdn.test");
    return std::vector<std::string>{"::1", "127.0.0.1"};  // IPv4 is preferred
  };
  auto r = AttachmentFetcher(pinned).Fetch("http://photos.cdn.test:" + port + "/ok.png");
  REQUIRE(r.ok());
  CHECK(r->bytes == PngBytes());
  CHECK(calls == 1);
  CHECK(f.server.paths() == std::vector<std::string>{"/ok.png"});

  // A public-looking name that resolves to any private address is refused.
  FetchOptions strict = f.options;
  strict.allowed_private_hosts.clear();
  strict.resolver = [](const std::string&) -> absl::StatusOr<std::vector<std::string>> {
    return std::vector<std::string>{"8.8.8.8", "127.0.0.1"};
  };
  CHECK(AttachmentFetcher(strict).Fetch("http://rebind.example:" + port + "/ok.png")
            .status().code() == absl::StatusCode::kPermissionDenied);
  strict.resolver = [](const std::string&) -> absl::StatusOr<std::vector<std::string>> {
    return absl::NotFoundError("no such host");
  };
  CHECK(AttachmentFetcher(strict).Fetch("http://nx.example/a.png").status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(f.server.requests() == 1);
}

TEST_CASE("an allow-listed name resolves through the system resolver", "[attachment_fetcher]") {
  Fixture f;
  FetchOptions options = f.options;
  options.allowed_private_hosts = {"localhost:" + std::to_string(f.server.port())};
  auto r = AttachmentFetcher(options).Fetch(
      "http://localhost:" + std::to_string(f.server.port()) + "/ok.png");
  REQUIRE(r.ok());
  CHECK(r->format == ocr::ImageFormat::kPng);
}

TEST_CASE("a slow server times out", "[attachment_fetcher]") {
  Fixture f;
  f.options.timeout = absl::Milliseconds(300);
  AttachmentFetcher fetcher(f.options);
  const auto start = std::chrono::steady_clock::now();
  auto r = fetcher.Fetch(f.server.Url("/slow"));
  CHECK(r.status().code() == absl::StatusCode::kDeadlineExceeded);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1400));
}

TEST_CASE("a server that dribbles bytes hits the overall deadline", "[attachment_fetcher]") {
  Fixture f;
  f.options.timeout = absl::Milliseconds(500);
  AttachmentFetcher fetcher(f.options);
  auto r = fetcher.Fetch(f.server.Url("/dribble"));
  CHECK(r.status().code() == absl::StatusCode::kDeadlineExceeded);
  CHECK(f.dribbled.load() < 20);
}

TEST_CASE("a declared oversize body is refused before reading it", "[attachment_fetcher]") {
  Fixture f;
  AttachmentFetcher fetcher(f.options);
  auto r = fetcher.Fetch(f.server.Url("/huge-declared"));
  CHECK(r.status().code() == absl::StatusCode::kResourceExhausted);
  CHECK_THAT(std::string(r.status().message()), Catch::Contains("52428800 bytes"));
}

TEST_CASE("an undeclared oversize body stops at the cap", "[attachment_fetcher]") {
  Fixture f;
  AttachmentFetcher fetcher(f.options);
  auto r = fetcher.Fetch(f.server.Url("/huge-chunked"));
  CHECK(r.status().code() == absl::StatusCode::kResourceExhausted);
  // The client hung up long before the server's 50 MiB (socket buffers allow some slack).
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(f.streamed.load() < 20u * 1024 * 1024);
}

TEST_CASE("non-images are refused by content type and by magic bytes", "[attachment_fetcher]") {
  Fixture f;
  AttachmentFetcher fetcher(f.options);
  auto html = fetcher.Fetch(f.server.Url("/page"));
  CHECK(html.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(html.status().message()), Catch::Contains("text/html"));
  auto fake = fetcher.Fetch(f.server.Url("/fake.jpg"));
  CHECK(fake.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(fake.status().message()), Catch::Contains("not a photo"));
}

TEST_CASE("redirects are not followed", "[attachment_fetcher]") {
  Fixture f;
  AttachmentFetcher fetcher(f.options);
  auto r = fetcher.Fetch(f.server.Url("/redirect"));
  CHECK(r.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(std::string(r.status().message()), Catch::Contains("redirect"));
  CHECK(f.server.paths() == std::vector<std::string>{"/redirect"});  // /ok.png never asked for
}

TEST_CASE("HTTP errors map to clear statuses", "[attachment_fetcher]") {
  Fixture f;
  AttachmentFetcher fetcher(f.options);
  CHECK(fetcher.Fetch(f.server.Url("/missing")).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(fetcher.Fetch(f.server.Url("/broken")).status().code() ==
        absl::StatusCode::kUnavailable);
}

TEST_CASE("a refused connection on an allow-listed port is UNAVAILABLE", "[attachment_fetcher]") {
  auto port = cdkv::testing::FreeLoopbackPort();
  REQUIRE(port.ok());
  FetchOptions options;
  options.timeout = absl::Seconds(2);
  options.allowed_private_hosts = {"127.0.0.1:" + std::to_string(*port)};
  AttachmentFetcher fetcher(options);
  auto r = fetcher.Fetch("http://127.0.0.1:" + std::to_string(*port) + "/x.png");
  CHECK(r.status().code() == absl::StatusCode::kUnavailable);
}

TEST_CASE("private and loopback hosts are refused before any connection",
          "[attachment_fetcher]") {
  Fixture f;
  FetchOptions strict = f.options;
  strict.allowed_private_hosts.clear();
  AttachmentFetcher fetcher(strict);
  const std::string port = std::to_string(f.server.port());
  for (const std::string& url :
       {f.server.Url("/ok.png"), "http://localhost:" + port + "/ok.png",
        "http://LOCALHOST:" + port + "/ok.png", "http://[::1]:" + port + "/ok.png",
        "http://[::ffff:127.0.0.1]:" + port + "/ok.png", "http://0.0.0.0:" + port + "/ok.png",
        "http://127.1.2.3:" + port + "/ok.png", std::string("http://10.0.0.5/a.jpg"),
        std::string("http://192.168.1.1/a.jpg"), std::string("https://172.16.0.1/a.jpg"),
        std::string("http://169.254.169.254/latest/meta-data/"),
        std::string("http://100.64.0.1/a.jpg"), std::string("http://[fe80::1]/a.jpg"),
        std::string("http://[fd00::1]/a.jpg")}) {
    INFO(url);
    auto r = fetcher.Fetch(url);
    CHECK(r.status().code() == absl::StatusCode::kPermissionDenied);
  }
  CHECK(f.server.requests() == 0);

  // The allow-list is exact: the same host on another port is still refused.
  FetchOptions other = f.options;
  other.allowed_private_hosts = {"127.0.0.1:1"};
  CHECK(AttachmentFetcher(other).Fetch(f.server.Url("/ok.png")).status().code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(f.server.requests() == 0);
}

TEST_CASE("bad URLs are INVALID_ARGUMENT", "[attachment_fetcher]") {
  AttachmentFetcher fetcher(FetchOptions{});
  for (const char* url :
       {"ftp://example.com/a.jpg", "file:///etc/passwd", "gopher://x/", "example.com/a.jpg",
        "http://user:pw@example.com/a.jpg", "http:///a.jpg", "http://example.com:0/",
        "http://example.com:99999/", "http://example.com:/", "http://exa mple.com/",
        "http://[::1/a.jpg"}) {
    INFO(url);
    CHECK(fetcher.Fetch(url).status().code() == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("ParseHttpUrl splits scheme, host, port and target", "[attachment_fetcher]") {
  auto u = ParseHttpUrl("HTTPS://Cdn.Example.com/p/a.jpg?x=1#f");
  REQUIRE(u.ok());
  CHECK(u->scheme == "https");
  CHECK(u->host == "cdn.example.com");
  CHECK(u->port == 443);
  CHECK(u->target == "/p/a.jpg?x=1");
  auto v = ParseHttpUrl("http://[2001:db8::1]:8080");
  REQUIRE(v.ok());
  CHECK(v->host == "2001:db8::1");
  CHECK(v->port == 8080);
  CHECK(v->target == "/");
  auto q = ParseHttpUrl("http://h?x");
  REQUIRE(q.ok());
  CHECK(q->port == 80);
  CHECK(q->target == "/?x");
}

TEST_CASE("IsPublicAddress", "[attachment_fetcher]") {
  for (const char* ip : {"8.8.8.8", "1.1.1.1", "203.113.131.1", "2001:4860:4860::8888",
                         "::ffff:8.8.8.8"}) {
    INFO(ip);
    CHECK(IsPublicAddress(ip));
  }
  for (const char* ip :
       {"0.0.0.0", "127.0.0.1", "127.255.255.254", "10.1.1.1", "172.16.0.1", "172.31.255.255",
        "192.168.0.1", "169.254.169.254", "100.64.0.1", "224.0.0.1", "255.255.255.255",
        "192.0.2.1", "::", "::1", "fe80::1", "fc00::1", "fd12::1", "ff02::1", "::ffff:10.0.0.1",
        "::ffff:127.0.0.1", "64:ff9b::7f00:1", "2001:db8::1", "not-an-ip", ""}) {
    INFO(ip);
    CHECK_FALSE(IsPublicAddress(ip));
  }
  CHECK(IsPublicAddress("172.32.0.1"));
  CHECK(IsPublicAddress("100.128.0.1"));
}

}  // namespace
}  // namespace cdkv::chat
