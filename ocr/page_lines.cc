#include "ocr/page_lines.h"

#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cmath>

#include "ocr/vietnamese_name.h"

namespace cdkv::ocr {

LinePlace PlaceLine(std::span<const cv::Rect> lines, const std::set<int>& taken,
                    const cv::Rect& line) {
  for (size_t i = 0; i < lines.size(); ++i) {
    const cv::Rect both = lines[i] & line;
    // Mostly the same rows, and not a tall speck region spanning many lines.
    if (!taken.count(static_cast<int>(i)) &&
        both.height * 2 > std::min(lines[i].height, line.height) &&
        lines[i].height < 2 * line.height) {
      return {static_cast<int>(i), true};
    }
  }
  const auto center = [](const cv::Rect& r) { return r.y + r.height / 2; };
  int at = 0;
  while (at < static_cast<int>(lines.size()) &&
         center(lines[at]) <= center(line)) {
    ++at;
  }
  return {at, false};
}

std::vector<cv::Rect> GapsBetweenFieldLines(
    std::span<const cv::Rect> field_lines, int page_width) {
  std::vector<cv::Rect> rows(field_lines.begin(), field_lines.end());
  if (rows.size() < 2) return {};
  std::sort(rows.begin(), rows.end(),
            [](const cv::Rect& a, const cv::Rect& b) { return a.y < b.y; });
  std::vector<int> heights;
  for (const cv::Rect& r : rows) heights.push_back(r.height);
  std::nth_element(heights.begin(), heights.begin() + heights.size() / 2,
                   heights.end());
  const int h = heights[heights.size() / 2];
  if (h < 4) return {};
  // Field lines are printed one under the next, so the least distance
  // between two of them (not two pieces of one line) is the pitch.
  int pitch = 0;
  for (size_t i = 0; i + 1 < rows.size(); ++i) {
    const int d = rows[i + 1].y - rows[i].y;
    if (d >= h && (pitch == 0 || d < pitch)) pitch = d;
  }
  if (pitch == 0) return {};
  std::vector<cv::Rect> gaps;
  for (size_t i = 0; i + 1 < rows.size(); ++i) {
    const cv::Rect& a = rows[i];
    const cv::Rect& b = rows[i + 1];
    const int d = b.y - a.y;
    if (d < pitch * 3 / 2 || d > pitch * 6) continue;
    // The lines missing between them, evenly spaced.
    const int missing = std::max(
        1, static_cast<int>(std::lround(static_cast<double>(d) / pitch)) - 1);
    const double step = static_cast<double>(d) / (missing + 1);
    for (int k = 1; k <= missing; ++k) {
      const int center =
          a.y + a.height / 2 + static_cast<int>(std::lround(k * step));
      // 1.6 line heights: room for tone marks above and the dot below,
      // not the neighbours' text.
      const int band = h * 8 / 5;
      gaps.emplace_back(0, center - band / 2, page_width, band);
    }
  }
  return gaps;
}

cv::Rect WithLeftRoom(cv::Rect value, int label_right, double room) {
  if (label_right < 0 || label_right >= value.x || !(room > 0)) return value;
  const int x = std::max(label_right + 1,
                         value.x - static_cast<int>(room * value.height));
  value.width += value.x - x;
  value.x = x;
  return value;
}

size_t NameTailLength(const cv::Rect& last, std::span<const cv::Rect> boxes,
                      std::span<const std::string> texts, double max_gap) {
  const auto capital_syllable = [](const std::string& text) {
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(text);
    icu::UnicodeString upper = u;
    upper.toUpper(icu::Locale("vi"));
    icu::UnicodeString lower = u;
    lower.toLower(icu::Locale("vi"));
    return !text.empty() && u == upper && u != lower && IsValidSyllable(text);
  };
  size_t n = 0;
  cv::Rect previous = last;
  while (n < boxes.size() && n < texts.size()) {
    const cv::Rect& box = boxes[n];
    const int h = std::max(previous.height, box.height);
    if (box.x <= previous.br().x || box.x - previous.br().x > max_gap * h ||
        !capital_syllable(texts[n])) {
      break;
    }
    previous = box;
    ++n;
  }
  return n;
}

}  // namespace cdkv::ocr
