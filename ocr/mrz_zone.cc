#include "ocr/mrz_zone.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace cdkv::ocr {
namespace {

constexpr int kTd1Cells = 30;
constexpr int kTd1Lines = 3;
// 30 characters at 10 to the inch (76.2 mm) in a zone drawn 80.8 mm wide,
// as the ID card layout crops it: the pitch as a share of the zone.
constexpr double kExpectedPitchShare = 76.2 / 80.8 / kTd1Cells;
// How far a measured pitch may be from that (a warp a little off, a crop
// with margins of another size) before the line is not taken for TD1's.
constexpr double kPitchTolerance = 0.15;
// A row belongs to a line when it holds this share of the inkiest row's ink.
constexpr double kLineRowShare = 0.3;
// A column is part of a line when this share of the line's rows is ink.
constexpr double kInkColumnShare = 0.12;
// Grey levels under the neighbourhood's mean that make a pixel ink.
constexpr double kInkContrast = 12;
// A line's first glyph's left edge to its last's right edge: 29 pitches and
// most of a glyph.
constexpr double kLineSpanCells = kTd1Cells - 0.3;
// OCR-B digits leave this much of their cell blank on each side: a line's
// ink starts and ends that far inside its first and last cells (line 1
// starts with a narrower I, which only shortens the span a little).
constexpr double kBearingCells = 0.15;
// A crop at a line's end reaches this far past the ink (a blurred glyph's
// edge); one inside the line starts this far into its first cell, past
// the previous glyph (a wide M), and ends at its last cell's edge.
constexpr double kOuterMarginCells = 0.4;
constexpr double kInnerMarginCells = 0.08;
constexpr double kVerticalMarginLines = 0.3;

constexpr int kNumbersCells = kTd1Cells - kMrzNumbersFirstCell;
// Line 1's document number and check digit (10) and the ID (12) are
// digits; two fillers and the optional data's check digit end it.
constexpr int kNumbersDigits = 22;

struct Band {
  int top = 0;
  int bottom = 0;  // Exclusive.
  double ink = 0;
};

// Runs of rows whose ink is at least kLineRowShare of the inkiest row's.
std::vector<Band> LineBands(const cv::Mat& ink) {
  cv::Mat rows;
  cv::reduce(ink, rows, 1, cv::REDUCE_SUM, CV_64F);
  double most = 0;
  cv::minMaxLoc(rows, nullptr, &most);
  std::vector<Band> bands;
  if (most <= 0) return bands;
  for (int y = 0; y < rows.rows; ++y) {
    const double v = rows.at<double>(y);
    if (v < kLineRowShare * most) continue;
    if (bands.empty() || bands.back().bottom != y) bands.push_back({y, y, 0});
    bands.back().bottom = y + 1;
    bands.back().ink += v;
  }
  return bands;
}

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find('\n', start), text.size());
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string WithoutSpaces(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c != ' ') out += c;
  }
  return out;
}

bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)); }

bool IsSexLetter(char c) { return c == 'F' || c == 'M' || c == '<'; }

}  // namespace

std::optional<cv::Rect> MrzCellsRegion(const cv::Mat& zone, int line,
                                       int first_cell, int end_cell) {
  if (line < 0 || line >= kTd1Lines || first_cell < 0 || end_cell > kTd1Cells ||
      first_cell >= end_cell) {
    return std::nullopt;
  }
  if (zone.empty() || zone.depth() != CV_8U || zone.rows < 12 ||
      zone.cols < kTd1Cells * 4) {
    return std::nullopt;
  }
  cv::Mat grey;
  if (zone.channels() == 1) {
    grey = zone;
  } else if (zone.channels() == 3) {
    cv::cvtColor(zone, grey, cv::COLOR_BGR2GRAY);
  } else {
    return std::nullopt;
  }
  // A local threshold: a shadow over one end of the zone is not ink.
  cv::Mat ink;
  const int block = 2 * (zone.rows / 6) + 1;
  cv::adaptiveThreshold(grey, ink, 1, cv::ADAPTIVE_THRESH_MEAN_C,
                        cv::THRESH_BINARY_INV, block, kInkContrast);
  std::vector<Band> bands = LineBands(ink);
  if (bands.size() < kTd1Lines) return std::nullopt;
  // Specks make thin bands of their own: the three inkiest are the lines.
  std::partial_sort(bands.begin(), bands.begin() + kTd1Lines, bands.end(),
                    [](const Band& a, const Band& b) { return a.ink > b.ink; });
  bands.resize(kTd1Lines);
  std::sort(bands.begin(), bands.end(),
            [](const Band& a, const Band& b) { return a.top < b.top; });
  const Band& band = bands[line];
  const int height = band.bottom - band.top;

  cv::Mat columns;
  cv::reduce(ink.rowRange(band.top, band.bottom), columns, 0, cv::REDUCE_SUM,
             CV_64F);
  const double needed = std::max(1.0, kInkColumnShare * height);
  int left = -1, right = -1;
  for (int x = 0; x < columns.cols; ++x) {
    if (columns.at<double>(x) < needed) continue;
    if (left < 0) left = x;
    right = x;
  }
  if (left < 0) return std::nullopt;
  const double pitch = (right + 1 - left) / kLineSpanCells;
  const double expected = kExpectedPitchShare * zone.cols;
  if (std::abs(pitch - expected) > kPitchTolerance * expected) {
    return std::nullopt;
  }
  // Cells are counted from the end the crop is nearer to, whose glyphs
  // are digits on lines 1 and 2.
  const bool from_right = kTd1Cells - end_cell < first_cell;
  const double origin = from_right
                            ? right + 1 + (kBearingCells - kTd1Cells) * pitch
                            : left - kBearingCells * pitch;
  const double start = first_cell == 0
                           ? left - kOuterMarginCells * pitch
                           : origin + (first_cell + kInnerMarginCells) * pitch;
  const double end = end_cell == kTd1Cells
                         ? right + 1 + kOuterMarginCells * pitch
                         : origin + end_cell * pitch;
  const double margin = kVerticalMarginLines * height;
  const int x0 = std::max(0, static_cast<int>(start));
  const int x1 = std::min(zone.cols, static_cast<int>(end));
  const int y0 = std::max(0, static_cast<int>(band.top - margin));
  const int y1 = std::min(zone.rows, static_cast<int>(band.bottom + margin));
  if (x1 <= x0 || y1 - y0 < 8) return std::nullopt;
  return cv::Rect(x0, y0, x1 - x0, y1 - y0);
}

std::optional<std::string> WithMrzNumbers(std::string_view reading,
                                          std::string_view numbers) {
  const std::string cells = WithoutSpaces(numbers);
  if (cells.size() != kNumbersCells) return std::nullopt;
  for (int i = 0; i < kNumbersCells; ++i) {
    const char c = cells[i];
    const bool filler = i == kNumbersDigits || i == kNumbersDigits + 1;
    if (filler ? c != '<' : !IsDigit(c)) return std::nullopt;
  }
  const std::vector<std::string_view> lines = SplitLines(reading);
  if (lines.size() != kTd1Lines) return std::nullopt;
  std::string out = "IDVNM" + cells;
  out += '\n';
  out += lines[1];
  out += '\n';
  out += lines[2];
  return out;
}

std::optional<std::string> WithMrzDates(std::string_view reading,
                                        std::string_view dates) {
  std::string cells = WithoutSpaces(dates);
  if (cells.size() != kMrzDatesEndCell) return std::nullopt;
  for (int i = 0; i < kMrzDatesEndCell; ++i) {
    if (i != kMrzSexCell && !IsDigit(cells[i])) return std::nullopt;
  }
  const std::vector<std::string_view> lines = SplitLines(reading);
  if (lines.size() != kTd1Lines) return std::nullopt;
  // The nationality follows the expiry's check digit; a digit misread as a
  // letter before it cannot make a "VN".
  const size_t nationality = lines[1].find("VN", 8);
  if (nationality == std::string_view::npos) return std::nullopt;
  // A blurred M read among digits comes out a digit; the block's reading,
  // which has letters, is asked then: its one F or M before the
  // nationality, wherever misread digits put it (no check digit covers the
  // sex, and digits are never read as F or M), or else its one H or N, the
  // shapes a blurred M takes. Otherwise unspecified.
  if (!IsSexLetter(cells[kMrzSexCell])) {
    const std::string_view before = lines[1].substr(0, nationality);
    const auto only = [&](std::string_view letters) -> std::optional<char> {
      const size_t first = before.find_first_of(letters);
      if (first == std::string_view::npos ||
          before.find_last_of(letters) != first) {
        return std::nullopt;
      }
      return before[first];
    };
    if (auto sex = only("FM")) {
      cells[kMrzSexCell] = *sex;
    } else if (only("HN").has_value()) {
      cells[kMrzSexCell] = 'M';
    } else {
      cells[kMrzSexCell] = '<';
    }
  }
  std::string out(lines[0]);
  out += '\n';
  out += cells;
  out += lines[1].substr(nationality);
  out += '\n';
  out += lines[2];
  return out;
}

}  // namespace cdkv::ocr
