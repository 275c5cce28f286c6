// An httplib::Server on 127.0.0.1 for chat tests: handlers are registered
// before Start(); it counts the requests it received.
#ifndef CDKV_TESTS_CHAT_LOCAL_HTTP_SERVER_H_
#define CDKV_TESTS_CHAT_LOCAL_HTTP_SERVER_H_

#include <httplib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/free_port.h"

namespace cdkv::chat::testing {

class LocalHttpServer {
 public:
  LocalHttpServer() {
    // Counted before routing, so the count is up to date when the client has its answer.
    server_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response&) {
      ++requests_;
      {
        std::lock_guard<std::mutex> lock(mu_);
        paths_.push_back(req.path);
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
  }
  ~LocalHttpServer() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  httplib::Server& server() { return server_; }

  void Start() {
    for (int attempt = 0; attempt < 5 && port_ == 0; ++attempt) {
      auto port = cdkv::testing::FreeLoopbackPort();
      REQUIRE(port.ok());
      if (server_.bind_to_port("127.0.0.1", *port)) port_ = *port;
    }
    REQUIRE(port_ != 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() is a no-op until the accept loop runs, so a test that ends
    // before the loop started would hang in join(): wait for it.
    for (int i = 0; i < 5000 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    REQUIRE(server_.is_running());
  }

  int port() const { return port_; }
  std::string HostPort() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string Url(const std::string& path) const { return "http://" + HostPort() + path; }
  // Requests received so far, and their paths in order.
  int requests() const { return requests_.load(); }
  std::vector<std::string> paths() {
    std::lock_guard<std::mutex> lock(mu_);
    return paths_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> requests_{0};
  std::mutex mu_;
  std::vector<std::string> paths_;
};

}  // namespace cdkv::chat::testing

#endif  // CDKV_TESTS_CHAT_LOCAL_HTTP_SERVER_H_
