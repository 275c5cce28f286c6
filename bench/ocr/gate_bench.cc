// gate_bench --data DIR...: the photo quality gate (ocr/quality_gate.h) over
// cdkv-synth sets made with --defect none|blur|glare|cutoff|small (and
// --kinds blank: no document). For cards, paper pages and blanks apart it
// prints how often each defect got its own
// verdict, how often a good photo was refused, and the gate's time per photo
// (decoding included, as the upload path pays it). --expect page|card
// passes what an upload that declares its document would. Run with
// OMP_THREAD_LIMIT=1 for one-core figures.
#include <time.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ocr/quality_gate.h"

namespace cdkv::bench {
namespace {

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

// The verdict a photo of `kind` made with `defect` should get.
std::string Expected(const std::string& kind, const std::string& defect) {
  if (kind == "blank") return "no_document";
  if (defect == "none") return "good";
  if (defect == "blur") return "blurred";
  if (defect == "cutoff") return "cut_off";
  if (defect == "small") return "too_small";
  return defect;  // "glare".
}

bool IsPage(const std::string& kind) {
  return kind == "birth_notice" || kind == "death_notice" ||
         kind == "civil_status_extract" || kind == "other_document";
}

struct Row {
  int photos = 0;
  int right = 0;
  std::map<std::string, int> verdicts;
  std::vector<double> cpu_ms;
};

int Run(int argc, char** argv) {
  CLI::App app{"Photo quality gate verdicts on cdkv-synth defect sets"};
  std::vector<std::string> dirs;
  bool verbose = false;
  app.add_option("--data", dirs, "cdkv-synth output directories")->required();
  std::string expect;
  app.add_flag("--verbose", verbose, "print every photo's verdict");
  app.add_option("--expect", expect,
                 "what the upload says is photographed (QualityOptions::"
                 "expect): page or card; unset, the gate guesses")
      ->check(CLI::IsMember({"page", "card"}));
  CLI11_PARSE(app, argc, argv);
  ocr::QualityOptions options;
  if (expect == "page") options.expect = ocr::DocumentShape::kPage;
  if (expect == "card") options.expect = ocr::DocumentShape::kIdCard;

  std::vector<std::filesystem::path> photos;
  for (const auto& dir : dirs) {
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.path().extension() == ".jpg") photos.push_back(e.path());
    }
  }
  std::sort(photos.begin(), photos.end());
  // {cards|pages, defect} -> row.
  std::map<std::pair<std::string, std::string>, Row> rows;
  for (const auto& path : photos) {
    std::ifstream truth_file(
        std::filesystem::path(path).replace_extension(".json"));
    const nlohmann::json truth = nlohmann::json::parse(truth_file);
    const std::string defect = truth.value("defect", "none");
    const std::string kind = truth.value("kind", "");
    std::ifstream in(path, std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                     std::istreambuf_iterator<char>());
    const double start = CpuMs();
    auto gate = ocr::CheckPhotoQualityBytes(bytes, options);
    const double cpu = CpuMs() - start;
    const std::string verdict =
        gate.ok() ? std::string(ocr::QualityVerdictName(gate->verdict))
                  : "error";
    const std::string docs = kind == "blank" ? "blank"
                             : IsPage(kind)  ? "pages"
                                             : "cards";
    Row& row = rows[{docs, defect}];
    row.photos++;
    row.verdicts[verdict]++;
    row.cpu_ms.push_back(cpu);
    if (verdict == Expected(kind, defect)) row.right++;
    if (verbose) {
      std::printf("%s kind=%s level=%d defect=%s verdict=%s", path.c_str(),
                  kind.c_str(), truth.value("level", 0), defect.c_str(),
                  verdict.c_str());
      if (gate.ok()) {
        std::printf(
            " area=%.3f sharpness=%.2f print_blur=%.5f glare=%.4f %.0f ms",
            gate->area_fraction, gate->sharpness, gate->print_blur,
            gate->glare_fraction, cpu);
      } else {
        std::printf(" (%s)", std::string(gate.status().message()).c_str());
      }
      std::printf("\n");
    }
  }
  std::printf("%-6s %-7s %6s %12s %9s  %s\n", "docs", "defect", "photos",
              "right", "cpu p50", "verdicts");
  for (const auto& [key, row] : rows) {
    std::printf("%-6s %-7s %6d %5d (%3.0f%%) %6.0f ms ", key.first.c_str(),
                key.second.c_str(), row.photos, row.right,
                100.0 * row.right / std::max(1, row.photos),
                Median(row.cpu_ms));
    for (const auto& [verdict, n] : row.verdicts) {
      std::printf(" %s:%d", verdict.c_str(), n);
    }
    std::printf("\n");
  }
  return 0;
}

}  // namespace
}  // namespace cdkv::bench

int main(int argc, char** argv) { return cdkv::bench::Run(argc, argv); }
