#ifndef CDKV_SERVICES_API_DEPS_H_
#define CDKV_SERVICES_API_DEPS_H_

#include <functional>
#include <string>

#include "absl/time/time.h"
#include "services/api/filing_events.h"
#include "services/auth/account_store.h"
#include "services/auth/token.h"
#include "services/domain/catalog.h"
#include "services/domain/working_calendar.h"
#include "services/queue/redis.h"
#include "services/records/record_store.h"
#include "services/store/blob_store.h"

namespace cdkv::api {

// What the handlers share. Owned by the server; every member outlives the
// services.
struct Deps {
  const domain::Catalog* catalog = nullptr;
  const domain::WorkingCalendar* calendar = nullptr;
  records::RecordStore* records = nullptr;
  const store::BlobStore* blobs = nullptr;
  const auth::TokenSigner* signer = nullptr;
  // Whether a staff token's account is still enabled and the token not
  // revoked (Authorize asks on every call).
  auth::AccountStore* accounts = nullptr;
  FilingEvents* events = nullptr;
  // Wakes the outbox dispatcher after a commit that wrote outbox rows.
  std::function<void()> poke_outbox = [] {};
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // This thread's Redis connection, or null when Redis is not configured or
  // unreachable. The record store stays the truth either way; Redis arbitrates
  // claims when it is there.
  std::function<queue::RedisClient*()> redis = [] { return nullptr; };
  // Pre-fill off (the server's --prefill off): a submitted filing goes to its
  // desk in the submit's own transaction, with an empty form to fill.
  bool prefill_off = false;
  int64_t max_upload_bytes = 20 * 1024 * 1024;
  // Threads of each service's handler pool (see ServeOnPool).
  int handler_threads = 64;
  absl::Duration claim_lease = absl::Minutes(15);
};

}  // namespace cdkv::api

#endif  // CDKV_SERVICES_API_DEPS_H_
