// lifecycle_bench [--filings N] [--seconds S] (--help for more): a filing's lifecycle over a whole in-process stack
// (tests/api/stack.h: a private redis-server, the real Application with its OCR pool, the gRPC
// server on loopback), every figure printed as a ratio against a baseline measured in the same
// run, plus the raw numbers:
//   1. GetFiling latency vs grpc.health.v1.Health/Check (same channel, interleaved);
//   2. DeskQueue Enqueue+Claim+Complete vs `redis-benchmark -t set -P 1 -c 1` (same Redis);
//   3. whole lifecycles per second with N filings in the store vs the same number of
//      Health/Check calls per lifecycle; 3b. the desk's half alone (no upload, no OCR);
//   4. submit -> OCR pre-fill -> desk queue throughput and latency vs the Prefiller alone;
//   5. resident memory with many open WatchFiling streams;
//   6. whole lifecycles per second WITHOUT OCR (a second stack with --prefill off, N filings
//      seeded) vs the same number of Health/Check calls per lifecycle.
// The Stack's helpers assert with Catch2, so everything runs inside one Catch2 test case.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/queue/desk_queue.h"
#include "services/queue/redis.h"
#include "services/records/record_store.h"
#include "tests/api/stack.h"
#include "workers/id_card_prefiller.h"

namespace cdkv::bench {
namespace {

using Clock = std::chrono::steady_clock;
using cdkv::testing::Call;
using cdkv::testing::Stack;

struct Options {
  int filings = 100000;     // seeded into the record store before figures 1 and 3
  int seconds = 10;         // length of each timed phase of figures 1 to 3
  int clients = 4;          // client threads for figure 3
  int ocr_filings = 60;     // filings submitted in one burst for figure 4
  int watches = 1000;       // WatchFiling streams for figure 5
  int redis_requests = 20000;
  int desk_filings = 200;   // prepared at awaiting_desk for figure 3b
  int nocr_filings = 4000;  // drafts prepared for figure 6 (lifecycles without OCR)
  bool full_answers = false;  // actions answer with the whole filing, not the basic view
  int nocr_clients = 16;    // client threads for figure 6
  std::vector<int> only;  // figures to run; empty: all
};
Options g_options;

// The desk app holds the form once it has read it, so its actions ask for the
// basic view; --full-answers measures actions answering with the whole filing.
cdkv::v1::FilingView AnswerView() {
  return g_options.full_answers ? cdkv::v1::FILING_VIEW_FULL : cdkv::v1::FILING_VIEW_BASIC;
}

constexpr char kPayload[] =
    "087123456789||Nguyễn Văn An|01021990|Nam|Ấp 1, xã Tân Mỹ, huyện Lấp Vò, Đồng "
    "Tháp|15082021";

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
double Sec(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// User + system CPU seconds of this whole process (client, server and workers alike).
double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(usage.ru_utime) + s(usage.ru_stime);
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  return v[i];
}

double Mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return v.empty() ? 0 : sum / static_cast<double>(v.size());
}

// VmRSS of this process, in MiB.
double RssMiB() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

void Header(const std::string& title) { std::printf("\n== %s\n", title.c_str()); }

std::string CreateFiling(cdkv::v1::CitizenService::Stub& citizen, const std::string& token,
                         const std::string& request_id) {
  cdkv::v1::CreateFilingRequest create;
  create.set_request_id(request_id);
  create.set_procedure_code(cdkv::testing::kBirth);
  create.set_commune_code(cdkv::testing::kCommuneA);
  cdkv::v1::CreateFilingResponse created;
  grpc::Status s = citizen.CreateFiling(Call(token).get(), create, &created);
  if (!s.ok()) return "";
  return created.filing().filing_id();
}

// ---- seeding ---------------------------------------------------------------------------------

// N closed filings spread over both desks and 5,000 citizens, in one transaction, as a district's
// history would look. Returns the seconds it took.
double Seed(records::RecordStore& records, int n) {
  const auto start = Clock::now();
  const absl::Time now = absl::Now();
  absl::Status s = records.Write([&](records::Tx& tx) -> absl::Status {
    for (int i = 0; i < n; ++i) {
      records::FilingRow row;
      row.id = absl::StrCat("SEED", i);
      row.procedure_code = cdkv::testing::kBirth;
      const bool a = i % 2 == 0;
      row.commune_code = a ? cdkv::testing::kCommuneA : cdkv::testing::kCommuneB;
      row.desk_code = a ? cdkv::testing::kDeskA : cdkv::testing::kDeskB;
      row.competent_desk = row.desk_code;
      row.citizen_id = absl::StrCat("seed-citizen-", i % 5000);
      row.state = domain::State::kCompleted;
      row.version = 8;
      row.created_at = now - absl::Hours(24 * 30) + absl::Seconds(i);
      row.submitted_at = row.created_at + absl::Minutes(5);
      row.deadline = row.created_at + absl::Hours(24 * 5);
      row.confirmed_at = row.created_at + absl::Hours(3);
      row.ready_at = row.created_at + absl::Hours(24);
      row.completed_at = row.created_at + absl::Hours(48);
      row.rating = 1 + i % 5;
      if (absl::Status st = tx.InsertFiling(row); !st.ok()) return st;
    }
    return absl::OkStatus();
  });
  INFO(s.ToString());
  REQUIRE(s.ok());
  return Sec(Clock::now() - start);
}

// ---- figure 1 ----------------------------------------------------------------------------------

void Figure1(Stack& stack, const std::string& token) {
  Header("1. GetFiling latency vs Health/Check (same channel, interleaved)");
  auto citizen = stack.citizen();
  auto health = grpc::health::v1::Health::NewStub(stack.channel());
  const std::string id = CreateFiling(*citizen, token, "fig1-create");
  REQUIRE_FALSE(id.empty());
  cdkv::v1::GetFilingRequest get;
  get.set_filing_id(id);
  grpc::health::v1::HealthCheckRequest check;
  std::vector<double> get_ms, health_ms;
  const int kMax = 20000;
  const auto end = Clock::now() + std::chrono::seconds(g_options.seconds);
  for (int i = 0; i < kMax + 200 && Clock::now() < end; ++i) {
    // Alternate which goes first so neither always follows the other.
    for (int k = 0; k < 2; ++k) {
      const bool do_get = (i + k) % 2 == 0;
      auto context = Call(token);
      const auto t0 = Clock::now();
      grpc::Status s;
      if (do_get) {
        cdkv::v1::GetFilingResponse response;
        s = citizen->GetFiling(context.get(), get, &response);
      } else {
        grpc::health::v1::HealthCheckResponse response;
        s = health->Check(context.get(), check, &response);
      }
      const double ms = Ms(Clock::now() - t0);
      REQUIRE(s.ok());
      if (i < 200) continue;  // warm-up
      (do_get ? get_ms : health_ms).push_back(ms);
    }
  }
  const double g50 = Percentile(get_ms, 0.5), g99 = Percentile(get_ms, 0.99);
  const double h50 = Percentile(health_ms, 0.5), h99 = Percentile(health_ms, 0.99);
  std::printf("calls: %zu GetFiling + %zu Health/Check (after 200 warm-up pairs)\n",
              get_ms.size(), health_ms.size());
  std::printf("GetFiling     p50 %.3f ms  p99 %.3f ms\n", g50, g99);
  std::printf("Health/Check  p50 %.3f ms  p99 %.3f ms\n", h50, h99);
  std::printf("RATIO p50 %.2fx  p99 %.2fx  (target p99 <= 3x)\n", g50 / h50, g99 / h99);
}

// ---- figure 2 ----------------------------------------------------------------------------------

double RedisBenchmarkSet(int port, int requests) {
  const std::string command = absl::StrCat("/usr/bin/redis-benchmark -h 127.0.0.1 -p ", port,
                                           " -t set -n ", requests, " -P 1 -c 1 -q 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  pclose(pipe);
  // "SET: 23456.78 requests per second, p50=..." (the last line; progress lines use \r).
  std::smatch m;
  const std::regex re("SET: ([0-9.]+) requests per second");
  std::string last;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), re); it != std::sregex_iterator();
       ++it) {
    last = (*it)[1].str();
  }
  INFO(out);
  REQUIRE_FALSE(last.empty());
  return std::stod(last);
}

int g_desk_cycles_last = 0;  // cycles (warm-up included) of the last DeskCycles call

// Enqueue+Claim+Complete cycles per second on one connection.
double DeskCycles(int port, double seconds, int max_cycles, int round) {
  queue::RedisClient::Options options;
  options.port = port;
  auto client = queue::RedisClient::Connect(options);
  REQUIRE(client.ok());
  queue::DeskQueue desk(*client);
  const std::string desk_code = "desk.bench";
  const absl::Time deadline = absl::Now() + absl::Hours(24 * 5);
  for (int i = 0; i < 500; ++i) {  // warm-up: scripts loaded, connection hot
    const std::string id = absl::StrCat("W", round, "-", i);
    REQUIRE(desk.Enqueue(desk_code, id, deadline).ok());
    REQUIRE(desk.Claim(desk_code, id, "officer.bench", absl::Minutes(15)).ok());
    REQUIRE(desk.Complete(desk_code, id, "officer.bench").ok());
  }
  int cycles = 0;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(seconds));
  while (cycles < max_cycles && Clock::now() < end) {
    const std::string id = absl::StrCat("B", round, "-", cycles);
    REQUIRE(desk.Enqueue(desk_code, id, deadline).ok());
    REQUIRE(desk.Claim(desk_code, id, "officer.bench", absl::Minutes(15)).ok());
    REQUIRE(desk.Complete(desk_code, id, "officer.bench").ok());
    ++cycles;
  }
  g_desk_cycles_last = cycles + 500;
  return cycles / Sec(Clock::now() - start);
}

// A counter from Redis's INFO (e.g. "total_commands_processed"), as a number.
double RedisInfo(int port, const std::string& section, const std::string& field) {
  queue::RedisClient::Options options;
  options.port = port;
  auto client = queue::RedisClient::Connect(options);
  REQUIRE(client.ok());
  auto reply = client->Command({"INFO", section});
  REQUIRE(reply.ok());
  const std::string& text = reply->str;
  const size_t at = text.find(field + ":");
  if (at == std::string::npos) return 0;  // e.g. a command never called
  size_t value = at + field.size() + 1;
  if (text.compare(value, 6, "calls=") == 0) value += 6;  // commandstats lines
  return std::stod(text.substr(value));
}

void Figure2(Stack& stack) {
  Header("2. DeskQueue Enqueue+Claim+Complete vs redis-benchmark SET -P 1 -c 1 (same Redis)");
  const int port = stack.redis().port();
  {
    // How many round trips one cycle costs: EVALSHA/EVAL calls from clients (INFO commandstats;
    // total_commands_processed would also count the commands each script runs inside Redis).
    auto scripts = [port] {
      return RedisInfo(port, "commandstats", "cmdstat_evalsha") +
             RedisInfo(port, "commandstats", "cmdstat_eval");
    };
    const double before = scripts();
    (void)DeskCycles(port, 1.0, 2000, 99);
    const double after = scripts();
    std::printf("round trips (EVALSHA/EVAL calls) per Enqueue+Claim+Complete cycle: %.2f\n",
                (after - before) / g_desk_cycles_last);
  }
  // Short alternating slices; the ratio is taken per slice pair and the median reported, so
  // a burst of load from elsewhere on this shared machine hits one pair, not the figure.
  constexpr int kRounds = 5;
  std::vector<double> set_rps, cycles, ratios;
  for (int round = 0; round < kRounds; ++round) {
    set_rps.push_back(RedisBenchmarkSet(port, g_options.redis_requests));
    cycles.push_back(DeskCycles(port, std::max(1.0, g_options.seconds / 4.0), 100000, round));
    ratios.push_back(3 * cycles.back() / set_rps.back());
  }
  std::printf("redis-benchmark SET requests/s (n=%d each):", g_options.redis_requests);
  for (double x : set_rps) std::printf(" %.0f", x);
  std::printf("\nDeskQueue cycles/s (1 connection, 3 scripts a cycle):");
  for (double x : cycles) std::printf(" %.0f", x);
  std::printf("\nper-pair operations/SET:");
  for (double x : ratios) std::printf(" %.0f%%", 100 * x);
  const double median = Percentile(ratios, 0.5);
  std::printf("\nRATIO operations/SET median %.1f%%  (target >= 30%%); whole cycles/SET median "
              "%.1f%%\n", 100 * median, 100 * median / 3);
  std::printf("reading: one desk-queue operation is one EVALSHA round trip, as one SET is one "
              "round trip, so a whole cycle (3 round trips) compares with redis-benchmark's rate "
              "/ 3: cycles / (SET/s / 3) = %.1f%%, the same figure as per operation\n",
              100 * median);
}

// ---- figure 3 ----------------------------------------------------------------------------------

constexpr const char* kSteps[] = {"CreateFiling",    "UploadDocument", "SubmitFiling",
                                  "wait for OCR (polls)", "ClaimFiling", "GetDeskFiling",
                                  "ConfirmFiling",   "StartProcessing", "MarkResultReady",
                                  "ListNotifications", "RecordPickup"};
constexpr int kStepCount = sizeof(kSteps) / sizeof(kSteps[0]);
using StepMs = std::array<double, kStepCount>;

struct LifecycleStubs {
  std::unique_ptr<cdkv::v1::CitizenService::Stub> citizen;
  std::unique_ptr<cdkv::v1::DeskService::Stub> desk;
};

// Times the steps of one half of a lifecycle into `steps`, from index `first`.
class Laps {
 public:
  Laps(StepMs* steps, int first) : steps_(steps), step_(first), mark_(Clock::now()) {}
  void operator()() {
    const auto now = Clock::now();
    (*steps_)[step_++] += Ms(now - mark_);
    mark_ = now;
  }

 private:
  StepMs* steps_;
  int step_;
  Clock::time_point mark_;
};

std::string Fail(const char* what, const grpc::Status& st) {
  return absl::StrCat(what, ": ", st.error_message());
}

// The citizen's half: create, upload, submit, then (OCR pre-fill) poll until awaiting_desk.
// Sets `*id`. Returns "" or what failed. Counts RPCs.
std::string CitizenHalf(LifecycleStubs& s, const std::string& citizen_token,
                        const std::string& photo, const std::string& tag, std::string* id_out,
                        int* rpcs, int* polls, StepMs* steps) {
  Laps lap(steps, 0);
  auto fail = Fail;
  const std::string id = CreateFiling(*s.citizen, citizen_token, tag + "c");
  *id_out = id;
  if (id.empty()) return "create failed";
  lap();
  cdkv::v1::UploadDocumentResponse uploaded;
  grpc::Status st = cdkv::testing::Upload(*s.citizen, citizen_token, id, tag + "u", photo,
                                          "id_card", &uploaded);
  if (!st.ok()) return fail("upload", st);
  lap();
  cdkv::v1::SubmitFilingRequest submit;
  submit.set_request_id(tag + "s");
  submit.set_filing_id(id);
  submit.set_view(AnswerView());
  cdkv::v1::SubmitFilingResponse submitted;
  st = s.citizen->SubmitFiling(Call(citizen_token).get(), submit, &submitted);
  if (!st.ok()) return fail("submit", st);
  lap();
  *rpcs += 3;
  cdkv::v1::GetFilingRequest get;
  get.set_filing_id(id);
  cdkv::v1::GetFilingResponse got;
  const auto give_up = Clock::now() + std::chrono::seconds(60);
  for (;;) {
    st = s.citizen->GetFiling(Call(citizen_token).get(), get, &got);
    ++*polls;
    if (!st.ok()) return fail("get", st);
    if (got.filing().state() == cdkv::v1::FILING_STATE_AWAITING_DESK) break;
    if (Clock::now() > give_up) return "never reached awaiting_desk";
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  lap();
  return "";
}

// The desk's half, from awaiting_desk: claim, read, confirm with the required empty fields
// filled, start processing, mark ready, read the pickup code from the citizen's notifications,
// record the pickup. Returns "" or what failed. Counts RPCs.
std::string DeskHalf(LifecycleStubs& s, const std::string& citizen_token,
                     const std::string& officer_token, const std::string& id,
                     const std::string& tag, int* rpcs, StepMs* steps) {
  Laps lap(steps, 4);
  auto fail = Fail;
  grpc::Status st;
  cdkv::v1::ClaimFilingRequest claim;
  claim.set_request_id(tag + "k");
  claim.set_desk_code(cdkv::testing::kDeskA);
  claim.set_filing_id(id);
  claim.set_view(AnswerView());
  cdkv::v1::ClaimFilingResponse claimed;
  st = s.desk->ClaimFiling(Call(officer_token).get(), claim, &claimed);
  if (!st.ok()) return fail("claim", st);
  lap();
  cdkv::v1::GetDeskFilingRequest read;
  read.set_filing_id(id);
  cdkv::v1::GetDeskFilingResponse seen;
  st = s.desk->GetDeskFiling(Call(officer_token).get(), read, &seen);
  if (!st.ok()) return fail("get desk filing", st);
  lap();
  cdkv::v1::ConfirmFilingRequest confirm;
  confirm.set_request_id(tag + "f");
  confirm.set_filing_id(id);
  confirm.set_view(AnswerView());
  if (seen.filing().forms_size() == 0) return "no form";
  const std::string form = seen.filing().forms(0).form_code();
  for (const auto& field : seen.filing().forms(0).fields()) {
    if (!field.required() || !field.value().empty()) continue;
    cdkv::v1::FieldCorrection* c = confirm.add_corrections();
    c->set_form_code(form);
    c->set_key(field.key());
    c->set_value(field.key() == "child.date_of_birth" ? "2026-11-01" : "Giá trị kiểm tra");
  }
  cdkv::v1::ConfirmFilingResponse confirmed;
  st = s.desk->ConfirmFiling(Call(officer_token).get(), confirm, &confirmed);
  if (!st.ok()) return fail("confirm", st);
  lap();
  cdkv::v1::StartProcessingRequest process;
  process.set_request_id(tag + "p");
  process.set_filing_id(id);
  process.set_view(AnswerView());
  cdkv::v1::StartProcessingResponse processing;
  st = s.desk->StartProcessing(Call(officer_token).get(), process, &processing);
  if (!st.ok()) return fail("start processing", st);
  lap();
  cdkv::v1::MarkResultReadyRequest ready;
  ready.set_request_id(tag + "r");
  ready.set_filing_id(id);
  ready.set_view(AnswerView());
  cdkv::v1::MarkResultReadyResponse readied;
  st = s.desk->MarkResultReady(Call(officer_token).get(), ready, &readied);
  if (!st.ok()) return fail("mark ready", st);
  lap();
  cdkv::v1::ListNotificationsRequest list;
  list.set_page_size(20);  // the app's first page
  cdkv::v1::ListNotificationsResponse notices;
  st = s.citizen->ListNotifications(Call(citizen_token).get(), list, &notices);
  if (!st.ok()) return fail("list notifications", st);
  lap();
  std::string code;
  for (const auto& n : notices.notifications()) {
    if (n.filing_id() == id && n.kind() == "result_ready") code = n.pickup().pickup_code();
  }
  if (code.empty()) return "no pickup code";
  cdkv::v1::RecordPickupRequest pickup;
  pickup.set_request_id(tag + "x");
  pickup.set_filing_id(id);
  pickup.set_view(AnswerView());
  pickup.set_pickup_code(code);
  cdkv::v1::RecordPickupResponse picked;
  st = s.desk->RecordPickup(Call(officer_token).get(), pickup, &picked);
  if (!st.ok()) return fail("pickup", st);
  lap();
  if (picked.filing().state() != cdkv::v1::FILING_STATE_COMPLETED) return "not completed";
  *rpcs += 7;
  return "";
}

std::string OneLifecycle(LifecycleStubs& s, const std::string& citizen_token,
                         const std::string& officer_token, const std::string& photo,
                         const std::string& tag, int* rpcs, int* polls, StepMs* steps) {
  std::string id;
  std::string error = CitizenHalf(s, citizen_token, photo, tag, &id, rpcs, polls, steps);
  if (!error.empty()) return error;
  return DeskHalf(s, citizen_token, officer_token, id, tag, rpcs, steps);
}

// Appends of 4 KiB each followed by fsync, per second, in the stack's data directory: what one
// SQLite commit with synchronous=FULL costs on this disk at least.
double FsyncsPerSecond(const std::string& dir, double seconds) {
  const std::string path = dir + "/fsync-probe";
  FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  const std::string block(4096, 'x');
  int n = 0;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(seconds));
  while (Clock::now() < end && n < 100000) {
    REQUIRE(std::fwrite(block.data(), 1, block.size(), f) == block.size());
    REQUIRE(std::fflush(f) == 0);
    REQUIRE(::fsync(::fileno(f)) == 0);
    ++n;
  }
  const double rate = n / Sec(Clock::now() - start);
  std::fclose(f);
  std::remove(path.c_str());
  return rate;
}

// `rpcs_per_round` Health/Check calls per round, from `clients` threads, for `seconds`.
double HealthRounds(Stack& stack, const std::string& token, int clients, int rpcs_per_round,
                    double seconds) {
  std::atomic<int64_t> rounds{0};
  std::atomic<bool> failed{false};
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&] {
      auto health = grpc::health::v1::Health::NewStub(stack.channel());
      grpc::health::v1::HealthCheckRequest check;
      while (Clock::now() < end) {
        for (int i = 0; i < rpcs_per_round; ++i) {
          grpc::health::v1::HealthCheckResponse response;
          if (!health->Check(Call(token).get(), check, &response).ok()) failed = true;
        }
        ++rounds;
      }
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE_FALSE(failed.load());
  return static_cast<double>(rounds.load()) / Sec(Clock::now() - start);
}

void Figure3(Stack& stack, const std::string& citizen_token, const std::string& officer_token,
             const std::string& photo, int seeded) {
  Header("3. Whole lifecycles per second (OCR ON, 2 workers) vs Health/Check rounds");
  const int clients = g_options.clients;
  std::atomic<int> done{0}, total_rpcs{0}, total_polls{0};
  std::mutex mu;
  std::vector<double> lifecycle_ms;
  std::string first_error;
  StepMs step_ms{};
  const double cpu_start = CpuSeconds();
  const auto start = Clock::now();
  const auto end = start + std::chrono::seconds(g_options.seconds);
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      LifecycleStubs stubs{stack.citizen(), stack.desk()};
      for (int i = 0; Clock::now() < end && i < 100000; ++i) {
        int rpcs = 0, polls = 0;
        StepMs steps{};
        const auto t0 = Clock::now();
        std::string error = OneLifecycle(stubs, citizen_token, officer_token, photo,
                                         absl::StrCat("L", t, "-", i, "-"), &rpcs, &polls,
                                         &steps);
        const double ms = Ms(Clock::now() - t0);
        std::lock_guard<std::mutex> lock(mu);
        if (!error.empty()) {
          if (first_error.empty()) first_error = error;
          return;
        }
        lifecycle_ms.push_back(ms);
        for (int k = 0; k < kStepCount; ++k) step_ms[k] += steps[k];
        ++done;
        total_rpcs += rpcs;
        total_polls += polls;
      }
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = Sec(Clock::now() - start);
  const double cpu = CpuSeconds() - cpu_start;
  INFO(first_error);
  REQUIRE(first_error.empty());
  REQUIRE(done.load() > 0);
  const double per_second = done.load() / elapsed;
  const double fixed = static_cast<double>(total_rpcs.load()) / done.load();
  const double polls = static_cast<double>(total_polls.load()) / done.load();
  const int per_round = static_cast<int>(fixed + polls + 0.5);
  const double baseline = HealthRounds(stack, citizen_token, clients, per_round, g_options.seconds);
  std::printf("store: %d seeded filings + those created here; %d client threads\n", seeded,
              clients);
  std::printf("lifecycles: %d in %.1f s = %.1f /s; each %.1f ms p50, %.1f ms p95\n", done.load(),
              elapsed, per_second, Percentile(lifecycle_ms, 0.5), Percentile(lifecycle_ms, 0.95));
  std::printf("RPCs per lifecycle: %.0f fixed (1 upload stream) + %.1f GetFiling polls while OCR "
              "runs\n", fixed, polls);
  std::printf("process CPU (client + server + OCR pool, not redis-server): %.1f ms per lifecycle, "
              "%.2f cores busy on average\n", 1000 * cpu / done.load(), cpu / elapsed);
  std::printf("mean ms per step, with %d clients in flight:", clients);
  for (int k = 0; k < kStepCount; ++k) {
    std::printf("%s %s %.1f", k == 0 ? "" : ",", kSteps[k], step_ms[k] / done.load());
  }
  std::printf("\n");
  std::printf("baseline: rounds of %d Health/Check = %.1f /s\n", per_round, baseline);
  const double fsyncs = FsyncsPerSecond(stack.dir().path().string(), 2);
  std::printf("disk: %.0f fsync/s (4 KiB append + fsync, 1 thread, same data dir); every "
              "write transaction of the store is one such commit\n", fsyncs);
  std::printf("RATIO lifecycles / baseline rounds %.1f%%  (issue target: >= 500 lifecycles/s "
              "with 1,000,000 filings on 2 cores; here %.1f/s)\n",
              100 * per_second / baseline, per_second);
}

// The desk's half alone (claim -> pickup, 7 RPCs), on filings brought to awaiting_desk through
// upload and OCR beforehand (not timed): the part of the lifecycle that OCR and uploads do not
// touch.
void Figure3b(Stack& stack, const std::string& citizen_token, const std::string& officer_token,
              const std::string& photo) {
  Header("3b. Desk half of the lifecycle (claim -> confirm -> ready -> pickup) vs Health/Check");
  const int clients = g_options.clients;
  const int per_client = g_options.desk_filings / clients;
  std::vector<std::vector<std::string>> ids(clients);
  std::mutex mu;
  std::string first_error;
  const auto prep_start = Clock::now();
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < clients; ++t) {
      threads.emplace_back([&, t] {
        LifecycleStubs stubs{stack.citizen(), stack.desk()};
        for (int i = 0; i < per_client; ++i) {
          int rpcs = 0, polls = 0;
          StepMs steps{};
          std::string id;
          std::string error = CitizenHalf(stubs, citizen_token, photo,
                                          absl::StrCat("D", t, "-", i, "-"), &id, &rpcs, &polls,
                                          &steps);
          std::lock_guard<std::mutex> lock(mu);
          if (!error.empty()) {
            if (first_error.empty()) first_error = error;
            return;
          }
          ids[t].push_back(id);
        }
      });
    }
    for (auto& t : threads) t.join();
  }
  const double prep_s = Sec(Clock::now() - prep_start);
  INFO(first_error);
  REQUIRE(first_error.empty());
  std::atomic<int> done{0};
  StepMs step_ms{};
  const double cpu_start = CpuSeconds();
  const auto start = Clock::now();
  const auto end = start + std::chrono::seconds(g_options.seconds);
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < clients; ++t) {
      threads.emplace_back([&, t] {
        LifecycleStubs stubs{stack.citizen(), stack.desk()};
        for (size_t i = 0; i < ids[t].size() && Clock::now() < end; ++i) {
          int rpcs = 0;
          StepMs steps{};
          std::string error = DeskHalf(stubs, citizen_token, officer_token, ids[t][i],
                                       absl::StrCat("D", t, "-", i, "-"), &rpcs, &steps);
          std::lock_guard<std::mutex> lock(mu);
          if (!error.empty()) {
            if (first_error.empty()) first_error = error;
            return;
          }
          for (int k = 0; k < kStepCount; ++k) step_ms[k] += steps[k];
          ++done;
        }
      });
    }
    for (auto& t : threads) t.join();
  }
  const double elapsed = Sec(Clock::now() - start);
  const double cpu = CpuSeconds() - cpu_start;
  INFO(first_error);
  REQUIRE(first_error.empty());
  REQUIRE(done.load() > 0);
  const double per_second = done.load() / elapsed;
  const double baseline = HealthRounds(stack, citizen_token, clients, 7, g_options.seconds);
  std::printf("prepared %d filings at awaiting_desk in %.1f s (untimed); %d client threads\n",
              per_client * clients, prep_s, clients);
  std::printf("desk halves: %d in %.1f s = %.1f /s%s\n", done.load(), elapsed, per_second,
              done.load() == per_client * clients ? " (ran out of prepared filings)" : "");
  std::printf("process CPU: %.1f ms per desk half, %.2f cores busy on average\n",
              1000 * cpu / done.load(), cpu / elapsed);
  std::printf("mean ms per step:");
  for (int k = 4; k < kStepCount; ++k) {
    std::printf("%s %s %.1f", k == 4 ? "" : ",", kSteps[k], step_ms[k] / done.load());
  }
  std::printf("\n");
  std::printf("baseline: rounds of 7 Health/Check = %.1f /s\n", baseline);
  std::printf("RATIO desk halves / baseline rounds %.1f%%\n", 100 * per_second / baseline);
}

// ---- WatchFiling streams (figures 4 and 5) -----------------------------------------------------

// Many WatchFiling streams on one channel, driven by one completion-queue thread.
class Watches {
 public:
  using OnEvent = std::function<void(int index, const cdkv::v1::FilingEvent&)>;

  Watches(std::shared_ptr<grpc::Channel> channel, std::string token, OnEvent on_event)
      : stub_(cdkv::v1::CitizenService::NewStub(channel)),
        token_(std::move(token)),
        on_event_(std::move(on_event)),
        thread_([this] { Drive(); }) {}

  ~Watches() { Close(); }

  void Open(const std::string& filing_id) {
    auto w = std::make_unique<Watch>();
    w->index = static_cast<int>(watches_.size());
    w->context.AddMetadata("authorization", "Bearer " + token_);
    cdkv::v1::WatchFilingRequest request;
    request.set_filing_id(filing_id);
    w->reader = stub_->PrepareAsyncWatchFiling(&w->context, request, &cq_);
    w->state = Watch::kStarting;
    Watch* raw = w.get();
    watches_.push_back(std::move(w));
    raw->reader->StartCall(raw);
  }

  int WithEvents() { return with_events_.load(); }
  int Finished() { return finished_.load(); }

  void Close() {
    if (closed_) return;
    closed_ = true;
    for (auto& w : watches_) w->context.TryCancel();
    while (finished_.load() < static_cast<int>(watches_.size())) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    cq_.Shutdown();
    thread_.join();
  }

 private:
  struct Watch {
    enum State { kStarting, kReading, kFinishing };
    int index = 0;
    State state = kStarting;
    bool had_event = false;
    grpc::ClientContext context;
    cdkv::v1::WatchFilingResponse response;
    grpc::Status status;
    std::unique_ptr<grpc::ClientAsyncReader<cdkv::v1::WatchFilingResponse>> reader;
  };

  void Drive() {
    void* tag;
    bool ok;
    while (cq_.Next(&tag, &ok)) {
      Watch* w = static_cast<Watch*>(tag);
      switch (w->state) {
        case Watch::kReading:
          if (ok) {
            if (!w->had_event) {
              w->had_event = true;
              ++with_events_;
            }
            on_event_(w->index, w->response.event());
          }
          [[fallthrough]];
        case Watch::kStarting:
          if (ok) {
            w->state = Watch::kReading;
            w->reader->Read(&w->response, w);
          } else {
            w->state = Watch::kFinishing;
            w->reader->Finish(&w->status, w);
          }
          break;
        case Watch::kFinishing:
          ++finished_;
          break;
      }
    }
  }

  std::unique_ptr<cdkv::v1::CitizenService::Stub> stub_;
  std::string token_;
  OnEvent on_event_;
  grpc::CompletionQueue cq_;
  std::vector<std::unique_ptr<Watch>> watches_;
  std::atomic<int> with_events_{0};
  std::atomic<int> finished_{0};
  bool closed_ = false;
  std::thread thread_;  // Last: starts after everything it uses exists.
};

// ---- figure 4 ----------------------------------------------------------------------------------

std::vector<std::string> Figure4(Stack& stack, const std::string& token, const std::string& photo) {
  Header("4. submit -> OCR pre-fill -> desk queue, real OCR pool (2 workers), one burst");
  const int n = g_options.ocr_filings;
  auto citizen = stack.citizen();
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    const std::string id = CreateFiling(*citizen, token, absl::StrCat("O", i, "c"));
    REQUIRE_FALSE(id.empty());
    cdkv::v1::UploadDocumentResponse uploaded;
    REQUIRE(cdkv::testing::Upload(*citizen, token, id, absl::StrCat("O", i, "u"), photo,
                                  "id_card", &uploaded)
                .ok());
    ids.push_back(id);
  }
  std::mutex mu;
  std::vector<Clock::time_point> submitted(n), queued(n);
  std::vector<bool> arrived(n, false);
  std::atomic<int> arrivals{0};
  Watches watches(stack.channel(), token, [&](int i, const cdkv::v1::FilingEvent& e) {
    if (e.change().to_state() != cdkv::v1::FILING_STATE_AWAITING_DESK) return;
    std::lock_guard<std::mutex> lock(mu);
    if (arrived[i]) return;
    arrived[i] = true;
    queued[i] = Clock::now();
    ++arrivals;
  });
  for (const auto& id : ids) watches.Open(id);
  while (watches.WithEvents() < n) std::this_thread::sleep_for(std::chrono::milliseconds(5));

  const auto start = Clock::now();
  for (int i = 0; i < n; ++i) {
    cdkv::v1::SubmitFilingRequest submit;
    submit.set_request_id(absl::StrCat("O", i, "s"));
    submit.set_filing_id(ids[i]);
    cdkv::v1::SubmitFilingResponse response;
    {
      std::lock_guard<std::mutex> lock(mu);
      submitted[i] = Clock::now();
    }
    REQUIRE(citizen->SubmitFiling(Call(token).get(), submit, &response).ok());
  }
  const auto submits_done = Clock::now();
  const auto give_up = start + std::chrono::seconds(110);
  while (arrivals.load() < n && Clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  REQUIRE(arrivals.load() == n);
  auto last = start;
  std::vector<double> latency_ms;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (int i = 0; i < n; ++i) {
      last = std::max(last, queued[i]);
      latency_ms.push_back(Ms(queued[i] - submitted[i]));
    }
  }
  watches.Close();
  const double elapsed = Sec(last - start);
  const double rate = n / elapsed;

  // Baseline: the same Prefiller the pool runs, on the same photo, alone on this thread.
  const domain::Procedure* procedure =
      stack.server().app().deps().catalog->FindProcedure(cdkv::testing::kBirth);
  REQUIRE(procedure != nullptr);
  workers::IdCardPrefiller prefiller;
  std::vector<workers::DocumentInput> docs = {{"D1", "id_card", photo}};
  REQUIRE(prefiller.Prefill(*procedure, docs).ok());  // warm-up: loads Tesseract
  std::vector<double> prefill_ms;
  const auto base_end = Clock::now() + std::chrono::seconds(std::max(2, g_options.seconds / 2));
  for (int i = 0; i < 200 && Clock::now() < base_end; ++i) {
    const auto t0 = Clock::now();
    REQUIRE(prefiller.Prefill(*procedure, docs).ok());
    prefill_ms.push_back(Ms(Clock::now() - t0));
  }
  const double per_thread = 1000.0 / Mean(prefill_ms);
  const int workers = 2;  // the Stack's ServerConfig default
  std::printf("photo: %zu bytes JPEG 1200x900 with an ID-card QR code\n", photo.size());
  std::printf("burst: %d submits sent in %.2f s; all %d on the desk queue after %.2f s = %.1f "
              "filings/s\n", n, Sec(submits_done - start), n, elapsed, rate);
  std::printf("submit->awaiting_desk (watch event): p50 %.0f ms  p95 %.0f ms  (queueing in "
              "the burst included)\n", Percentile(latency_ms, 0.5), Percentile(latency_ms, 0.95));
  std::printf("baseline: Prefiller alone, 1 thread: %.1f ms mean = %.1f /s; x%d workers = %.1f /s "
              "(%zu runs)\n", Mean(prefill_ms), per_thread, workers, workers * per_thread,
              prefill_ms.size());
  std::printf("RATIO pipeline / (Prefiller x workers) %.1f%%\n",
              100 * rate / (workers * per_thread));
  return ids;
}

// ---- figure 5 ----------------------------------------------------------------------------------

void Figure5(Stack& stack, const std::string& token, const std::vector<std::string>& ids) {
  Header("5. Resident memory with open WatchFiling streams (client and server in-process)");
  REQUIRE_FALSE(ids.empty());
  const int n = g_options.watches;
  api::FilingEvents& events = *stack.server().app().deps().events;
  const size_t subscribers_before = events.SubscriberCount();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const double before = RssMiB();
  {
    Watches watches(stack.channel(), token, [](int, const cdkv::v1::FilingEvent&) {});
    const auto start = Clock::now();
    for (int i = 0; i < n; ++i) watches.Open(ids[i % ids.size()]);
    const auto give_up = start + std::chrono::seconds(60);
    while (watches.WithEvents() < n && Clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const double open_s = Sec(Clock::now() - start);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const double after = RssMiB();
    const size_t subscribers = events.SubscriberCount() - subscribers_before;
    std::printf("streams opened: %d (first event received on %d) in %.2f s; server-side "
                "subscriptions: %zu\n", n, watches.WithEvents(), open_s, subscribers);
    std::printf("VmRSS before %.1f MiB, with streams %.1f MiB: +%.1f MiB = %.1f KiB a stream "
                "(client side included)\n", before, after, after - before,
                1024 * (after - before) / n);
    std::printf("RATIO growth / 200 MB target %.1f%%  (target: <= 200 MB with 1,000 streams)\n",
                100 * (after - before) * 1.048576 / 200);
    REQUIRE(watches.WithEvents() == n);
    watches.Close();
  }
}

// ---- figure 6 ----------------------------------------------------------------------------------

double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + t.tv_nsec / 1e9;
}

double RedisCpuSeconds(int port) {
  return RedisInfo(port, "cpu", "used_cpu_sys") + RedisInfo(port, "cpu", "used_cpu_user");
}

// Drafts with one photo each, ready to submit, made through the API (CreateFiling; the first
// photo through UploadDocument) with the other drafts' document rows pointing at that same
// content-addressed blob, so preparing thousands of drafts does not decode thousands of JPEGs.
std::vector<std::vector<std::string>> PrepareDrafts(Stack& stack,
                                                    const std::vector<std::string>& tokens,
                                                    const std::string& photo, int per_client) {
  const int clients = static_cast<int>(tokens.size());
  const std::string& token = tokens.front();
  auto citizen = stack.citizen();
  const std::string first = CreateFiling(*citizen, token, "N-first-c");
  REQUIRE_FALSE(first.empty());
  cdkv::v1::UploadDocumentResponse uploaded;
  REQUIRE(cdkv::testing::Upload(*citizen, token, first, "N-first-u", photo, "id_card", &uploaded)
              .ok());
  records::RecordStore& records = *stack.server().app().deps().records;
  records::DocumentRow document;
  REQUIRE(records
              .Read([&](records::Tx& tx) -> absl::Status {
                auto documents = tx.Documents(first);
                if (!documents.ok()) return documents.status();
                if (documents->empty()) return absl::NotFoundError("no document");
                document = documents->front();
                return absl::OkStatus();
              })
              .ok());
  std::vector<std::vector<std::string>> ids(clients);
  std::vector<std::thread> threads;
  std::atomic<bool> failed{false};
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      auto stub = stack.citizen();
      for (int i = 0; i < per_client; ++i) {
        const std::string id =
            CreateFiling(*stub, tokens[t], absl::StrCat("N", t, "-", i, "c"));
        if (id.empty()) {
          failed = true;
          return;
        }
        ids[t].push_back(id);
      }
      absl::Status s = records.Write([&](records::Tx& tx) -> absl::Status {
        for (const std::string& id : ids[t]) {
          records::DocumentRow row = document;
          row.filing_id = id;
          if (absl::Status st = tx.InsertDocument(row); !st.ok()) return st;
        }
        return absl::OkStatus();
      });
      if (!s.ok()) failed = true;
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE_FALSE(failed.load());
  return ids;
}

void Figure6(int seeded) {
  Header("6. Full lifecycles per second WITHOUT OCR (--prefill off): submit -> route -> claim -> "
         "read -> confirm -> processing -> ready -> notifications -> pickup");
  auto stack = Stack::Start([](server::ServerConfig& config) { config.prefill_off = true; });
  records::RecordStore& records = *stack->server().app().deps().records;
  if (seeded > 0) {
    const double s = Seed(records, seeded);
    std::printf("seeded %d closed filings into this stack in %.1f s\n", seeded, s);
  }
  // One citizen per client thread, as many people filing at once: each reads
  // only their own notifications.
  const int clients = g_options.nocr_clients;
  std::vector<std::string> citizen_tokens;
  for (int t = 0; t < clients; ++t) {
    citizen_tokens.push_back(stack->CitizenToken(absl::StrCat("09", 20000000 + t)));
  }
  const std::string officer_token = stack->StaffToken("officer.a");
  const std::string photo = cdkv::testing::IdCardPhoto(kPayload);
  const int per_client = std::max(1, g_options.nocr_filings / clients);
  const auto prep_start = Clock::now();
  const std::vector<std::vector<std::string>> ids =
      PrepareDrafts(*stack, citizen_tokens, photo, per_client);
  const double prep_s = Sec(Clock::now() - prep_start);
  std::printf("figure 6: %d drafts ready, timed phase starts (pid %d)\n", per_client * clients,
              static_cast<int>(::getpid()));

  std::atomic<int> done{0}, total_rpcs{0}, total_polls{0};
  std::mutex mu;
  std::vector<double> lifecycle_ms;
  std::string first_error;
  StepMs step_ms{};
  double client_cpu = 0;
  const int redis_port = stack->redis().port();
  const double redis_cpu_start = RedisCpuSeconds(redis_port);
  const records::RecordStore::Stats store_start = records.stats();
  const double cpu_start = CpuSeconds();
  const auto start = Clock::now();
  const auto end = start + std::chrono::seconds(g_options.seconds);
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      const std::string& citizen_token = citizen_tokens[t];
      const double thread_cpu_start = ThreadCpuSeconds();
      LifecycleStubs stubs{stack->citizen(), stack->desk()};
      for (size_t i = 0; i < ids[t].size() && Clock::now() < end; ++i) {
        const std::string& id = ids[t][i];
        const std::string tag = absl::StrCat("N", t, "-", i, "-");
        int rpcs = 0, polls = 0;
        StepMs steps{};
        const auto t0 = Clock::now();
        std::string error;
        {
          Laps lap(&steps, 2);
          cdkv::v1::SubmitFilingRequest submit;
          submit.set_request_id(tag + "s");
          submit.set_filing_id(id);
          submit.set_view(AnswerView());
          cdkv::v1::SubmitFilingResponse submitted;
          grpc::Status st =
              stubs.citizen->SubmitFiling(Call(citizen_token).get(), submit, &submitted);
          if (!st.ok()) error = Fail("submit", st);
          lap();
          ++rpcs;
          // With pre-fill off the submit itself routes the filing to its desk;
          // poll only if it did not.
          bool routed = submitted.filing().state() == cdkv::v1::FILING_STATE_AWAITING_DESK;
          cdkv::v1::GetFilingRequest get;
          get.set_filing_id(id);
          cdkv::v1::GetFilingResponse got;
          const auto give_up = Clock::now() + std::chrono::seconds(60);
          while (error.empty() && !routed) {
            st = stubs.citizen->GetFiling(Call(citizen_token).get(), get, &got);
            ++polls;
            if (!st.ok()) error = Fail("get", st);
            routed = got.filing().state() == cdkv::v1::FILING_STATE_AWAITING_DESK;
            if (routed) break;
            if (Clock::now() > give_up) error = "never reached awaiting_desk";
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
          }
          lap();
        }
        if (error.empty()) {
          error = DeskHalf(stubs, citizen_token, officer_token, id, tag, &rpcs, &steps);
        }
        const double ms = Ms(Clock::now() - t0);
        std::lock_guard<std::mutex> lock(mu);
        if (!error.empty()) {
          if (first_error.empty()) first_error = error;
          break;
        }
        lifecycle_ms.push_back(ms);
        for (int k = 0; k < kStepCount; ++k) step_ms[k] += steps[k];
        ++done;
        total_rpcs += rpcs;
        total_polls += polls;
      }
      const double used = ThreadCpuSeconds() - thread_cpu_start;
      std::lock_guard<std::mutex> lock(mu);
      client_cpu += used;
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = Sec(Clock::now() - start);
  const double cpu = CpuSeconds() - cpu_start;
  const double redis_cpu = RedisCpuSeconds(redis_port) - redis_cpu_start;
  const records::RecordStore::Stats store_end = records.stats();
  INFO(first_error);
  REQUIRE(first_error.empty());
  REQUIRE(done.load() > 0);
  const int n = done.load();
  const double per_second = n / elapsed;
  const double fixed = static_cast<double>(total_rpcs.load()) / n;
  const double polls = static_cast<double>(total_polls.load()) / n;
  const int per_round = static_cast<int>(fixed + polls + 0.5);
  const double baseline = HealthRounds(*stack, citizen_tokens.front(), clients, per_round,
                                       g_options.seconds);
  const int64_t writes = store_end.writes - store_start.writes;
  const int64_t commits = store_end.commits - store_start.commits;
  std::printf("store: %d seeded filings; %d drafts prepared in %.1f s (untimed); %d client "
              "threads; actions answer with the %s view\n", seeded, per_client * clients, prep_s,
              clients, g_options.full_answers ? "full" : "basic");
  std::printf("lifecycles: %d in %.1f s = %.1f /s%s; each %.1f ms p50, %.1f ms p95\n", n, elapsed,
              per_second, n == per_client * clients ? " (ran out of drafts)" : "",
              Percentile(lifecycle_ms, 0.5), Percentile(lifecycle_ms, 0.95));
  std::printf("RPCs per lifecycle: %.0f fixed + %.1f GetFiling polls until routed\n", fixed,
              polls);
  std::printf("CPU per lifecycle: %.2f ms process (client threads %.2f ms, server and workers "
              "%.2f ms) + redis-server %.2f ms; %.2f cores busy on average (process %.2f, redis "
              "%.2f)\n", 1000 * (cpu + redis_cpu) / n, 1000 * client_cpu / n,
              1000 * (cpu - client_cpu) / n, 1000 * redis_cpu / n, (cpu + redis_cpu) / elapsed,
              cpu / elapsed, redis_cpu / elapsed);
  std::printf("record store: %lld write bodies, %lld commits (fsyncs) = %.1f writes and %.1f "
              "commits per second, %.2f bodies per commit, %.1f writes per lifecycle\n",
              static_cast<long long>(writes), static_cast<long long>(commits), writes / elapsed,
              commits / elapsed, commits > 0 ? static_cast<double>(writes) / commits : 0.0,
              static_cast<double>(writes) / n);
  const double writer_s = (store_end.body_ns - store_start.body_ns +
                           store_end.gate_wait_ns - store_start.gate_wait_ns +
                           store_end.commit_ns - store_start.commit_ns) / 1e9;
  std::printf("writer connection busy %.0f%% of the time: per lifecycle %.3f ms bodies, %.3f ms "
              "waiting to commit, %.3f ms COMMIT; log sync %.3f ms per commit (outside the "
              "writer); %lld checkpoints beside the writer\n", 100 * writer_s / elapsed,
              (store_end.body_ns - store_start.body_ns) / 1e6 / n,
              (store_end.gate_wait_ns - store_start.gate_wait_ns) / 1e6 / n,
              (store_end.commit_ns - store_start.commit_ns) / 1e6 / n,
              commits > 0 ? (store_end.sync_ns - store_start.sync_ns) / 1e6 / commits : 0.0,
              static_cast<long long>(store_end.checkpoints - store_start.checkpoints));
  std::printf("mean ms per step, with %d clients in flight:", clients);
  for (int k = 2; k < kStepCount; ++k) {
    if (k == 3) {
      std::printf(", routing (polls) %.1f", step_ms[k] / n);
      continue;
    }
    std::printf("%s %s %.1f", k == 2 ? "" : ",", kSteps[k], step_ms[k] / n);
  }
  std::printf("\n");
  std::printf("baseline: rounds of %d Health/Check = %.1f /s\n", per_round, baseline);
  const double fsyncs = FsyncsPerSecond(stack->dir().path().string(), 2);
  std::printf("disk: %.0f fsync/s (4 KiB append + fsync, 1 thread, same data dir)\n", fsyncs);
  std::printf("RATIO lifecycles / baseline rounds %.1f%%  (issue target: >= 500 lifecycles/s "
              "without OCR with %d filings on 2 cores; here %.1f/s)\n",
              100 * per_second / baseline, seeded, per_second);
}

void RunAll() {
  const auto t0 = Clock::now();
  auto run = [](int figure) {
    const auto& only = g_options.only;
    return only.empty() || std::find(only.begin(), only.end(), figure) != only.end();
  };
  if (run(6)) Figure6(g_options.filings);
  const auto& only = g_options.only;
  if (!only.empty() && std::all_of(only.begin(), only.end(), [](int f) { return f == 6; })) {
    std::printf("\nlifecycle_bench: total %.1f s\n", Sec(Clock::now() - t0));
    return;
  }
  auto stack = Stack::Start();
  const std::string citizen_token = stack->CitizenToken("0912345678");
  const std::string officer_token = stack->StaffToken("officer.a");
  const std::string photo = cdkv::testing::IdCardPhoto(kPayload);
  std::printf("lifecycle_bench: stack up in %.1f s (redis-server on port %d, server %s)\n",
              Sec(Clock::now() - t0), stack->redis().port(), stack->server().address().c_str());
  std::printf("VmRSS at start %.1f MiB\n", RssMiB());
  if (g_options.filings > 0) {
    const double s = Seed(*stack->server().app().deps().records, g_options.filings);
    std::printf("seeded %d closed filings in one transaction in %.1f s (%.0f rows/s)\n",
                g_options.filings, s, g_options.filings / s);
  }
  if (run(1)) Figure1(*stack, citizen_token);
  if (run(2)) Figure2(*stack);
  if (run(3)) Figure3(*stack, citizen_token, officer_token, photo, g_options.filings);
  if (run(3)) Figure3b(*stack, citizen_token, officer_token, photo);
  if (run(4) || run(5)) {
    const std::vector<std::string> ids = Figure4(*stack, citizen_token, photo);
    if (run(5)) Figure5(*stack, citizen_token, ids);
  }
  std::printf("\nlifecycle_bench: total %.1f s\n", Sec(Clock::now() - t0));
}

TEST_CASE("lifecycle benchmarks") { RunAll(); }

}  // namespace
}  // namespace cdkv::bench

int main(int argc, char** argv) {
  CLI::App app{"lifecycle_bench: the filing lifecycle's figures as ratios to same-run baselines"};
  cdkv::bench::Options& o = cdkv::bench::g_options;
  app.add_option("--filings", o.filings, "closed filings seeded into the store first")
      ->check(CLI::Range(0, 2000000));
  app.add_option("--seconds", o.seconds, "length of each timed phase")->check(CLI::Range(1, 60));
  app.add_option("--clients", o.clients, "client threads for the lifecycle figure")
      ->check(CLI::Range(1, 64));
  app.add_option("--ocr-filings", o.ocr_filings, "filings in the OCR burst")
      ->check(CLI::Range(1, 1000));
  app.add_option("--watches", o.watches, "WatchFiling streams for the memory figure")
      ->check(CLI::Range(1, 20000));
  app.add_option("--redis-requests", o.redis_requests, "redis-benchmark -n")
      ->check(CLI::Range(1000, 1000000));
  app.add_option("--desk-filings", o.desk_filings, "filings prepared for figure 3b")
      ->check(CLI::Range(4, 5000));
  app.add_option("--nocr-filings", o.nocr_filings, "drafts prepared for figure 6")
      ->check(CLI::Range(8, 100000));
  app.add_flag("--full-answers", o.full_answers,
               "actions answer with the whole filing (default: the basic view)");
  app.add_option("--nocr-clients", o.nocr_clients, "client threads for figure 6")
      ->check(CLI::Range(1, 64));
  app.add_option("--only", o.only, "run only these figures (1-6; 5 needs 4's filings)")
      ->check(CLI::Range(1, 6));
  CLI11_PARSE(app, argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  Catch::Session session;
  const char* catch_argv[] = {argv[0], "--reporter", "compact"};
  return session.run(3, catch_argv);
}
