#include "ocr/quality_gate.h"

#include <catch2/catch.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <set>
#include <string>

#include "tests/ocr/image_test_util.h"
#include "tests/ocr/synth_test_util.h"
#include "tools/synth/page_render.h"

namespace cdkv::ocr {
namespace {

using testing::Jpeg;
using testing::MakePagePhoto;
using testing::MakePhoto;
using testing::Side;

QualityVerdict VerdictOf(const synth::Photo& photo) {
  auto report = CheckPhotoQualityBytes(Jpeg(photo));
  REQUIRE(report.ok());
  CHECK(report->advice == QualityAdvice(report->verdict));
  return report->verdict;
}

TEST_CASE("Good photos pass at every distortion level", "[ocr][quality]") {
  for (int level = 0; level <= 3; ++level) {
    for (uint64_t seed = 1; seed <= 3; ++seed) {
      INFO("level " << level << " seed " << seed);
      CHECK(VerdictOf(MakePhoto(seed % 2 ? Side::kFront : Side::kBack, level,
                                10 * level + seed)
                          .photo) == QualityVerdict::kGood);
    }
  }
}

TEST_CASE("Each defect gets its verdict", "[ocr][quality]") {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    INFO("seed " << seed);
    CHECK(VerdictOf(
              MakePhoto(Side::kFront, 1, seed, synth::Defect::kBlur).photo) ==
          QualityVerdict::kBlurred);
    CHECK(VerdictOf(
              MakePhoto(Side::kBack, 1, seed, synth::Defect::kGlare).photo) ==
          QualityVerdict::kGlare);
    CHECK(VerdictOf(MakePhoto(Side::kFront, 0, seed, synth::Defect::kTooSmall)
                        .photo) == QualityVerdict::kTooSmall);
    CHECK(VerdictOf(MakePhoto(Side::kNothing, 0, seed).photo) ==
          QualityVerdict::kNoDocument);
  }
  // Cut-off cards whose outline survives are named as such; see
  // FindDocument's test for the rest.
  CHECK(
      VerdictOf(MakePhoto(Side::kFront, 0, 2, synth::Defect::kCutOff).photo) ==
      QualityVerdict::kCutOff);
}

constexpr synth::PageKind kPageKinds[] = {
    synth::PageKind::kBirthNotice, synth::PageKind::kDeathNotice,
    synth::PageKind::kBirthExtract, synth::PageKind::kOther};

TEST_CASE("Paper pages get the same verdicts as cards", "[ocr][quality]") {
  // The focus measure was once calibrated on cards only: blurred pages,
  // whose small print was gone, passed on their table lines and seal.
  uint64_t seed = 40;
  for (synth::PageKind kind : kPageKinds) {
    for (int level = 0; level <= 3; ++level) {
      ++seed;
      INFO(synth::PageKindName(kind) << " level " << level << " seed " << seed);
      CHECK(VerdictOf(MakePagePhoto(kind, level, seed)) ==
            QualityVerdict::kGood);
      CHECK(VerdictOf(MakePagePhoto(kind, level, seed, synth::Defect::kBlur)) ==
            QualityVerdict::kBlurred);
    }
    INFO(synth::PageKindName(kind));
    CHECK(VerdictOf(MakePagePhoto(kind, 1, seed, synth::Defect::kCutOff)) ==
          QualityVerdict::kCutOff);
    CHECK(VerdictOf(MakePagePhoto(kind, 1, seed, synth::Defect::kGlare)) ==
          QualityVerdict::kGlare);
    CHECK(VerdictOf(MakePagePhoto(kind, 1, seed, synth::Defect::kTooSmall)) ==
          QualityVerdict::kTooSmall);
  }
}

TEST_CASE("A small page blurred past reading at full resolution is blurred",
          "[ocr][quality]") {
  // A page on a fifth of a 12 MP frame has print about 3 px tall in the
  // gate's 1000 px copy, where a blur several full-resolution pixels wide
  // hardly shows: the working copy's focus measure alone passed such pages,
  // which the reader could not read. The same pages sharp must pass. The
  // closer look is for expected pages only: small cards read well at a
  // blur that makes small print unreadable.
  QualityOptions paper;
  paper.expect = DocumentShape::kPage;
  for (uint64_t seed : {3, 8}) {
    INFO("seed " << seed);
    const synth::Photo page = MakePagePhoto(synth::PageKind::kBirthExtract, 0,
                                            seed, synth::Defect::kNone, 2000);
    // The 2000 × 2667 scene widened to 3000 × 4000 with its own table edge:
    // the page keeps its pixels and fills about a fifth of the frame.
    synth::Photo small = page;
    cv::copyMakeBorder(page.image, small.image, 667, 666, 500, 500,
                       cv::BORDER_REPLICATE);
    small.jpeg_quality = 90;
    auto sharp = CheckPhotoQualityBytes(Jpeg(small), paper);
    REQUIRE(sharp.ok());
    CHECK(sharp->verdict == QualityVerdict::kGood);
    CHECK(sharp->area_fraction < 0.3);
    CHECK(sharp->print_blur <= QualityOptions{}.max_print_blur);
    synth::Photo blurred = small;
    blurred.image = cv::Mat();
    cv::GaussianBlur(small.image, blurred.image, {0, 0}, 4.0);
    auto soft = CheckPhotoQualityBytes(Jpeg(blurred), paper);
    REQUIRE(soft.ok());
    // The working copy's measure still calls it sharp enough...
    CHECK(soft->sharpness >= QualityOptions{}.min_sharpness);
    // ...but the print, seen at twice that scale, is not.
    CHECK(soft->verdict == QualityVerdict::kBlurred);
    CHECK(soft->print_blur > QualityOptions{}.max_print_blur);
    // A full-size image handed over decoded is judged the same way.
    auto decoded = CheckPhotoQuality(blurred.image, paper);
    REQUIRE(decoded.ok());
    CHECK(decoded->verdict == QualityVerdict::kBlurred);
    auto decoded_sharp = CheckPhotoQuality(small.image, paper);
    REQUIRE(decoded_sharp.ok());
    CHECK(decoded_sharp->verdict == QualityVerdict::kGood);
    // Not told what it is, the gate judges on the working copy alone.
    auto unknown = CheckPhotoQualityBytes(Jpeg(blurred));
    REQUIRE(unknown.ok());
    CHECK(unknown->print_blur == 0.0);
  }
}

TEST_CASE("A document cut deep by the frame edge is named cut off",
          "[ocr][quality]") {
  // The part left in the frame is as square as no document is, so the
  // finder alone loses it; "no document" would send the citizen looking
  // for a problem they do not have.
  int cut = 0;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    INFO("seed " << seed);
    const auto verdict =
        VerdictOf(MakePhoto(seed % 2 ? Side::kFront : Side::kBack2024, seed % 4,
                            seed, synth::Defect::kCutOff)
                      .photo);
    CHECK(verdict != QualityVerdict::kGood);
    if (verdict == QualityVerdict::kCutOff) ++cut;
  }
  CHECK(cut >= 11);
}

TEST_CASE("Clutter at the frame edge is no document, not a cut-off one",
          "[ocr][quality]") {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    INFO("seed " << seed);
    const auto verdict = VerdictOf(MakePhoto(Side::kNothing, 0, seed).photo);
    CHECK(verdict != QualityVerdict::kCutOff);
    CHECK(verdict != QualityVerdict::kGood);
  }
}

TEST_CASE("Sharpness depends on focus, not on light or ink contrast",
          "[ocr][quality]") {
  const auto photo = MakePhoto(Side::kFront, 0, 5).photo;
  auto bright = CheckPhotoQuality(photo.image);
  REQUIRE(bright.ok());
  REQUIRE(bright->verdict == QualityVerdict::kGood);
  cv::Mat dim;
  photo.image.convertTo(dim, -1, 0.35, 20);  // Dusk: a third of the contrast.
  auto dark = CheckPhotoQuality(dim);
  REQUIRE(dark.ok());
  CHECK(dark->verdict == QualityVerdict::kGood);
  CHECK(dark->sharpness == Approx(bright->sharpness).epsilon(0.15));
  cv::Mat soft;
  cv::GaussianBlur(photo.image, soft, {0, 0}, 3.0);
  auto blurred = CheckPhotoQuality(soft);
  REQUIRE(blurred.ok());
  CHECK(blurred->verdict == QualityVerdict::kBlurred);
  CHECK(blurred->sharpness < 0.5 * bright->sharpness);
}

TEST_CASE("A 12 MP photo is checked and its quad scaled back",
          "[ocr][quality]") {
  const auto s = MakePhoto(Side::kFront, 2, 77, synth::Defect::kNone, 4000);
  const auto bytes = Jpeg(s.photo);
  auto report = CheckPhotoQualityBytes(bytes);
  REQUIRE(report.ok());
  CHECK(report->verdict == QualityVerdict::kGood);
  REQUIRE(report->document.has_value());
  // The quad comes back in the original photo's pixels.
  double nearest = 1e9;
  for (const auto& p : s.photo.quad) {
    nearest = std::min(nearest, cv::norm(report->document->quad[0] - p));
  }
  CHECK(nearest < 40.0);
}

TEST_CASE("Advice is distinct, Vietnamese and non-empty", "[ocr][quality]") {
  std::set<std::string_view> seen;
  for (QualityVerdict v : {QualityVerdict::kGood, QualityVerdict::kNoDocument,
                           QualityVerdict::kTooSmall, QualityVerdict::kCutOff,
                           QualityVerdict::kGlare, QualityVerdict::kBlurred}) {
    CHECK_FALSE(QualityAdvice(v).empty());
    CHECK(QualityVerdictName(v) != "unknown");
    CHECK(seen.insert(QualityAdvice(v)).second);
  }
  CHECK(QualityAdvice(QualityVerdict::kBlurred) ==
        "Ảnh bị mờ. Xin giữ máy chắc tay và chụp lại.");
}

TEST_CASE("Bad input is refused or reported, never crashes", "[ocr][quality]") {
  std::mt19937 rng(1);
  std::vector<uint8_t> random(5000);
  for (auto& b : random) b = static_cast<uint8_t>(rng());
  CHECK_FALSE(CheckPhotoQualityBytes(random).ok());
  CHECK_FALSE(CheckPhotoQualityBytes({}).ok());
  CHECK(CheckPhotoQualityBytes(testing::JpegHeaderOnly(20000, 20000))
            .status()
            .code() == absl::StatusCode::kResourceExhausted);
  CHECK(CheckPhotoQuality(cv::Mat()).status().code() ==
        absl::StatusCode::kInvalidArgument);
  auto tiny = CheckPhotoQuality(cv::Mat(2, 2, CV_8UC3, cv::Scalar(1, 2, 3)));
  REQUIRE(tiny.ok());
  CHECK(tiny->verdict == QualityVerdict::kNoDocument);
  auto wall = CheckPhotoQuality(
      cv::Mat(3000, 4000, CV_8UC3, cv::Scalar(200, 200, 205)));
  REQUIRE(wall.ok());
  CHECK(wall->verdict == QualityVerdict::kNoDocument);
}

}  // namespace
}  // namespace cdkv::ocr
