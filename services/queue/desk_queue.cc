#include "services/queue/desk_queue.h"

#include <cmath>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace cdkv::queue {
namespace {

// KEYS for every script: 1 queue, 2 leases, 3 holders, 4 deadlines.
// Outcome replies are {code, holder}: 1 done, 0 held by `holder`,
// -1 not held / not queued (meaning depends on the script).

constexpr char kEnqueueLua[] = R"lua(
redis.call('HSET', KEYS[4], ARGV[1], ARGV[2])
if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 1 then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1
)lua";

constexpr char kClaimLua[] = R"lua(
local holder = redis.call('HGET', KEYS[3], ARGV[1])
if holder then
  if holder ~= ARGV[2] then return {0, holder} end
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
  return {1, holder}
end
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return {-1, ''} end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
return {1, ARGV[2]}
)lua";

constexpr char kRenewLua[] = R"lua(
local holder = redis.call('HGET', KEYS[3], ARGV[1])
if not holder then return {-1, ''} end
if holder ~= ARGV[2] then return {0, holder} end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return {1, holder}
)lua";

constexpr char kReleaseLua[] = R"lua(
local holder = redis.call('HGET', KEYS[3], ARGV[1])
if not holder then return {-1, ''} end
if holder ~= ARGV[2] then return {0, holder} end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
local deadline = redis.call('HGET', KEYS[4], ARGV[1]) or ARGV[3]
redis.call('ZADD', KEYS[1], deadline, ARGV[1])
return {1, holder}
)lua";

constexpr char kCompleteLua[] = R"lua(
local holder = redis.call('HGET', KEYS[3], ARGV[1])
if holder and holder ~= ARGV[2] then return {0, holder} end
if not holder and redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return {-1, ''}
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
return {1, ARGV[2]}
)lua";

constexpr char kRemoveLua[] = R"lua(
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
return 1
)lua";

// Bounded batches keep each script short; Redis runs nothing else meanwhile.
constexpr int kExpireBatch = 500;

constexpr char kExpireLua[] = R"lua(
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1],
                           'LIMIT', 0, ARGV[2])
for _, filing in ipairs(expired) do
  redis.call('ZREM', KEYS[2], filing)
  redis.call('HDEL', KEYS[3], filing)
  local deadline = redis.call('HGET', KEYS[4], filing) or ARGV[1]
  redis.call('ZADD', KEYS[1], deadline, filing)
end
return expired
)lua";

constexpr char kListLeasesLua[] = R"lua(
local leased = redis.call('ZRANGE', KEYS[2], 0, ARGV[1], 'WITHSCORES')
local out = {}
for i = 1, #leased, 2 do
  out[#out + 1] = leased[i]
  out[#out + 1] = leased[i + 1]
  out[#out + 1] = redis.call('HGET', KEYS[3], leased[i]) or ''
end
return out
)lua";

constexpr size_t kMaxIdBytes = 128;
constexpr int kMaxListLimit = 10000;

absl::Status ValidateId(std::string_view kind, std::string_view value) {
  if (value.empty() || value.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(kind), " must be 1 to ", kMaxIdBytes,
                     " bytes, got ", value.size()));
  }
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          absl::StrCat(std::string(kind), " contains a control character"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateDesk(std::string_view desk) {
  absl::Status status = ValidateId("desk id", desk);
  if (!status.ok()) return status;
  // Braces would change the Redis Cluster hash tag and split a desk's keys
  // across shards, breaking the scripts' atomicity.
  if (desk.find_first_of("{}") != std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "desk id \"", std::string(desk), "\" must not contain '{' or '}'"));
  }
  return absl::OkStatus();
}

absl::Status ValidateLimit(int limit) {
  if (limit < 1 || limit > kMaxListLimit) {
    return absl::InvalidArgumentError(absl::StrCat(
        "limit must be between 1 and ", kMaxListLimit, ", got ", limit));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ParseScore(const RedisReply& reply) {
  double score;
  if (reply.type != RedisReply::Type::kString ||
      !absl::SimpleAtod(reply.str, &score)) {
    return absl::InternalError(
        absl::StrCat("expected a score from redis, got ", reply.DebugString()));
  }
  return static_cast<int64_t>(std::llround(score));
}

struct Outcome {
  int64_t code;
  std::string holder;
};

absl::StatusOr<Outcome> ParseOutcome(const RedisReply& reply) {
  if (reply.type != RedisReply::Type::kArray || reply.elements.size() != 2 ||
      reply.elements[0].type != RedisReply::Type::kInteger) {
    return absl::InternalError(absl::StrCat(
        "unexpected desk queue script reply ", reply.DebugString()));
  }
  return Outcome{reply.elements[0].integer, reply.elements[1].str};
}

absl::Status HeldByOther(std::string_view desk, std::string_view filing_id,
                         std::string_view holder) {
  return absl::FailedPreconditionError(absl::StrCat(
      "filing ", std::string(filing_id), " at desk ", std::string(desk),
      " is held by officer ", std::string(holder)));
}

std::string DeskKey(std::string_view desk, std::string_view suffix) {
  return absl::StrCat("cdkv:{desk:", std::string(desk),
                      "}:", std::string(suffix));
}

}  // namespace

DeskQueue::DeskQueue(RedisClient& client, Options options)
    : client_(client),
      options_(std::move(options)),
      enqueue_(kEnqueueLua),
      claim_(kClaimLua),
      renew_(kRenewLua),
      release_(kReleaseLua),
      complete_(kCompleteLua),
      remove_(kRemoveLua),
      expire_(kExpireLua),
      list_leases_(kListLeasesLua) {}

std::string DeskQueue::QueueKey(std::string_view desk) {
  return DeskKey(desk, "queue");
}
std::string DeskQueue::LeasesKey(std::string_view desk) {
  return DeskKey(desk, "leases");
}
std::string DeskQueue::HoldersKey(std::string_view desk) {
  return DeskKey(desk, "holders");
}
std::string DeskQueue::DeadlinesKey(std::string_view desk) {
  return DeskKey(desk, "deadlines");
}

absl::StatusOr<RedisReply> DeskQueue::RunScript(
    RedisScript& script, std::string_view desk,
    const std::vector<std::string_view>& args) {
  std::string queue = QueueKey(desk);
  std::string leases = LeasesKey(desk);
  std::string holders = HoldersKey(desk);
  std::string deadlines = DeadlinesKey(desk);
  return script.Run(client_, {queue, leases, holders, deadlines}, args);
}

absl::Status DeskQueue::Enqueue(std::string_view desk,
                                std::string_view filing_id,
                                absl::Time deadline) {
  for (absl::Status s :
       {ValidateDesk(desk), ValidateId("filing id", filing_id)}) {
    if (!s.ok()) return s;
  }
  std::string deadline_ms = absl::StrCat(absl::ToUnixMillis(deadline));
  absl::StatusOr<RedisReply> reply =
      RunScript(enqueue_, desk, {filing_id, deadline_ms});
  return reply.status();
}

absl::StatusOr<std::vector<QueuedFiling>> DeskQueue::List(std::string_view desk,
                                                          int limit) {
  for (absl::Status s : {ValidateDesk(desk), ValidateLimit(limit)}) {
    if (!s.ok()) return s;
  }
  std::string key = QueueKey(desk);
  std::string stop = absl::StrCat(limit - 1);
  absl::StatusOr<RedisReply> reply =
      client_.Command({"ZRANGE", key, "0", stop, "WITHSCORES"});
  if (!reply.ok()) return reply.status();
  absl::Status status = ErrorReplyToStatus(*reply, "ZRANGE desk queue");
  if (!status.ok()) return status;
  std::vector<QueuedFiling> filings;
  for (size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
    absl::StatusOr<int64_t> ms = ParseScore(reply->elements[i + 1]);
    if (!ms.ok()) return ms.status();
    filings.push_back({reply->elements[i].str, absl::FromUnixMillis(*ms)});
  }
  return filings;
}

absl::StatusOr<std::vector<DeskLease>> DeskQueue::ListLeases(
    std::string_view desk, int limit) {
  for (absl::Status s : {ValidateDesk(desk), ValidateLimit(limit)}) {
    if (!s.ok()) return s;
  }
  std::string stop = absl::StrCat(limit - 1);
  absl::StatusOr<RedisReply> reply = RunScript(list_leases_, desk, {stop});
  if (!reply.ok()) return reply.status();
  std::vector<DeskLease> leases;
  for (size_t i = 0; i + 2 < reply->elements.size(); i += 3) {
    absl::StatusOr<int64_t> ms = ParseScore(reply->elements[i + 1]);
    if (!ms.ok()) return ms.status();
    leases.push_back({reply->elements[i].str, reply->elements[i + 2].str,
                      absl::FromUnixMillis(*ms)});
  }
  return leases;
}

absl::StatusOr<DeskLease> DeskQueue::Claim(std::string_view desk,
                                           std::string_view filing_id,
                                           std::string_view officer,
                                           absl::Duration lease) {
  for (absl::Status s : {ValidateDesk(desk), ValidateId("filing id", filing_id),
                         ValidateId("officer id", officer)}) {
    if (!s.ok()) return s;
  }
  if (lease <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("lease duration must be positive");
  }
  absl::Time expires = options_.clock() + lease;
  std::string expires_ms = absl::StrCat(absl::ToUnixMillis(expires));
  absl::StatusOr<RedisReply> reply =
      RunScript(claim_, desk, {filing_id, officer, expires_ms});
  if (!reply.ok()) return reply.status();
  absl::StatusOr<Outcome> outcome = ParseOutcome(*reply);
  if (!outcome.ok()) return outcome.status();
  if (outcome->code == 0) return HeldByOther(desk, filing_id, outcome->holder);
  if (outcome->code < 0) {
    return absl::NotFoundError(absl::StrCat(
        "filing ", std::string(filing_id),
        " is not waiting in the queue of desk ", std::string(desk)));
  }
  return DeskLease{std::string(filing_id), std::string(officer),
                   absl::FromUnixMillis(absl::ToUnixMillis(expires))};
}

absl::StatusOr<DeskLease> DeskQueue::Renew(std::string_view desk,
                                           std::string_view filing_id,
                                           std::string_view officer,
                                           absl::Duration lease) {
  for (absl::Status s : {ValidateDesk(desk), ValidateId("filing id", filing_id),
                         ValidateId("officer id", officer)}) {
    if (!s.ok()) return s;
  }
  if (lease <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("lease duration must be positive");
  }
  absl::Time expires = options_.clock() + lease;
  std::string expires_ms = absl::StrCat(absl::ToUnixMillis(expires));
  absl::StatusOr<RedisReply> reply =
      RunScript(renew_, desk, {filing_id, officer, expires_ms});
  if (!reply.ok()) return reply.status();
  absl::StatusOr<Outcome> outcome = ParseOutcome(*reply);
  if (!outcome.ok()) return outcome.status();
  if (outcome->code == 0) return HeldByOther(desk, filing_id, outcome->holder);
  if (outcome->code < 0) {
    return absl::NotFoundError(absl::StrCat(
        "officer ", std::string(officer), " no longer holds filing ",
        std::string(filing_id), " at desk ", std::string(desk),
        "; the lease expired, claim it again"));
  }
  return DeskLease{std::string(filing_id), std::string(officer),
                   absl::FromUnixMillis(absl::ToUnixMillis(expires))};
}

absl::Status DeskQueue::Release(std::string_view desk,
                                std::string_view filing_id,
                                std::string_view officer) {
  for (absl::Status s : {ValidateDesk(desk), ValidateId("filing id", filing_id),
                         ValidateId("officer id", officer)}) {
    if (!s.ok()) return s;
  }
  std::string now_ms = absl::StrCat(absl::ToUnixMillis(options_.clock()));
  absl::StatusOr<RedisReply> reply =
      RunScript(release_, desk, {filing_id, officer, now_ms});
  if (!reply.ok()) return reply.status();
  absl::StatusOr<Outcome> outcome = ParseOutcome(*reply);
  if (!outcome.ok()) return outcome.status();
  if (outcome->code == 0) return HeldByOther(desk, filing_id, outcome->holder);
  return absl::OkStatus();
}

absl::Status DeskQueue::Complete(std::string_view desk,
                                 std::string_view filing_id,
                                 std::string_view officer) {
  for (absl::Status s : {ValidateDesk(desk), ValidateId("filing id", filing_id),
                         ValidateId("officer id", officer)}) {
    if (!s.ok()) return s;
  }
  absl::StatusOr<RedisReply> reply =
      RunScript(complete_, desk, {filing_id, officer});
  if (!reply.ok()) return reply.status();
  absl::StatusOr<Outcome> outcome = ParseOutcome(*reply);
  if (!outcome.ok()) return outcome.status();
  if (outcome->code == 0) return HeldByOther(desk, filing_id, outcome->holder);
  if (outcome->code < 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "filing ", std::string(filing_id), " at desk ", std::string(desk),
        " is waiting in the queue; claim it before completing it"));
  }
  return absl::OkStatus();
}

absl::Status DeskQueue::Remove(std::string_view desk,
                               std::string_view filing_id) {
  for (absl::Status s :
       {ValidateDesk(desk), ValidateId("filing id", filing_id)}) {
    if (!s.ok()) return s;
  }
  return RunScript(remove_, desk, {filing_id}).status();
}

absl::StatusOr<std::vector<std::string>> DeskQueue::ExpireLeases(
    std::string_view desk, absl::Time now) {
  absl::Status status = ValidateDesk(desk);
  if (!status.ok()) return status;
  std::string now_ms = absl::StrCat(absl::ToUnixMillis(now));
  std::string batch = absl::StrCat(kExpireBatch);
  std::vector<std::string> expired;
  while (true) {
    absl::StatusOr<RedisReply> reply =
        RunScript(expire_, desk, {now_ms, batch});
    if (!reply.ok()) return reply.status();
    for (const RedisReply& filing : reply->elements) {
      expired.push_back(filing.str);
    }
    if (reply->elements.size() < static_cast<size_t>(kExpireBatch)) break;
  }
  return expired;
}

}  // namespace cdkv::queue
