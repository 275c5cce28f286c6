#include "ocr/id_card_reader.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <string>

#include "ocr/id_card_layout.h"
#include "ocr/text_utf8.h"
#include "tests/ocr/image_test_util.h"
#include "tests/ocr/synth_test_util.h"

namespace cdkv::ocr {
namespace {

using testing::Jpeg;
using testing::MakePhoto;
using testing::Side;

const Date kToday{2026, 11, 22};

IdCardReader& Reader() {
  static std::unique_ptr<IdCardReader> reader = [] {
    auto r = IdCardReader::Create();
    REQUIRE(r.ok());
    return *std::move(r);
  }();
  return *reader;
}

IdCardReading Read(const synth::Photo& photo) {
  auto r = Reader().Read(Jpeg(photo), 0, kToday);
  REQUIRE(r.ok());
  return *std::move(r);
}

std::string Fold(const std::string& s) {
  return *FoldVietnameseToAsciiUpper(s);
}

// Every field read is either right or below the review threshold: the
// reader's one promise that matters most.
void CheckNoConfidentError(const std::optional<ReadField>& field,
                           const std::string& truth, bool folded = false) {
  if (!field.has_value()) return;
  const std::string got = folded ? Fold(field->best.value) : field->best.value;
  const std::string want = folded ? Fold(truth) : truth;
  if (got != want) {
    INFO("got '" << field->best.value << "' want '" << truth << "'");
    CHECK(field->best.confidence < kReviewThreshold);
  }
}

TEST_CASE("A readable QR fills the fields with high confidence",
          "[ocr][id_card]") {
  const auto s = MakePhoto(Side::kFront, 1, 11);
  const IdCardReading r = Read(s.photo);
  CHECK(r.side == CardSide::kFront);
  REQUIRE(r.id_number.has_value());
  CHECK(r.id_number->best.value == s.identity.id);
  CHECK(r.id_number->best.method == ReadMethod::kQr);
  CHECK(r.id_number->best.confidence >= kReviewThreshold);
  REQUIRE(r.full_name.has_value());
  CHECK(r.full_name->best.value == s.identity.full_name);
  CHECK(r.birth_date->best.value == FormatDate(s.identity.birth_date));
  CHECK(r.sex->best.value == synth::SexWord(s.identity.sex));
  CHECK(r.residence->best.value == s.identity.residence);
  REQUIRE(r.card_quad.has_value());
  // The card's upright top-left corner is where the photo put it.
  CHECK(cv::norm((*r.card_quad)[0] - s.photo.quad[0]) < 30.0);
}

TEST_CASE("The back is read from the MRZ with check digits", "[ocr][id_card]") {
  for (int level : {0, 2}) {
    const auto s = MakePhoto(Side::kBack, level, 21 + level);
    const IdCardReading r = Read(s.photo);
    INFO("level " << level);
    CHECK(r.side == CardSide::kBack);
    REQUIRE(r.id_number.has_value());
    CHECK(r.id_number->best.value == s.identity.id);
    CHECK(r.id_number->best.method == ReadMethod::kMrz);
    CHECK(r.id_number->best.confidence >= kReviewThreshold);
    REQUIRE(r.birth_date.has_value());
    CHECK(r.birth_date->best.value == FormatDate(s.identity.birth_date));
    REQUIRE(r.full_name.has_value());
    // No diacritics in the MRZ: the name always goes to review.
    CHECK(r.full_name->best.confidence < kReviewThreshold);
    CheckNoConfidentError(r.full_name, s.identity.full_name, true);
  }
}

TEST_CASE("With the QR covered, the printed text is read and validated",
          "[ocr][id_card]") {
  auto s = MakePhoto(Side::kFront, 0, 31);
  // Paint over the QR code where the photo put it.
  std::vector<cv::Point> qr;
  const Quad box =
      MapToPhoto(s.photo.quad, card_layout::kCanonicalSize, card_layout::kQr);
  for (const auto& p : box) qr.emplace_back(p);
  cv::fillConvexPoly(s.photo.image, qr, cv::Scalar(200, 210, 215));
  const IdCardReading r = Read(s.photo);
  CHECK(r.side == CardSide::kFront);
  REQUIRE(r.id_number.has_value());
  CHECK(r.id_number->best.method == ReadMethod::kPrintedText);
  CHECK(r.id_number->best.value == s.identity.id);
  REQUIRE(r.full_name.has_value());
  CHECK(r.full_name->best.value == s.identity.full_name);
  // A name cannot be validated: it is never pre-filled without review.
  CHECK(r.full_name->best.confidence < kReviewThreshold);
  CheckNoConfidentError(r.birth_date, FormatDate(s.identity.birth_date));
  CheckNoConfidentError(r.sex, synth::SexWord(s.identity.sex));
}

TEST_CASE("Printed text can cross-check a readable QR", "[ocr][id_card]") {
  IdCardReaderOptions options;
  options.cross_check_printed = true;
  auto reader = IdCardReader::Create(options);
  REQUIRE(reader.ok());
  const auto s = MakePhoto(Side::kFront, 0, 51);
  auto r = (*reader)->Read(Jpeg(s.photo), 0, kToday);
  REQUIRE(r.ok());
  REQUIRE(r->id_number.has_value());
  CHECK(r->id_number->best.value == s.identity.id);
  CHECK(r->id_number->best.method == ReadMethod::kCrossChecked);
  CHECK(r->id_number->best.confidence >= kReviewThreshold);
  CHECK(r->birth_date->best.method == ReadMethod::kCrossChecked);
  // The QR's mixed-case name is kept; the printed one confirmed it.
  CHECK(r->full_name->best.value == s.identity.full_name);
  CHECK(r->full_name->alternatives.empty());
}

TEST_CASE("Front and back readings are cross-checked", "[ocr][id_card]") {
  const auto f = MakePhoto(Side::kFront, 0, 41);
  IdCardReading front = Read(f.photo);
  // The same card's back.
  const IdCardReading back = Read(MakePhoto(Side::kBack, 0, 41).photo);
  REQUIRE(back.id_number.has_value());
  REQUIRE(back.id_number->best.value == f.identity.id);
  CrossCheckFrontAndBack(front, back);
  CHECK(front.id_number->best.method == ReadMethod::kCrossChecked);
  CHECK(front.full_name->best.method == ReadMethod::kCrossChecked);
  CHECK(front.full_name->best.value == f.identity.full_name);

  // Another person's back: every shared field disagrees and is flagged.
  IdCardReading other = Read(MakePhoto(Side::kFront, 0, 42).photo);
  CrossCheckFrontAndBack(other, back);
  CHECK(other.id_number->best.confidence < kReviewThreshold);
  REQUIRE(other.id_number->alternatives.size() == 1);
  CHECK(other.id_number->alternatives[0].value == f.identity.id);
  CHECK_FALSE(other.notes.empty());
}

TEST_CASE("Photos without a card give no fields, bad bytes an error",
          "[ocr][id_card]") {
  const IdCardReading wall = Read(MakePhoto(Side::kNothing, 0, 5).photo);
  CHECK(wall.side == CardSide::kUnknown);
  CHECK_FALSE(wall.id_number.has_value());
  CHECK_FALSE(wall.notes.empty());

  std::mt19937 rng(9);
  std::vector<uint8_t> random(20000);
  for (auto& b : random) b = static_cast<uint8_t>(rng());
  CHECK_FALSE(Reader().Read(random, 0, kToday).ok());
  CHECK_FALSE(Reader().Read({}, 0, kToday).ok());
  CHECK(Reader().ReadDecoded(cv::Mat(), 1.0, 0, kToday).status().code() ==
        absl::StatusCode::kInvalidArgument);
  // A decompression bomb is refused from its header, before decoding.
  const auto bomb = testing::JpegHeaderOnly(20000, 20000);
  CHECK(Reader().Read(bomb, 0, kToday).status().code() ==
        absl::StatusCode::kResourceExhausted);
  auto tiny = Reader().ReadDecoded(cv::Mat(3, 3, CV_8UC3), 1.0, 0, kToday);
  REQUIRE(tiny.ok());
  CHECK_FALSE(tiny->id_number.has_value());
}

// The committed sample (tests/ocr/data/synth, made by cdkv-synth): every
// field right or sent to review, and most of them right.
TEST_CASE("Committed synthetic photos: no confident wrong field",
          "[ocr][id_card]") {
  const std::filesystem::path dir =
      std::filesystem::path(CDKV_OCR_TEST_DATA) / "synth";
  int photos = 0, right = 0, fields = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".jpg") continue;
    std::ifstream js(
        std::filesystem::path(entry.path()).replace_extension(".json"));
    REQUIRE(js);
    const nlohmann::json truth = nlohmann::json::parse(js);
    if (!truth.contains("fields")) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
    auto r = Reader().Read(bytes, 0, kToday);
    REQUIRE(r.ok());
    ++photos;
    INFO(entry.path().filename().string());
    const auto& t = truth["fields"];
    const bool back = truth["kind"] == "back";
    CheckNoConfidentError(r->id_number, t["id_number"]);
    CheckNoConfidentError(r->full_name, t["full_name"], back);
    CheckNoConfidentError(r->birth_date, t["birth_date"]);
    CheckNoConfidentError(r->sex, t["sex"]);
    for (const auto& [field, key] :
         {std::pair{&r->id_number, "id_number"},
          std::pair{&r->birth_date, "birth_date"}, std::pair{&r->sex, "sex"}}) {
      ++fields;
      if (field->has_value() && (*field)->best.value == t[key]) ++right;
    }
  }
  REQUIRE(photos >= 20);
  CHECK(right >= fields * 9 / 10);
}

}  // namespace
}  // namespace cdkv::ocr
