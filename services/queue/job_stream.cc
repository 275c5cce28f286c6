#include "services/queue/job_stream.h"

#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace cdkv::queue {
namespace {

// KEYS[1] stream; ARGV[1] group, ARGV[2] id. Deletes only what this group
// has just acknowledged: an id that was never delivered stays.
constexpr char kAckLua[] = R"lua(
local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
if acked == 1 then redis.call('XDEL', KEYS[1], ARGV[2]) end
return acked
)lua";

// KEYS[1] stream, KEYS[2] dead letters; ARGV[1] group, ARGV[2] id,
// ARGV[3..] the dead letter's fields. The dead letter is written before the
// job is removed, and only while the job is still pending, so racing
// consumers record it once.
constexpr char kDeadLetterLua[] = R"lua(
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
if #pending == 0 then return 0 end
redis.call('XADD', KEYS[2], '*', unpack(ARGV, 3))
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
return 1
)lua";

constexpr char kFieldPrefix[] = "field:";
// XAUTOCLAIM scans the pending list in pages; bound the pages per call so a
// huge backlog of fresh pending jobs cannot stall a consumer.
constexpr int kMaxAutoclaimPages = 16;
constexpr int kMaxCount = 10000;

absl::Status ValidateCount(int count) {
  if (count < 1 || count > kMaxCount) {
    return absl::InvalidArgumentError(absl::StrCat(
        "count must be between 1 and ", kMaxCount, ", got ", count));
  }
  return absl::OkStatus();
}

absl::Status ValidateConsumer(std::string_view consumer) {
  if (consumer.empty() || consumer.size() > 200) {
    return absl::InvalidArgumentError("consumer name must be 1 to 200 bytes");
  }
  return absl::OkStatus();
}

absl::Status Malformed(std::string_view what, const RedisReply& reply) {
  return absl::InternalError(absl::StrCat("unexpected ", std::string(what),
                                          " reply: ", reply.DebugString()));
}

// One stream entry: [id, [field, value, ...]]. The field list is nil for an
// entry deleted while pending; such entries yield no job.
absl::StatusOr<std::optional<Job>> ParseEntry(const RedisReply& entry) {
  if (entry.type != RedisReply::Type::kArray || entry.elements.size() != 2) {
    return Malformed("stream entry", entry);
  }
  const RedisReply& fields = entry.elements[1];
  if (fields.IsNil()) return std::optional<Job>();
  if (fields.type != RedisReply::Type::kArray || fields.elements.size() % 2) {
    return Malformed("stream entry fields", entry);
  }
  Job job;
  job.id = entry.elements[0].str;
  for (size_t i = 0; i < fields.elements.size(); i += 2) {
    job.fields.emplace_back(fields.elements[i].str, fields.elements[i + 1].str);
  }
  return std::optional<Job>(std::move(job));
}

absl::StatusOr<std::vector<Job>> ParseEntries(const RedisReply& entries) {
  if (entries.type != RedisReply::Type::kArray) {
    return Malformed("stream entries", entries);
  }
  std::vector<Job> jobs;
  for (const RedisReply& entry : entries.elements) {
    absl::StatusOr<std::optional<Job>> job = ParseEntry(entry);
    if (!job.ok()) return job.status();
    if (job->has_value()) jobs.push_back(**std::move(job));
  }
  return jobs;
}

}  // namespace

const std::string* Job::Find(std::string_view name) const {
  for (const auto& [key, value] : fields) {
    if (key == name) return &value;
  }
  return nullptr;
}

JobStream::JobStream(RedisClient& client, std::string_view name,
                     Options options)
    : client_(client),
      options_(options),
      stream_key_(absl::StrCat("cdkv:{jobs:", std::string(name), "}:stream")),
      dead_letter_key_(
          absl::StrCat("cdkv:{jobs:", std::string(name), "}:dead")),
      ack_(kAckLua),
      dead_letter_(kDeadLetterLua) {}

absl::Status JobStream::EnsureGroup() {
  // Start at "0", not "$": if the stream already holds jobs (added after
  // Redis lost the group), they must still be delivered.
  absl::StatusOr<RedisReply> reply = client_.Command(
      {"XGROUP", "CREATE", stream_key_, kGroup, "0", "MKSTREAM"});
  if (!reply.ok()) return reply.status();
  if (!reply->IsErrorCode("BUSYGROUP")) {
    absl::Status status = ErrorReplyToStatus(*reply, "XGROUP CREATE");
    if (!status.ok()) return status;
  }
  reply = client_.Command({"XINFO", "GROUPS", stream_key_});
  if (!reply.ok()) return reply.status();
  absl::Status status = ErrorReplyToStatus(*reply, "XINFO GROUPS");
  if (!status.ok()) return status;
  if (reply->elements.size() != 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        stream_key_, " has ", reply->elements.size(),
        " consumer groups; JobStream deletes acknowledged entries and so "
        "requires exactly one (\"",
        kGroup, "\"). Remove the others with XGROUP DESTROY"));
  }
  return absl::OkStatus();
}

absl::StatusOr<RedisReply> JobStream::WithGroup(
    const std::vector<std::string_view>& argv, absl::Duration block) {
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<RedisReply> reply = client_.BlockingCommand(argv, block);
    if (!reply.ok()) return reply;
    if (reply->IsErrorCode("NOGROUP") && attempt == 0) {
      // Redis lost the stream (restart without persistence, FLUSHALL).
      absl::Status status = EnsureGroup();
      if (!status.ok()) return status;
      continue;
    }
    absl::Status status = ErrorReplyToStatus(*reply, std::string(argv[0]));
    if (!status.ok()) return status;
    return reply;
  }
}

absl::StatusOr<std::string> JobStream::Add(const JobFields& fields) {
  if (fields.empty()) {
    return absl::InvalidArgumentError("a job needs at least one field");
  }
  std::vector<std::string_view> argv = {"XADD", stream_key_, "*"};
  for (const auto& [name, value] : fields) {
    if (name.empty()) {
      return absl::InvalidArgumentError("job field names must not be empty");
    }
    argv.push_back(name);
    argv.push_back(value);
  }
  absl::StatusOr<RedisReply> reply = client_.Command(argv);
  if (!reply.ok()) return reply.status();
  absl::Status status = ErrorReplyToStatus(*reply, "XADD");
  if (!status.ok()) return status;
  return reply->str;
}

absl::StatusOr<std::vector<Job>> JobStream::Read(std::string_view consumer,
                                                 int count,
                                                 absl::Duration block) {
  for (absl::Status s : {ValidateConsumer(consumer), ValidateCount(count)}) {
    if (!s.ok()) return s;
  }
  std::string count_arg = absl::StrCat(count);
  std::string block_ms = absl::StrCat(absl::ToInt64Milliseconds(block));
  std::vector<std::string_view> argv = {"XREADGROUP", "GROUP", kGroup,
                                        consumer,     "COUNT", count_arg};
  // BLOCK 0 would wait forever; zero means "do not wait" here.
  if (block > absl::ZeroDuration()) {
    argv.push_back("BLOCK");
    argv.push_back(block_ms);
  } else {
    block = absl::ZeroDuration();
  }
  argv.insert(argv.end(), {"STREAMS", stream_key_, ">"});
  absl::StatusOr<RedisReply> reply = WithGroup(argv, block);
  if (!reply.ok()) return reply.status();
  if (reply->IsNil()) return std::vector<Job>();  // Timed out.
  // [[stream, entries]] for our single stream.
  if (reply->type != RedisReply::Type::kArray || reply->elements.size() != 1 ||
      reply->elements[0].elements.size() != 2) {
    return Malformed("XREADGROUP", *reply);
  }
  return ParseEntries(reply->elements[0].elements[1]);
}

absl::Status JobStream::Ack(std::string_view job_id) {
  absl::StatusOr<RedisReply> reply =
      ack_.Run(client_, {stream_key_}, {kGroup, job_id});
  // After Redis lost the group there is nothing left to acknowledge.
  if (!reply.ok() && absl::StrContains(reply.status().message(), "NOGROUP")) {
    return absl::OkStatus();
  }
  return reply.status();
}

absl::StatusOr<int64_t> JobStream::DeliveryCount(std::string_view job_id) {
  absl::StatusOr<RedisReply> reply =
      WithGroup({"XPENDING", stream_key_, kGroup, job_id, job_id, "1"},
                absl::ZeroDuration());
  if (!reply.ok()) return reply.status();
  if (reply->type != RedisReply::Type::kArray)
    return Malformed("XPENDING", *reply);
  if (reply->elements.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "job ", std::string(job_id), " is not pending in ", stream_key_));
  }
  // [[id, consumer, idle ms, deliveries]]
  const RedisReply& entry = reply->elements[0];
  if (entry.elements.size() != 4 ||
      entry.elements[3].type != RedisReply::Type::kInteger) {
    return Malformed("XPENDING", *reply);
  }
  return entry.elements[3].integer;
}

absl::StatusOr<std::vector<Job>> JobStream::ClaimStale(
    std::string_view consumer, absl::Duration min_idle, int count) {
  for (absl::Status s : {ValidateConsumer(consumer), ValidateCount(count)}) {
    if (!s.ok()) return s;
  }
  std::string idle_ms = absl::StrCat(absl::ToInt64Milliseconds(min_idle));
  std::string cursor = "0-0";
  std::vector<Job> claimed;
  for (int page = 0;
       page < kMaxAutoclaimPages && claimed.size() < static_cast<size_t>(count);
       ++page) {
    std::string page_count = absl::StrCat(count - claimed.size());
    // Reply: [next cursor, [entries], [ids deleted from the stream]].
    absl::StatusOr<RedisReply> reply =
        WithGroup({"XAUTOCLAIM", stream_key_, kGroup, consumer, idle_ms, cursor,
                   "COUNT", page_count},
                  absl::ZeroDuration());
    if (!reply.ok()) return reply.status();
    if (reply->type != RedisReply::Type::kArray || reply->elements.size() < 2) {
      return Malformed("XAUTOCLAIM", *reply);
    }
    absl::StatusOr<std::vector<Job>> jobs = ParseEntries(reply->elements[1]);
    if (!jobs.ok()) return jobs.status();
    for (Job& job : *jobs) claimed.push_back(std::move(job));
    cursor = reply->elements[0].str;
    if (cursor == "0-0") break;
  }

  std::vector<Job> result;
  for (Job& job : claimed) {
    absl::StatusOr<int64_t> deliveries = DeliveryCount(job.id);
    if (absl::IsNotFound(deliveries.status())) continue;  // Acked meanwhile.
    if (!deliveries.ok()) return deliveries.status();
    job.delivery_count = *deliveries;
    if (job.delivery_count > options_.max_deliveries) {
      absl::Status status = DeadLetter(
          job,
          absl::StrCat("delivered ", job.delivery_count - 1,
                       " times without being acknowledged; its consumers "
                       "probably crashed or timed out while processing it"));
      if (!status.ok()) return status;
      continue;
    }
    result.push_back(std::move(job));
  }
  return result;
}

absl::Status JobStream::DeadLetter(const Job& job, std::string_view error) {
  std::string deliveries = absl::StrCat(job.delivery_count);
  std::vector<std::string> prefixed;
  prefixed.reserve(job.fields.size());
  for (const auto& [name, value] : job.fields) {
    prefixed.push_back(absl::StrCat(kFieldPrefix, name));
  }
  std::vector<std::string_view> args = {kGroup,       job.id,    "job_id",
                                        job.id,       "error",   error,
                                        "deliveries", deliveries};
  for (size_t i = 0; i < job.fields.size(); ++i) {
    args.push_back(prefixed[i]);
    args.push_back(job.fields[i].second);
  }
  absl::StatusOr<RedisReply> reply =
      dead_letter_.Run(client_, {stream_key_, dead_letter_key_}, args);
  if (!reply.ok() && absl::StrContains(reply.status().message(), "NOGROUP")) {
    return absl::OkStatus();  // Redis lost the job; nothing is pending.
  }
  return reply.status();
}

absl::StatusOr<bool> JobStream::Fail(const Job& job, std::string_view error) {
  if (job.delivery_count < options_.max_deliveries) return false;
  absl::Status status = DeadLetter(job, error);
  if (!status.ok()) return status;
  return true;
}

absl::StatusOr<std::vector<DeadLetterEntry>> JobStream::ListDeadLetters(
    int limit) {
  absl::Status status = ValidateCount(limit);
  if (!status.ok()) return status;
  std::string count = absl::StrCat(limit);
  absl::StatusOr<RedisReply> reply =
      client_.Command({"XRANGE", dead_letter_key_, "-", "+", "COUNT", count});
  if (!reply.ok()) return reply.status();
  status = ErrorReplyToStatus(*reply, "XRANGE dead letters");
  if (!status.ok()) return status;
  absl::StatusOr<std::vector<Job>> entries = ParseEntries(*reply);
  if (!entries.ok()) return entries.status();
  std::vector<DeadLetterEntry> letters;
  for (Job& entry : *entries) {
    DeadLetterEntry letter;
    letter.id = entry.id;
    for (auto& [name, value] : entry.fields) {
      if (name == "job_id") {
        letter.job_id = value;
      } else if (name == "error") {
        letter.error = value;
      } else if (name == "deliveries") {
        (void)absl::SimpleAtoi(value, &letter.deliveries);
      } else if (absl::StartsWith(name, kFieldPrefix)) {
        letter.fields.emplace_back(name.substr(sizeof(kFieldPrefix) - 1),
                                   std::move(value));
      }
    }
    letters.push_back(std::move(letter));
  }
  return letters;
}

}  // namespace cdkv::queue
