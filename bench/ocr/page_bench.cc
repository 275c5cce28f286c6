// page_bench --data DIR: the paper-document reader (ocr/page_reader.h) over a
// cdkv-synth set of pages (--kinds birth_notice death_notice extract other):
// how often the kind is detected, and per document kind and distortion
// level how many fields are read exactly, how many wrong ones are confident
// (>= kReviewThreshold: the worst defect), and the time per photo. Run with
// OMP_THREAD_LIMIT=1 for one-core figures.
#include <sys/resource.h>
#include <time.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "ocr/id_card_reader.h"
#include "ocr/page_reader.h"
#include "ocr/quality_gate.h"

namespace cdkv::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Fields the acceptance counts (names with diacritics, dates, sex,
// ID numbers); the others are reported separately.
const std::set<std::string> kCoreFields = {
    "mother_name", "child_name",       "deceased_name", "person_name",
    "father_name", "date_of_birth",    "date_of_death", "registration_date",
    "sex",         "mother_id_number", "id_number",     "issue_date"};

struct Tally {
  int photos = 0;
  int kind_right = 0;
  int core = 0, core_right = 0, core_confident = 0;
  int other = 0, other_right = 0;
  int confident_wrong = 0;
  std::vector<double> ms;
  std::vector<double> cpu_ms;  // This thread's CPU time: what one core costs.
};

double CpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double Pct(int a, int b) { return b == 0 ? 0.0 : 100.0 * a / b; }

int Run(int argc, char** argv) {
  CLI::App app{"Paper document reader accuracy and speed on a cdkv-synth set"};
  std::string data;
  bool verbose = false;
  bool text = false;
  app.add_option("--data", data, "cdkv-synth output directory")->required();
  app.add_flag("--verbose", verbose, "print every field read");
  app.add_flag("--text", text, "with --verbose, print every line read too");
  CLI11_PARSE(app, argc, argv);

  auto reader = ocr::PageReader::Create();
  if (!reader.ok()) {
    std::cerr << reader.status().message() << "\n";
    return 1;
  }
  ocr::QualityOptions gate_options;
  gate_options.expect = ocr::DocumentShape::kPage;
  std::vector<std::filesystem::path> photos;
  for (const auto& e : std::filesystem::directory_iterator(data)) {
    if (e.path().extension() == ".jpg") photos.push_back(e.path());
  }
  std::sort(photos.begin(), photos.end());
  std::map<std::pair<std::string, int>, Tally> tallies, passed, refused,
      gate_failed;
  Tally total;
  for (const auto& path : photos) {
    std::ifstream truth_file(
        std::filesystem::path(path).replace_extension(".json"));
    const nlohmann::json truth = nlohmann::json::parse(truth_file);
    const std::string kind = truth.value("kind", "");
    const int level = truth.value("level", 0);
    std::ifstream in(path, std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                     std::istreambuf_iterator<char>());
    // What the app's upload would say of the photo: a refused one is
    // retaken while the citizen still holds the paper. An upload of a paper
    // says so, as the page reader assumes a page too.
    auto gate = ocr::CheckPhotoQualityBytes(bytes, gate_options);
    const bool gate_passed =
        gate.ok() && gate->verdict == ocr::QualityVerdict::kGood;
    const auto start = Clock::now();
    const double cpu_start = CpuMs();
    auto reading = (*reader)->Read(bytes, 0);
    const double ms =
        std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    const double cpu = CpuMs() - cpu_start;
    Tally& t = tallies[{kind, level}];
    Tally& g = !gate.ok()    ? gate_failed[{kind, level}]
               : gate_passed ? passed[{kind, level}]
                             : refused[{kind, level}];
    for (Tally* tt : {&t, &total, &g}) {
      tt->photos++;
      tt->ms.push_back(ms);
      tt->cpu_ms.push_back(cpu);
    }
    if (!reading.ok()) {
      std::cerr << path.filename() << ": " << reading.status() << "\n";
      continue;
    }
    const std::string got_kind(ocr::DocumentKindName(reading->kind));
    if (got_kind == kind) t.kind_right++, total.kind_right++, g.kind_right++;
    if (verbose) {
      std::printf(
          "%s kind=%s (truth %s) level=%d %.0f ms gate=%s",
          path.filename().c_str(), got_kind.c_str(), kind.c_str(), level, ms,
          gate.ok()
              ? std::string(ocr::QualityVerdictName(gate->verdict)).c_str()
              : "error");
      if (gate.ok()) {
        std::printf(" area=%.2f sharpness=%.2f", gate->area_fraction,
                    gate->sharpness);
      }
      std::printf("\n");
      for (const std::string& note : reading->notes) {
        std::printf("  note: %s\n", note.c_str());
      }
      if (text) std::printf("%s\n", reading->full_text.c_str());
    }
    if (!truth.contains("fields")) continue;
    for (const auto& [key, value] : truth["fields"].items()) {
      if (kind == "other_document" && key == "holder_name") continue;
      const std::string want = value.get<std::string>();
      auto it = reading->fields.find(key);
      const bool found = it != reading->fields.end();
      const bool right = found && it->second.best.value == want;
      const double conf = found ? it->second.best.confidence : 0.0;
      const bool confident = conf >= ocr::kReviewThreshold;
      const bool core = kCoreFields.count(key) > 0;
      for (Tally* tt : {&t, &total, &g}) {
        if (core) {
          tt->core++;
          tt->core_right += right;
          tt->core_confident += right && confident;
        } else {
          tt->other++;
          tt->other_right += right;
        }
        if (found && !right && confident) tt->confident_wrong++;
      }
      if (verbose) {
        std::printf("  %-20s %s %.2f %s%s\n", key.c_str(),
                    right ? "ok " : (found ? "BAD" : "---"), conf,
                    found ? it->second.best.value.c_str() : "",
                    right ? "" : (" | want " + want).c_str());
      }
    }
  }
  std::printf(
      "| kind | level | photos | kind detected | core fields right | "
      "core right and confident | other fields right | confident wrong | "
      "median ms (wall) | median ms (CPU) |\n"
      "|---|---|---|---|---|---|---|---|---|---|\n");
  for (const auto& [key, t] : tallies) {
    std::printf(
        "| %s | %d | %d | %.0f%% | %.1f%% (%d/%d) | %.1f%% | %.1f%% "
        "(%d/%d) | %d | %.0f | %.0f |\n",
        key.first.c_str(), key.second, t.photos, Pct(t.kind_right, t.photos),
        Pct(t.core_right, t.core), t.core_right, t.core,
        Pct(t.core_confident, t.core), Pct(t.other_right, t.other),
        t.other_right, t.other, t.confident_wrong, Median(t.ms),
        Median(t.cpu_ms));
  }
  std::printf(
      "| all | | %d | %.1f%% | %.1f%% (%d/%d) | %.1f%% | %.1f%% "
      "(%d/%d) | %d | %.0f | %.0f |\n",
      total.photos, Pct(total.kind_right, total.photos),
      Pct(total.core_right, total.core), total.core_right, total.core,
      Pct(total.core_confident, total.core),
      Pct(total.other_right, total.other), total.other_right, total.other,
      total.confident_wrong, Median(total.ms), Median(total.cpu_ms));
  // The same photos split by the quality gate's verdict.
  for (const auto& [name, split] :
       {std::pair<const char*, const decltype(passed)*>{"gate passed", &passed},
        {"retake asked", &refused},
        {"gate error", &gate_failed}}) {
    for (const auto& [key, t] : *split) {
      std::printf(
          "| %s, %s | %d | %d | %.0f%% | %.1f%% (%d/%d) | %.1f%% | "
          "%.1f%% (%d/%d) | %d | %.0f | %.0f |\n",
          key.first.c_str(), name, key.second, t.photos,
          Pct(t.kind_right, t.photos), Pct(t.core_right, t.core), t.core_right,
          t.core, Pct(t.core_confident, t.core), Pct(t.other_right, t.other),
          t.other_right, t.other, t.confident_wrong, Median(t.ms),
          Median(t.cpu_ms));
    }
  }
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("peak resident memory: %ld MB\n", usage.ru_maxrss / 1024);
  return 0;
}

}  // namespace
}  // namespace cdkv::bench

int main(int argc, char** argv) { return cdkv::bench::Run(argc, argv); }
