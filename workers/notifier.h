#ifndef CDKV_WORKERS_NOTIFIER_H_
#define CDKV_WORKERS_NOTIFIER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/queue/job_stream.h"
#include "services/queue/redis.h"
#include "services/records/record_store.h"
#include "workers/wakeup.h"

namespace httplib {
class Client;
}  // namespace httplib

namespace cdkv::workers {

// Sends notifications to citizens through an SMS / Zalo gateway: consumes
// the "notifications" job stream on one thread, loads the notification from
// the store and POSTs
//   {"notification_id", "citizen_id", "filing_id", "kind", "text", "pickup"}
// (pickup: the PickupDetails JSON object, or null) to `webhook_url` with the
// header `Idempotency-Key: <notification_id>`, so the gateway can drop the
// duplicates that at-least-once delivery produces.
//
// A 2xx answer acks the job. A 5xx, 408, 429, timeout or connection failure
// leaves it pending to be redelivered after `lease`, and dead-letters it on
// the max_deliveries-th failure. Any other answer (the gateway refuses the
// request itself) and a notification missing from the store are
// dead-lettered at once. An empty webhook_url means in-app delivery only:
// jobs are acked without sending.
//
// URLs are "http(s)://host[:port][/path]"; HTTPS verifies the gateway's
// certificate against the system's CA store.
//
// With a chat_route, each notification is offered to it first: a filing made
// in a chat is answered in that chat (the route enqueues it, true), and the
// job is acked without calling the webhook. Its errors are handled like the
// webhook's: INVALID_ARGUMENT, NOT_FOUND and FAILED_PRECONDITION dead-letter
// at once, anything else is retried.
class Notifier {
 public:
  using ChatRoute =
      std::function<absl::StatusOr<bool>(const records::NotificationRow&)>;

  struct Options {
    queue::RedisClient::Options redis;
    std::string webhook_url;
    absl::Duration http_timeout = absl::Seconds(5);
    absl::Duration lease = absl::Seconds(30);
    int max_deliveries = 5;
    // Empty means ProcessConsumerName("notify").
    std::string consumer;
    absl::Duration read_block = absl::Milliseconds(500);
    // Optional; e.g. chat::ChatNoticeRoute. Called on the notifier's thread.
    ChatRoute chat_route;
  };

  Notifier(records::RecordStore& records, Options options);
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // INVALID_ARGUMENT if webhook_url is not empty and not an http(s) URL.
  absl::Status Start();
  void Stop();

 private:
  void Run();
  void Handle(queue::JobStream& stream, const queue::Job& job);
  absl::StatusOr<records::NotificationRow> Load(int64_t id,
                                                const std::string& citizen_id);
  // OK when the gateway accepted; FAILED_PRECONDITION when it refused for
  // good; UNAVAILABLE when worth retrying.
  absl::Status Post(const records::NotificationRow& row);
  // A text to a phone with no notification row (sign-in codes); the job id is
  // the idempotency key.
  absl::Status PostSms(const std::string& job_id, const std::string& phone,
                       const std::string& text);
  absl::Status Send(const std::string& idempotency_key,
                    const std::string& body);

  records::RecordStore& records_;
  Options options_;
  std::string base_;  // "http(s)://host[:port]"
  std::string path_;
  // The gateway connection, used by the notifier thread only.
  std::unique_ptr<httplib::Client> http_;
  Wakeup wakeup_;
  std::thread thread_;
};

}  // namespace cdkv::workers

#endif  // CDKV_WORKERS_NOTIFIER_H_
