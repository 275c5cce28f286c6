// cdkv-synth: writes synthetic ID-card photos (NNNN.jpg) with their ground
// truth (NNNN.json) for the OCR tests and benchmark: the 2021 chip card
// (front, back), the 2024 identity card (front2024, back2024) and the 2016
// card without QR (front2016, back2016). Deterministic for a seed:
// photo i depends only on (seed, i), so sets of different sizes share their
// first photos.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "ocr/id_card_layout.h"
#include "tools/synth/card_render.h"
#include "tools/synth/identity.h"
#include "tools/synth/page_render.h"
#include "tools/synth/photograph.h"

namespace cdkv::synth {
namespace {

nlohmann::json Fields(const Identity& p) {
  return {{"id_number", p.id},
          {"old_id", p.old_id},
          {"full_name", p.full_name},
          {"birth_date", ocr::FormatDate(p.birth_date)},
          {"sex", SexWord(p.sex)},
          {"hometown", p.hometown},
          {"residence", p.residence},
          {"issue_date", ocr::FormatDate(p.issue_date)},
          {"expiry_date", ocr::FormatDate(p.expiry_date)}};
}

std::optional<PageKind> PageKindOf(const std::string& kind) {
  if (kind == "birth_notice") return PageKind::kBirthNotice;
  if (kind == "death_notice") return PageKind::kDeathNotice;
  if (kind == "extract") return PageKind::kBirthExtract;
  if (kind == "other") return PageKind::kOther;
  return std::nullopt;
}

absl::StatusOr<cv::Mat> Render(const CardRenderer& r, const std::string& kind,
                               const Identity& p, int scale) {
  if (kind == "front") return r.Front(p, scale);
  if (kind == "back") return r.Back(p, scale);
  if (kind == "front2024") return r.Front2024(p, scale);
  if (kind == "back2024") return r.Back2024(p, scale);
  if (kind == "front2016") return r.Front2016(p, scale);
  return r.Back2016(p, scale);
}

// The reader's names for the card kinds (ocr::CardKindName).
std::string CardName(const std::string& kind) {
  if (kind.ends_with("2024")) return "identity_2024";
  if (kind.ends_with("2016")) return "citizen_id_2016";
  return "chip_2021";
}

int Run(int argc, char** argv) {
  CLI::App app{"Synthetic citizen ID card photos with ground truth"};
  std::string out;
  int count = 24;
  uint64_t seed = 1;
  std::vector<std::string> kinds = {"front", "back"};
  int level = -1;
  int width = 1600;
  std::string defect_name = "none";
  bool hide_qr = false;
  app.add_option("--out", out, "output directory")->required();
  app.add_option("--count", count, "number of photos")
      ->check(CLI::Range(1, 100000));
  app.add_option("--seed", seed, "random seed");
  app.add_option("--kinds", kinds,
                 "front, back, front2024, back2024, front2016, back2016, "
                 "blank, birth_notice, death_notice, extract, other (cycled)")
      ->delimiter(',')
      ->check(CLI::IsMember({"front", "back", "front2024", "back2024",
                             "front2016", "back2016", "blank", "birth_notice",
                             "death_notice", "extract", "other"}));
  app.add_option("--level", level,
                 "distortion 0..3; -1 cycles through all levels")
      ->check(CLI::Range(-1, 3));
  app.add_option("--width", width, "photo width in pixels (4:3 frame)")
      ->check(CLI::Range(640, 6000));
  app.add_option("--defect", defect_name, "none, blur, glare, cutoff, small")
      ->check(CLI::IsMember({"none", "blur", "glare", "cutoff", "small"}));
  app.add_flag("--hide-qr", hide_qr,
               "cover the QR code on every side that has one (printed-text "
               "reading)");
  CLI11_PARSE(app, argc, argv);

  Defect defect = Defect::kNone;
  for (Defect d :
       {Defect::kBlur, Defect::kGlare, Defect::kCutOff, Defect::kTooSmall}) {
    if (DefectName(d) == defect_name) defect = d;
  }
  auto renderer = CardRenderer::Create();
  if (!renderer.ok()) {
    std::cerr << renderer.status().message() << "\n";
    return 1;
  }
  auto page_renderer = PageRenderer::Create();
  if (!page_renderer.ok()) {
    std::cerr << page_renderer.status().message() << "\n";
    return 1;
  }
  std::error_code error;
  std::filesystem::create_directories(out, error);
  if (error) {
    std::cerr << "cannot create " << out << ": " << error.message() << "\n";
    return 1;
  }
  const cv::Size frame(width, width * 3 / 4);
  for (int i = 0; i < count; ++i) {
    std::seed_seq seq{static_cast<uint32_t>(seed),
                      static_cast<uint32_t>(seed >> 32),
                      static_cast<uint32_t>(i)};
    std::mt19937_64 rng(seq);
    const std::string& kind = kinds[i % kinds.size()];
    const int lvl =
        level >= 0 ? level : static_cast<int>((i / kinds.size()) % 4);
    const bool has_qr = kind == "front" || kind == "back2024";
    PhotoOptions options{.level = lvl,
                         .frame = frame,
                         .defect = defect,
                         .may_occlude_qr = has_qr,
                         .hide_qr = hide_qr,
                         .qr_box = std::nullopt};
    if (kind == "back2024") options.qr_box = ocr::card_layout::v2024::kQr;
    const Identity person = RandomIdentity(rng);
    nlohmann::json truth = {{"kind", kind},
                            {"level", lvl},
                            {"defect", DefectName(defect)},
                            {"width", frame.width},
                            {"height", frame.height}};
    Photo photo;
    if (const std::optional<PageKind> page = PageKindOf(kind)) {
      // Pages are photographed in a portrait frame, rendered at least as
      // large as they appear in it.
      options.frame = cv::Size(frame.height, frame.width);
      options.may_occlude_qr = false;
      const PageContent content = RandomPageContent(*page, rng);
      photo =
          Photograph(page_renderer->Render(content, width, rng), options, rng);
      truth["kind"] = std::string(PageKindName(*page));
      truth["width"] = options.frame.width;
      truth["height"] = options.frame.height;
      nlohmann::json fields = nlohmann::json::object();
      for (const auto& [key, value] : content.fields) fields[key] = value;
      truth["fields"] = fields;
      truth["quarter_turns"] = photo.quarter_turns;
    } else if (kind == "blank") {
      photo = PhotographNothing(options, rng);
    } else {
      // Render at enough resolution that the photo is not upscaled.
      const int scale = std::clamp(width / 856, 1, 4);
      auto card = Render(*renderer, kind, person, scale);
      if (!card.ok()) {
        std::cerr << card.status().message() << "\n";
        return 1;
      }
      photo = Photograph(*card, options, rng);
      truth["fields"] = Fields(person);
      truth["card"] = CardName(kind);
      truth["side"] = kind.rfind("front", 0) == 0 ? "front" : "back";
      truth["qr_occluded"] = photo.qr_occluded;
      truth["quarter_turns"] = photo.quarter_turns;
      nlohmann::json quad = nlohmann::json::array();
      for (const auto& p : photo.quad) quad.push_back({p.x, p.y});
      truth["quad"] = quad;
      if (kind == "back" || kind == "back2024") {
        const auto mrz = MrzLines(person);
        truth["mrz"] = {mrz[0], mrz[1], mrz[2]};
      }
    }
    char name[32];
    std::snprintf(name, sizeof name, "%04d", i);
    const std::filesystem::path base = std::filesystem::path(out) / name;
    if (!cv::imwrite(base.string() + ".jpg", photo.image,
                     {cv::IMWRITE_JPEG_QUALITY, photo.jpeg_quality})) {
      std::cerr << "cannot write " << base.string() << ".jpg\n";
      return 1;
    }
    std::ofstream(base.string() + ".json") << truth.dump(2) << "\n";
  }
  std::cout << "wrote " << count << " photos to " << out << "\n";
  return 0;
}

}  // namespace
}  // namespace cdkv::synth

int main(int argc, char** argv) { return cdkv::synth::Run(argc, argv); }
