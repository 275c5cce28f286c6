#include "ocr/tesseract_reader.h"

#include <catch2/catch.hpp>
#include <limits>
#include <memory>
#include <opencv2/imgproc.hpp>
#include <random>
#include <string>

#include "ocr/mrz.h"
#include "ocr/mrz_text_repair.h"
#include "ocr/text_utf8.h"
#include "tools/synth/identity.h"
#include "tools/synth/text_painter.h"

namespace cdkv::ocr {
namespace {

// One engine for the whole test binary: starting Tesseract costs ~80 ms.
TesseractReader& Reader() {
  static std::unique_ptr<TesseractReader> reader = [] {
    auto r = TesseractReader::Create();
    REQUIRE(r.ok());
    return *std::move(r);
  }();
  return *reader;
}

LineReading Read(const cv::Mat& region, LineKind kind) {
  auto reading = Reader().ReadLine(region, kind);
  REQUIRE(reading.ok());
  return *std::move(reading);
}

cv::Mat Line(std::string_view font, std::string_view text, int height = 32) {
  auto painter = synth::TextPainter::Load(font);
  REQUIRE(painter.ok());
  return synth::RenderLine(*painter, text, height);
}

TEST_CASE("ReadLine reads Vietnamese names with diacritics in NFC",
          "[ocr][tesseract]") {
  for (const char* name :
       {"NGUYỄN THỊ HỒNG NHUNG", "TRẦN VĂN ĐỨC", "LÊ HOÀNG ANH TUẤN",
        "Phạm Ngọc Yến", "Võ Thị Thùy Dương"}) {
    const LineReading r = Read(Line(synth::kDejaVuSans, name), LineKind::kName);
    CHECK(r.text == name);
    CHECK(IsComposedVietnamese(r.text));
    CHECK(r.confidence > 0.8);
  }
}

TEST_CASE("ReadLine reads at another line height, and ignores bad ones",
          "[ocr][tesseract]") {
  const cv::Mat line = Line(synth::kDejaVuSansBold, "NGUYỄN THỊ HẰNG");
  for (double scale :
       {0.8, 1.35, 0.0, -3.0, 1e9, std::numeric_limits<double>::quiet_NaN()}) {
    INFO("scale " << scale);
    auto r = Reader().ReadLine(line, LineKind::kName, scale);
    REQUIRE(r.ok());
    CHECK(r->text == "NGUYỄN THỊ HẰNG");
  }
}

TEST_CASE("ReadLine reads dates and ID numbers with the digit whitelist",
          "[ocr][tesseract]") {
  for (const char* digits : {"15/06/1990", "01/01/2031", "087090001234"}) {
    const LineReading r =
        Read(Line(synth::kDejaVuSans, digits, 28), LineKind::kDigits);
    CHECK(r.text == digits);
    CHECK(r.confidence > 0.8);
  }
}

TEST_CASE("ReadLine reads a TD1 MRZ block in OCR-B", "[ocr][tesseract]") {
  // A valid Vietnamese MRZ for a generated citizen.
  std::mt19937_64 rng(12);
  const auto lines = synth::MrzLines(synth::RandomIdentity(rng));
  auto painter = synth::TextPainter::Load(synth::kOcrB);
  REQUIRE(painter.ok());
  const int h = 30;
  const cv::Size size = painter->Measure(lines[0], h);
  cv::Mat block(3 * (h + 12) + h, size.width + h, CV_8UC3,
                cv::Scalar(255, 255, 255));
  for (int i = 0; i < 3; ++i) {
    painter->Draw(block, lines[i], {h / 2, h / 2 + i * (h + 12)}, h,
                  cv::Scalar(0, 0, 0));
  }
  const LineReading r = Read(block, LineKind::kMrz);
  INFO(r.text);
  // The `eng` model is not trained on MRZ zones: it takes an OCR-B zero for
  // an O now and then, a chevron for a K, and miscounts a filler run. The
  // MRZ repair (ocr/mrz_text_repair.h) must then prove every field by its
  // check digit.
  CHECK(r.text.substr(0, 30) == lines[0]);
  auto mrz = ParseOcrTd1(r.text, Date{2026, 11, 22});
  REQUIRE(mrz.ok());
  auto truth = ParseTd1(lines[0] + "\n" + lines[1] + "\n" + lines[2],
                        Date{2026, 11, 22});
  REQUIRE(truth.ok());
  REQUIRE(mrz->citizen_id.has_value());
  CHECK(mrz->citizen_id->value == truth->citizen_id->value);
  CHECK(mrz->citizen_id->verified);
  CHECK(mrz->birth_date == truth->birth_date);
  CHECK(mrz->birth_date_text.verified);
  CHECK(mrz->composite_verified);
  CHECK(mrz->surname == truth->surname);
  CHECK(mrz->given_names == truth->given_names);
}

TEST_CASE("ReadLine survives uneven light thanks to Sauvola",
          "[ocr][tesseract]") {
  cv::Mat line = Line(synth::kDejaVuSans, "TRẦN VĂN ĐỨC");
  // A shadow darkening the right half to the point where a global threshold
  // would merge it with the ink.
  for (int x = 0; x < line.cols; ++x) {
    const double k = 1.0 - 0.6 * x / line.cols;
    line.col(x).convertTo(line.col(x), -1, k, 0);
  }
  CHECK(Read(line, LineKind::kName).text == "TRẦN VĂN ĐỨC");
}

TEST_CASE("ReadLine finds no text on blank or noisy regions",
          "[ocr][tesseract]") {
  const cv::Mat blank(60, 400, CV_8UC3, cv::Scalar(235, 235, 235));
  const LineReading b = Read(blank, LineKind::kName);
  CHECK(b.text.empty());
  CHECK(b.confidence == 0.0);

  cv::Mat noise(60, 400, CV_8UC1);
  std::mt19937 rng(7);
  for (int y = 0; y < noise.rows; ++y) {
    for (int x = 0; x < noise.cols; ++x) {
      noise.at<uint8_t>(y, x) = static_cast<uint8_t>(rng() & 0xFF);
    }
  }
  for (LineKind kind : {LineKind::kName, LineKind::kDigits, LineKind::kMrz}) {
    const LineReading n = Read(noise, kind);
    // Whatever it hallucinates, it must not be sure of it.
    CHECK(n.confidence < 0.8);
  }
}

TEST_CASE("ReadLineChoices gives each character's alternatives",
          "[ocr][tesseract]") {
  const cv::Mat line = Line(synth::kDejaVuSansBold, "NGUYỄN THỊ HẰNG");
  for (Binarization b : {Binarization::kSauvola, Binarization::kOtsu}) {
    auto r = Reader().ReadLineChoices(line, LineKind::kName, 1.0, b);
    REQUIRE(r.ok());
    CHECK(r->reading.text == "NGUYỄN THỊ HẰNG");
    REQUIRE(r->words.size() == 3);
    CHECK(r->words[0].text == "NGUYỄN");
    REQUIRE(r->words[0].characters.size() == 6);
    // The best alternative is the character read, scored highest.
    const auto& e = r->words[0].characters[4];
    REQUIRE(!e.empty());
    CHECK(e[0].text == "Ễ");
    for (const CharChoice& c : e) {
      CHECK(c.score <= e[0].score);
      CHECK(c.score >= 0.0);
      CHECK(IsComposedVietnamese(c.text));
    }
  }
  // ReadLine's answer does not change after a reading with choices.
  CHECK(Read(line, LineKind::kName).text == "NGUYỄN THỊ HẰNG");
  auto digits = Reader().ReadLineChoices(Line(synth::kDejaVuSans, "12/03/1990"),
                                         LineKind::kDigits);
  REQUIRE(digits.ok());
  CHECK(digits->reading.text == "12/03/1990");
}

TEST_CASE("ReadLineChoices on blank, noisy and refused regions",
          "[ocr][tesseract]") {
  const cv::Mat blank(60, 400, CV_8UC3, cv::Scalar(235, 235, 235));
  auto b = Reader().ReadLineChoices(blank, LineKind::kName);
  REQUIRE(b.ok());
  CHECK(b->reading.text.empty());
  CHECK(b->words.empty());
  // Noise that Tesseract finds no word in must not trip its assertions.
  cv::Mat noise(40, 300, CV_8UC1);
  std::mt19937 rng(11);
  for (int y = 0; y < noise.rows; ++y) {
    for (int x = 0; x < noise.cols; ++x) {
      noise.at<uint8_t>(y, x) = static_cast<uint8_t>(rng() & 0xFF);
    }
  }
  for (Binarization bin : {Binarization::kSauvola, Binarization::kOtsu}) {
    auto n = Reader().ReadLineChoices(noise, LineKind::kName, 0.8, bin);
    REQUIRE(n.ok());
    CHECK(n->reading.confidence < 0.8);
  }
  CHECK(Reader()
            .ReadLineChoices(Line(synth::kDejaVuSans, "P<VNM"), LineKind::kMrz)
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
  CHECK(Reader().ReadLineChoices(cv::Mat(), LineKind::kName).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(Reader()
            .ReadLineChoices(cv::Mat(4, 4, CV_8UC1, cv::Scalar(0)),
                             LineKind::kName)
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("ReadLine refuses regions it cannot read", "[ocr][tesseract]") {
  CHECK(Reader().ReadLine(cv::Mat(), LineKind::kName).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(
      Reader()
          .ReadLine(cv::Mat(4, 100, CV_8UC1, cv::Scalar(255)), LineKind::kName)
          .status()
          .code() == absl::StatusCode::kInvalidArgument);
  CHECK(Reader()
            .ReadLine(cv::Mat(5000, 100, CV_8UC1, cv::Scalar(255)),
                      LineKind::kName)
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
  CHECK(Reader()
            .ReadLine(cv::Mat(40, 100, CV_16UC1, cv::Scalar(255)),
                      LineKind::kDigits)
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("Create names the directory when models are missing",
          "[ocr][tesseract]") {
  auto r = TesseractReader::Create("/nonexistent/tessdata");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(std::string(r.status().message()).find("/nonexistent/tessdata") !=
        std::string::npos);
}

TEST_CASE("NormalizeNfc composes decomposed Vietnamese", "[ocr][tesseract]") {
  // "Đức" with U+0301 after "ư": NFD as some keyboards produce it.
  auto nfc = NormalizeNfc(
      "\xC4\x90\xC6\xB0\xCC\x81"
      "c");
  REQUIRE(nfc.ok());
  CHECK(*nfc == "Đức");
  CHECK_FALSE(NormalizeNfc("\xC3\x28").ok());
}

}  // namespace
}  // namespace cdkv::ocr

namespace cdkv::ocr {
namespace {

TEST_CASE("The Vietnamese model reads digits too, and names after them",
          "[ocr][tesseract]") {
  const cv::Mat date = Line(synth::kDejaVuSans, "21/03/2000");
  const cv::Mat id = Line(synth::kDejaVuSans, "001300461615");
  const cv::Mat name = Line(synth::kDejaVuSans, "TRẦN THÙY HOA");
  CHECK(Read(date, LineKind::kDigitsVietnamese).text == "21/03/2000");
  CHECK(Read(id, LineKind::kDigitsVietnamese).text == "001300461615");
  // Letters are off the digits' whitelist: read with the same engine
  // right after, a name must come back whole.
  CHECK(Read(name, LineKind::kName).text == "TRẦN THÙY HOA");
  auto choices =
      Reader().ReadLineChoices(date, LineKind::kDigitsVietnamese, 1.35);
  REQUIRE(choices.ok());
  CHECK(choices->reading.text == "21/03/2000");
  for (const WordChoices& word : choices->words) {
    for (const auto& alternatives : word.characters) {
      for (const CharChoice& c : alternatives) {
        INFO("alternative '" << c.text << "'");
        CHECK(std::string("0123456789/-.").find(c.text) != std::string::npos);
      }
    }
  }
  CHECK(Read(name, LineKind::kName).text == "TRẦN THÙY HOA");
}

}  // namespace
}  // namespace cdkv::ocr
