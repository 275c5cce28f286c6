#include "ocr/mrz_zone.h"

#include <catch2/catch.hpp>
#include <memory>
#include <opencv2/imgproc.hpp>
#include <random>
#include <string>

#include "ocr/id_card_layout.h"
#include "ocr/mrz.h"
#include "ocr/mrz_text_repair.h"
#include "ocr/tesseract_reader.h"
#include "tools/synth/card_render.h"
#include "tools/synth/identity.h"

namespace cdkv::ocr {
namespace {

const Date kToday{2026, 11, 22};

TesseractReader& Reader() {
  static std::unique_ptr<TesseractReader> reader = [] {
    auto r = TesseractReader::Create();
    REQUIRE(r.ok());
    return *std::move(r);
  }();
  return *reader;
}

struct Zone {
  synth::Identity identity;
  std::array<std::string, 3> lines;
  cv::Mat pixels;
};

// The MRZ zone of a 2021 back as the ID card reader crops it, the card
// rendered at `scale` times the canonical size.
Zone RenderedZone(uint64_t seed, int scale) {
  static const synth::CardRenderer renderer = [] {
    auto r = synth::CardRenderer::Create();
    REQUIRE(r.ok());
    return *std::move(r);
  }();
  std::mt19937_64 rng(seed);
  Zone zone;
  zone.identity = synth::RandomIdentity(rng);
  const auto lines = synth::MrzLines(zone.identity);
  for (int i = 0; i < 3; ++i) zone.lines[i] = lines[i];
  auto back = renderer.Back(zone.identity, scale);
  REQUIRE(back.ok());
  const cv::Rect box(card_layout::kMrz.x * scale, card_layout::kMrz.y * scale,
                     card_layout::kMrz.width * scale,
                     card_layout::kMrz.height * scale);
  zone.pixels = (*back)(box).clone();
  return zone;
}

std::string ReadCells(const cv::Mat& zone, int line, int first, int end,
                      LineKind kind) {
  auto region = MrzCellsRegion(zone, line, first, end);
  REQUIRE(region.has_value());
  auto read = Reader().ReadLine(zone(*region), kind);
  REQUIRE(read.ok());
  return read->text;
}

TEST_CASE("MrzCellsRegion crops line 2's dates and line 1's numbers",
          "[ocr][mrz]") {
  for (int scale : {1, 2}) {
    for (uint64_t seed : {3u, 17u}) {
      const Zone zone = RenderedZone(seed, scale);
      INFO("scale " << scale << " seed " << seed);
      CHECK(ReadCells(zone.pixels, 1, 0, kMrzDatesEndCell,
                      LineKind::kMrzDates) == zone.lines[1].substr(0, 15));
      CHECK(ReadCells(zone.pixels, 0, kMrzNumbersFirstCell, 30,
                      LineKind::kMrzNumbers) == zone.lines[0].substr(5));
    }
  }
}

TEST_CASE("blurred dates the block reading makes letters of are read alone",
          "[ocr][mrz]") {
  // Blurred as a level-3 photo blurs the card: the English model, allowed
  // every letter, reads 7 as T and 6 as E in the block, and no date's check
  // digit holds; the dates' cells read alone, with digits only, come out
  // right, and the combination proves them.
  struct Case {
    uint64_t seed;
    double sigma;
  };
  for (const Case c :
       {Case{21, 2.6}, Case{34, 2.6}, Case{5, 3.0}, Case{13, 3.0}}) {
    const Zone zone = RenderedZone(c.seed, 1);
    cv::Mat blurred;
    cv::GaussianBlur(zone.pixels, blurred, cv::Size(), c.sigma);
    auto block = Reader().ReadLine(blurred, LineKind::kMrz);
    REQUIRE(block.ok());
    INFO("seed " << c.seed << ", block:\n" << block->text);
    auto alone = ParseOcrTd1(block->text, kToday);
    CHECK_FALSE((alone.ok() && alone->birth_date_text.verified &&
                 alone->expiry_date_text.verified));
    const std::string dates =
        ReadCells(blurred, 1, 0, kMrzDatesEndCell, LineKind::kMrzDates);
    CHECK(dates == zone.lines[1].substr(0, kMrzDatesEndCell));
    auto spliced = WithMrzDates(block->text, dates);
    REQUIRE(spliced.has_value());
    auto mrz = CombineOcrTd1({block->text, *spliced}, kToday);
    REQUIRE(mrz.ok());
    auto truth = ParseTd1(
        zone.lines[0] + "\n" + zone.lines[1] + "\n" + zone.lines[2], kToday);
    REQUIRE(truth.ok());
    CHECK(mrz->birth_date == truth->birth_date);
    CHECK(mrz->birth_date_text.verified);
    CHECK(mrz->expiry_date == truth->expiry_date);
    CHECK(mrz->expiry_date_text.verified);
  }
}

TEST_CASE("MrzCellsRegion finds the lines under a shadow over one end",
          "[ocr][mrz]") {
  Zone zone = RenderedZone(21, 1);
  cv::Mat shaded = zone.pixels.clone();
  const cv::Rect right(shaded.cols * 2 / 3, 0, shaded.cols / 3, shaded.rows);
  shaded(right) *= 0.45;
  CHECK(ReadCells(shaded, 1, 0, kMrzDatesEndCell, LineKind::kMrzDates) ==
        zone.lines[1].substr(0, 15));
}

TEST_CASE("MrzCellsRegion refuses what is not a TD1 zone", "[ocr][mrz]") {
  const Zone zone = RenderedZone(4, 1);
  // Out-of-range lines and cells.
  CHECK_FALSE(MrzCellsRegion(zone.pixels, 3, 0, 15).has_value());
  CHECK_FALSE(MrzCellsRegion(zone.pixels, -1, 0, 15).has_value());
  CHECK_FALSE(MrzCellsRegion(zone.pixels, 1, 0, 31).has_value());
  CHECK_FALSE(MrzCellsRegion(zone.pixels, 1, 10, 10).has_value());
  CHECK_FALSE(MrzCellsRegion(zone.pixels, 1, -2, 10).has_value());
  // Empty, tiny, blank, 16-bit and 4-channel images.
  CHECK_FALSE(MrzCellsRegion(cv::Mat(), 1, 0, 15).has_value());
  CHECK_FALSE(MrzCellsRegion(cv::Mat(5, 5, CV_8UC1, cv::Scalar(0)), 1, 0, 15)
                  .has_value());
  CHECK_FALSE(
      MrzCellsRegion(cv::Mat(160, 808, CV_8UC1, cv::Scalar(240)), 1, 0, 15)
          .has_value());
  cv::Mat wide;
  zone.pixels.convertTo(wide, CV_16UC3, 256);
  CHECK_FALSE(MrzCellsRegion(wide, 1, 0, 15).has_value());
  cv::Mat bgra;
  cv::cvtColor(zone.pixels, bgra, cv::COLOR_BGR2BGRA);
  CHECK_FALSE(MrzCellsRegion(bgra, 1, 0, 15).has_value());
  // One line of text is not three.
  cv::Mat one_line = zone.pixels.clone();
  one_line.rowRange(0, one_line.rows * 2 / 3).setTo(cv::Scalar(245, 245, 240));
  CHECK_FALSE(MrzCellsRegion(one_line, 1, 0, 15).has_value());
  // Line 2 half as wide as a TD1 line: not this reader's zone.
  cv::Mat half = zone.pixels.clone();
  half.colRange(half.cols / 2, half.cols).setTo(cv::Scalar(245, 245, 240));
  CHECK_FALSE(MrzCellsRegion(half, 1, 0, 15).has_value());
  // Noise everywhere.
  cv::Mat noise(160, 808, CV_8UC1);
  cv::randu(noise, 0, 256);
  auto noisy = MrzCellsRegion(noise, 1, 0, 15);
  if (noisy.has_value()) {
    CHECK((cv::Rect(0, 0, noise.cols, noise.rows) & *noisy) == *noisy);
  }
}

const std::string kReading =
    "I0VNM1771768902058177176890<<5\n"
    "T709O14F3S7O09OTBVNM<K<<<<<<<<0\n"
    "NGO<<KIM<TUYET<<<<<<<<<<<<<<<<";

TEST_CASE("WithMrzDates puts the dates read alone in line 2", "[ocr][mrz]") {
  auto out = WithMrzDates(kReading, "7709014F3709016");
  REQUIRE(out.has_value());
  CHECK(*out ==
        "I0VNM1771768902058177176890<<5\n"
        "7709014F3709016VNM<K<<<<<<<<0\n"
        "NGO<<KIM<TUYET<<<<<<<<<<<<<<<<");
  // Spaces Tesseract puts between glyphs do not count.
  CHECK(WithMrzDates(kReading, "770901 4F 3709016") == out);
  // A sex read as a digit is taken from the block's reading, its one F or M
  // before the nationality, or left unspecified.
  CHECK(WithMrzDates(kReading, "770901463709016") == out);
  auto unread = WithMrzDates(
      "IDVNM1771768902058177176890<<5\nF709O14M3S7O090VNM<<<<<<<<<<<0\nNGO",
      "770901463709016");
  REQUIRE(unread.has_value());
  CHECK(unread->substr(31, 15) == "7709014<3709016");
  // A blurred M the block read as H.
  auto h = WithMrzDates(
      "IDVNM1771768902058177176890<<5\n9006164H35006162VNN<K<<<<<<<<0\nNGO",
      "900616493006162");
  REQUIRE(h.has_value());
  CHECK(h->substr(31, 15) == "9006164M3006162");
  // Two of them say nothing.
  auto two = WithMrzDates(
      "IDVNM1771768902058177176890<<5\n9006H64H35006162VNN<K<<<<<<<<0\nNGO",
      "900616493006162");
  REQUIRE(two.has_value());
  CHECK(two->substr(31, 15) == "9006164<3006162");
}

TEST_CASE("WithMrzDates refuses readings it cannot join", "[ocr][mrz]") {
  CHECK_FALSE(WithMrzDates(kReading, "").has_value());
  CHECK_FALSE(WithMrzDates(kReading, "7709014F370901").has_value());
  CHECK_FALSE(WithMrzDates(kReading, "7709014F37090166").has_value());
  CHECK_FALSE(WithMrzDates(kReading, "77O9014F3709016").has_value());
  CHECK_FALSE(WithMrzDates(kReading, "7709014F370901<").has_value());
  CHECK_FALSE(WithMrzDates(kReading, std::string("7709014F3\0"
                                                 "09016",
                                                 15))
                  .has_value());
  // No nationality on line 2, or not three lines.
  CHECK_FALSE(WithMrzDates("A\nT709O14F3S7O090TB<<<<<0\nB", "7709014F3709016")
                  .has_value());
  CHECK_FALSE(WithMrzDates("A\nT709O14VNM\nB", "7709014F3709016").has_value());
  CHECK_FALSE(WithMrzDates("one line VNM", "7709014F3709016").has_value());
  CHECK_FALSE(
      WithMrzDates("a\nbVNMbbbbbbbb\nc\nd", "7709014F3709016").has_value());
  CHECK_FALSE(
      WithMrzDates(std::string(100000, '\n'), "7709014F3709016").has_value());
}

TEST_CASE("WithMrzNumbers puts line 1's numbers read alone in place",
          "[ocr][mrz]") {
  auto out = WithMrzNumbers(kReading, "1771768902058177176890<<5");
  REQUIRE(out.has_value());
  CHECK(out->substr(0, 31) == "IDVNM1771768902058177176890<<5\n");
  CHECK(out->substr(31) ==
        "T709O14F3S7O09OTBVNM<K<<<<<<<<0\nNGO<<KIM<TUYET<<<<<<<<<<<<<<<<");
  auto parsed = ParseOcrTd1(*WithMrzDates(*out, "7709014F3709016"), kToday);
  REQUIRE(parsed.ok());
  CHECK(parsed->citizen_id->value == "058177176890");
  CHECK(parsed->citizen_id->verified);
  CHECK(parsed->birth_date_text.verified);
  CHECK(parsed->composite_verified);

  CHECK_FALSE(WithMrzNumbers(kReading, "177176890205817717689<<5").has_value());
  CHECK_FALSE(
      WithMrzNumbers(kReading, "17717689020581771768900<5").has_value());
  CHECK_FALSE(
      WithMrzNumbers(kReading, "1771768902058177176890<<<").has_value());
  CHECK_FALSE(
      WithMrzNumbers(kReading, "177176890205817717689O<<5").has_value());
  CHECK_FALSE(
      WithMrzNumbers("one\nline", "1771768902058177176890<<5").has_value());
}

}  // namespace
}  // namespace cdkv::ocr
