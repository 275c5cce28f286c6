#include "tests/ocr/synth_test_util.h"

#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>
#include <random>

#include "tools/synth/card_render.h"

namespace cdkv::ocr::testing {

SynthPhoto MakePhoto(Side side, int level, uint64_t seed, synth::Defect defect,
                     int width) {
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
  auto card = side == Side::kFront ? renderer.Front(out.identity, 2)
                                   : renderer.Back(out.identity, 2);
  REQUIRE(card.ok());
  out.photo = synth::Photograph(*card, options, rng);
  return out;
}

std::vector<uint8_t> Jpeg(const synth::Photo& photo) {
  std::vector<uint8_t> bytes;
  REQUIRE(cv::imencode(".jpg", photo.image, bytes,
                       {cv::IMWRITE_JPEG_QUALITY, photo.jpeg_quality}));
  return bytes;
}

}  // namespace cdkv::ocr::testing
