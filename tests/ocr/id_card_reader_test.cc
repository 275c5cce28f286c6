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
#include "tools/synth/card_render.h"

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

TEST_CASE("The 2024 identity card is told apart and read", "[ocr][id_card]") {
  // Back with its QR code readable: the QR's place says 2024 back.
  for (int level : {0, 2}) {
    const auto s = MakePhoto(Side::kBack2024, level, 61 + level);
    const IdCardReading r = Read(s.photo);
    INFO("level " << level);
    CHECK(r.card_kind == CardKind::kIdentity2024);
    CHECK(r.side == CardSide::kBack);
    REQUIRE(r.id_number.has_value());
    CHECK(r.id_number->best.value == s.identity.id);
    CHECK(r.id_number->best.method == ReadMethod::kQr);
    REQUIRE(r.full_name.has_value());
    CHECK(r.full_name->best.value == s.identity.full_name);
    REQUIRE(r.residence.has_value());
    CHECK(r.residence->best.value == s.identity.residence);
    REQUIRE(r.card_quad.has_value());
    CHECK(cv::norm((*r.card_quad)[0] - s.photo.quad[0]) < 30.0);
  }
  // Back with a finger over the QR: the MRZ, and still a 2024 back.
  {
    const auto s = MakePhoto(Side::kBack2024, 1, 63, synth::Defect::kNone, 1600,
                             /*hide_qr=*/true);
    REQUIRE(s.photo.qr_occluded);
    const IdCardReading r = Read(s.photo);
    CHECK(r.card_kind == CardKind::kIdentity2024);
    CHECK(r.side == CardSide::kBack);
    REQUIRE(r.id_number.has_value());
    CHECK(r.id_number->best.value == s.identity.id);
    CHECK(r.id_number->best.method == ReadMethod::kMrz);
    CheckNoConfidentError(r.full_name, s.identity.full_name, true);
    // The printed issue date, which only the 2024 back carries in print.
    CheckNoConfidentError(r.issue_date, FormatDate(s.identity.issue_date));
  }
  // Front: no QR, the title "CĂN CƯỚC" says which layout to read.
  for (int level : {0, 2}) {
    const auto s = MakePhoto(Side::kFront2024, level, 65 + level);
    const IdCardReading r = Read(s.photo);
    INFO("level " << level);
    CHECK(r.card_kind == CardKind::kIdentity2024);
    CHECK(r.side == CardSide::kFront);
    REQUIRE(r.id_number.has_value());
    CHECK(r.id_number->best.value == s.identity.id);
    CHECK(r.id_number->best.method == ReadMethod::kPrintedText);
    REQUIRE(r.birth_date.has_value());
    CHECK(r.birth_date->best.value == FormatDate(s.identity.birth_date));
    CheckNoConfidentError(r.full_name, s.identity.full_name);
    CheckNoConfidentError(r.sex, synth::SexWord(s.identity.sex));
    // The 2024 front prints no addresses.
    CHECK_FALSE(r.hometown.has_value());
  }
}

TEST_CASE("The 2016 card without QR is told apart and read", "[ocr][id_card]") {
  for (int level : {0, 2}) {
    const auto s = MakePhoto(Side::kFront2016, level, 71 + level);
    const IdCardReading r = Read(s.photo);
    INFO("level " << level);
    CHECK(r.card_kind == CardKind::kCitizenId2016);
    CHECK(r.side == CardSide::kFront);
    REQUIRE(r.id_number.has_value());
    CHECK(r.id_number->best.value == s.identity.id);
    REQUIRE(r.birth_date.has_value());
    CHECK(r.birth_date->best.value == FormatDate(s.identity.birth_date));
    REQUIRE(r.full_name.has_value());
    CheckNoConfidentError(r.full_name, s.identity.full_name);
    CHECK(r.full_name->best.confidence < kReviewThreshold);
    CheckNoConfidentError(r.sex, synth::SexWord(s.identity.sex));
  }
  for (int level : {0, 2}) {
    const auto s = MakePhoto(Side::kBack2016, level, 73 + level);
    const IdCardReading r = Read(s.photo);
    INFO("level " << level);
    CHECK(r.card_kind == CardKind::kCitizenId2016);
    CHECK(r.side == CardSide::kBack);
    // Nothing identifies the citizen on this back: no ID, name or birth
    // date is invented, and the officer is told to ask for the front.
    CHECK_FALSE(r.id_number.has_value());
    CHECK_FALSE(r.full_name.has_value());
    CHECK_FALSE(r.birth_date.has_value());
    REQUIRE(r.issue_date.has_value());
    CHECK(r.issue_date->best.value == FormatDate(s.identity.issue_date));
    CHECK(r.issue_date->best.confidence < kReviewThreshold);
    CHECK_FALSE(r.notes.empty());
  }
}

TEST_CASE("The 2021 card's sides are named chip_2021", "[ocr][id_card]") {
  CHECK(Read(MakePhoto(Side::kFront, 0, 81).photo).card_kind ==
        CardKind::kChip2021);
  CHECK(Read(MakePhoto(Side::kBack, 0, 82).photo).card_kind ==
        CardKind::kChip2021);
  // With the QR covered the title and the black ink of the number still
  // say 2021, not 2016.
  const auto hidden = MakePhoto(Side::kFront, 2, 83, synth::Defect::kNone, 1600,
                                /*hide_qr=*/true);
  REQUIRE(hidden.photo.qr_occluded);
  const IdCardReading r = Read(hidden.photo);
  CHECK(r.card_kind == CardKind::kChip2021);
  CHECK(r.side == CardSide::kFront);
  CHECK(CardKindName(CardKind::kChip2021) == "chip_2021");
  CHECK(CardKindName(CardKind::kIdentity2024) == "identity_2024");
  CHECK(CardKindName(CardKind::kCitizenId2016) == "citizen_id_2016");
  CHECK(CardKindName(CardKind::kUnknown) == "unknown");
}

TEST_CASE("Printed names: only repairs a Vietnamese name allows",
          "[ocr][id_card]") {
  // Family names that lost or changed their marks to blur.
  CHECK(CorrectPrintedName("NGUYÊN THỊ HẰNG") == "NGUYỄN THỊ HẰNG");
  CHECK(CorrectPrintedName("LY THANH LINH") == "LÝ THANH LINH");
  CHECK(CorrectPrintedName("TRẤN HOÀNG KHÁNH") == "TRẦN HOÀNG KHÁNH");
  CHECK(CorrectPrintedName("HUYNH KIM ANH") == "HUỲNH KIM ANH");
  // A vowel emitted twice.
  CHECK(CorrectPrintedName("PHẠAM NGỌC NAM") == "PHẠM NGỌC NAM");
  CHECK(CorrectPrintedName("TRẦN THỊ HÀA") == "TRẦN THỊ HÀ");
  // Letters that fold alike but differ are not doubles: Ư and U in "HỮU",
  // Ê and E.
  CHECK(CorrectPrintedName("ĐỖ HỮU LONG") == "ĐỖ HỮU LONG");
  CHECK(CorrectPrintedName("LÊ ÊE AN") == "LÊ ÊE AN");
  // Real family names are left alone, even when another folds the same.
  CHECK(CorrectPrintedName("LA VĂN AN") == "LA VĂN AN");
  CHECK(CorrectPrintedName("LÃ VĂN AN") == "LÃ VĂN AN");
  CHECK(CorrectPrintedName("VÕ VĂN AN") == "VÕ VĂN AN");
  CHECK(CorrectPrintedName("VŨ VĂN AN") == "VŨ VĂN AN");
  // "LĂ" folds to LA, which two family names share (La, Lã): no repair.
  CHECK(CorrectPrintedName("LĂ VĂN AN") == "LĂ VĂN AN");
  // Unknown words, single words, empty and hostile input pass unchanged.
  CHECK(CorrectPrintedName("SMITH JOHN") == "SMITH JOHN");
  CHECK(CorrectPrintedName("NGUYEN") == "NGUYEN");
  CHECK(CorrectPrintedName("") == "");
  CHECK(CorrectPrintedName(" AN") == " AN");
  const std::string bad = "NGUY\xC3 V\xFF\xFE";
  CHECK(CorrectPrintedName(bad).size() <= bad.size() + 8);
}

TEST_CASE("Level-3 printed fronts: names keep their tone marks",
          "[ocr][id_card][level3]") {
  // Defocused, noisy, tilted photos with the QR covered: the name is read
  // several ways and judged by Vietnamese syllable rules; sex, when its
  // word is a blur, comes from the ID's digit 4, flagged for review.
  int names = 0, names_right = 0;
  for (Side side : {Side::kFront, Side::kFront2016, Side::kFront2024}) {
    for (uint64_t seed : {301, 302, 303}) {
      const auto s = MakePhoto(side, 3, seed, synth::Defect::kNone, 3000,
                               /*hide_qr=*/side == Side::kFront);
      const IdCardReading r = Read(s.photo);
      INFO("side " << static_cast<int>(side) << " seed " << seed);
      CheckNoConfidentError(r.id_number, s.identity.id);
      CheckNoConfidentError(r.full_name, s.identity.full_name);
      CheckNoConfidentError(r.birth_date, FormatDate(s.identity.birth_date));
      CheckNoConfidentError(r.sex, synth::SexWord(s.identity.sex));
      if (r.id_number.has_value() && r.id_number->best.value == s.identity.id) {
        REQUIRE(r.sex.has_value());
        CHECK(r.sex->best.value == synth::SexWord(s.identity.sex));
      }
      ++names;
      if (r.full_name.has_value()) {
        INFO("name '" << r.full_name->best.value << "' want '"
                      << s.identity.full_name << "'");
        CHECK(r.full_name->best.confidence < kReviewThreshold);
        if (r.full_name->best.value == s.identity.full_name) ++names_right;
      }
    }
  }
  CHECK(names_right >= names - 1);
}

TEST_CASE("Level-3 birth dates are voted on, never confidently wrong",
          "[ocr][id_card][level3]") {
  // 12-MP photos with the QR covered: a birth date the first reading is
  // not sure of is read again, also from the photo decoded at full size,
  // and voted on with the year the ID gives; the winner stays below review.
  IdCardReaderOptions coarse_only;
  coarse_only.detail_long_side = 0;
  auto coarse = IdCardReader::Create(coarse_only);
  REQUIRE(coarse.ok());
  int dates = 0, dates_right = 0;
  for (Side side : {Side::kFront2024, Side::kFront2016}) {
    for (uint64_t seed : {411, 412, 413, 414}) {
      const auto s = MakePhoto(side, 3, seed, synth::Defect::kNone, 4000);
      const std::string want = FormatDate(s.identity.birth_date);
      INFO("side " << static_cast<int>(side) << " seed " << seed);
      for (IdCardReader* reader : {&Reader(), coarse->get()}) {
        auto r = reader->Read(Jpeg(s.photo), 0, kToday);
        REQUIRE(r.ok());
        CheckNoConfidentError(r->id_number, s.identity.id);
        CheckNoConfidentError(r->birth_date, want);
        CheckNoConfidentError(r->full_name, s.identity.full_name);
        CheckNoConfidentError(r->sex, synth::SexWord(s.identity.sex));
        if (reader != &Reader()) continue;
        ++dates;
        if (r->birth_date.has_value() && r->birth_date->best.value == want) {
          ++dates_right;
        }
      }
    }
  }
  CHECK(dates_right >= dates - 1);
}

TEST_CASE(
    "A printed birth date is sure only when its day and month are read twice",
    "[ocr][id_card]") {
  // The ID's digits prove the birth year, not the day and month. On a 2021
  // front the validity line repeats them (valid until a renewal birthday):
  // a card whose validity line says another month keeps its birth date
  // below review, the same card printed consistently does not.
  static const synth::CardRenderer renderer = [] {
    auto r = synth::CardRenderer::Create();
    REQUIRE(r.ok());
    return *std::move(r);
  }();
  std::mt19937_64 rng(4242);
  synth::Identity identity = synth::RandomIdentity(rng);
  identity.birth_date = {1990, 3, 17};
  identity.expiry_date = {2030, 3, 17};
  // Digit 4: born in the 1900s, and the sex; digits 5-6: the year.
  identity.id = identity.id.substr(0, 3) +
                (identity.sex == Sex::kMale ? "0" : "1") + "90" +
                identity.id.substr(6);
  auto read = [&](const synth::Identity& printed) {
    auto card = renderer.Front(printed, 2);
    REQUIRE(card.ok());
    // A finger over the QR code: only the printed text is left.
    const cv::Rect qr(card_layout::kQr.x * 2, card_layout::kQr.y * 2,
                      card_layout::kQr.width * 2, card_layout::kQr.height * 2);
    (*card)(qr).setTo(cv::Scalar(200, 210, 215));
    std::mt19937_64 photo_rng(7);
    synth::PhotoOptions options;
    options.level = 0;
    options.frame = cv::Size(1600, 1200);
    return Read(synth::Photograph(*card, options, photo_rng));
  };
  const IdCardReading consistent = read(identity);
  REQUIRE(consistent.birth_date.has_value());
  CHECK(consistent.birth_date->best.value == "17/03/1990");
  CHECK(consistent.birth_date->best.confidence >= kReviewThreshold);

  synth::Identity misprinted = identity;
  misprinted.expiry_date = {2030, 4, 17};
  const IdCardReading contradicted = read(misprinted);
  REQUIRE(contradicted.birth_date.has_value());
  CHECK(contradicted.birth_date->best.confidence < kReviewThreshold);
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
    const bool mrz_name = r->full_name.has_value() &&
                          r->full_name->best.method == ReadMethod::kMrz;
    CheckNoConfidentError(r->id_number, t["id_number"]);
    CheckNoConfidentError(r->full_name, t["full_name"], mrz_name);
    CheckNoConfidentError(r->birth_date, t["birth_date"]);
    CheckNoConfidentError(r->sex, t["sex"]);
    // Older sets have no "card"; they are all 2021 cards.
    CHECK(CardKindName(r->card_kind) ==
          truth.value("card", std::string("chip_2021")));
    CHECK((r->side == CardSide::kBack) ==
          (truth.value("side", truth["kind"].get<std::string>()) == "back"));
    if (truth["kind"] == "back2016") {
      // Its back shows none of the citizen's identity fields.
      CHECK_FALSE(r->id_number.has_value());
      continue;
    }
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
