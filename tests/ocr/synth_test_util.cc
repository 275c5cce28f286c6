#include "tests/ocr/synth_test_util.h"

#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>
#include <random>

#include "ocr/id_card_layout.h"
#include "tools/synth/card_render.h"

namespace cdkv::ocr::testing {

SynthPhoto MakePhoto(Side side, int level, uint64_t seed, synth::Defect defect,
                     int width, bool hide_qr) {
  static const synth::CardRenderer renderer = [] {
    auto r = synth::CardRenderer::Create();
    REQUIRE(r.ok());
    return *std::move(r);
  }();
  std::mt19937_64 rng(seed);
  SynthPhoto out;
  out.identity = synth::RandomIdentity(rng);
  synth::PhotoOptions options;
  options.level = level;
  options.frame = cv::Size(width, width * 3 / 4);
  options.defect = defect;
  if (side == Side::kNothing) {
    out.photo = synth::PhotographNothing(options, rng);
    return out;
  }
  absl::StatusOr<cv::Mat> card;
  switch (side) {
    case Side::kFront:
      card = renderer.Front(out.identity, 2);
      options.may_occlude_qr = hide_qr;
      break;
    case Side::kBack:
      card = renderer.Back(out.identity, 2);
      break;
    case Side::kFront2024:
      card = renderer.Front2024(out.identity, 2);
      break;
    case Side::kBack2024:
      card = renderer.Back2024(out.identity, 2);
      options.may_occlude_qr = hide_qr;
      options.qr_box = card_layout::v2024::kQr;
      break;
    case Side::kFront2016:
      card = renderer.Front2016(out.identity, 2);
      break;
    case Side::kBack2016:
    case Side::kNothing:
      card = renderer.Back2016(out.identity, 2);
      break;
  }
  options.hide_qr = hide_qr;
  REQUIRE(card.ok());
  out.photo = synth::Photograph(*card, options, rng);
  return out;
}

synth::Photo MakePagePhoto(synth::PageKind kind, int level, uint64_t seed,
                           synth::Defect defect, int width) {
  static const synth::PageRenderer renderer = [] {
    auto r = synth::PageRenderer::Create();
    REQUIRE(r.ok());
    return *std::move(r);
  }();
  std::mt19937_64 rng(seed);
  const synth::PageContent content = synth::RandomPageContent(kind, rng);
  synth::PhotoOptions options;
  options.level = level;
  options.frame = cv::Size(width, width * 4 / 3);
  options.defect = defect;
  return synth::Photograph(renderer.Render(content, options.frame.height, rng),
                           options, rng);
}

std::vector<uint8_t> Jpeg(const synth::Photo& photo) {
  std::vector<uint8_t> bytes;
  REQUIRE(cv::imencode(".jpg", photo.image, bytes,
                       {cv::IMWRITE_JPEG_QUALITY, photo.jpeg_quality}));
  return bytes;
}

}  // namespace cdkv::ocr::testing
