#include "ocr/page_lines.h"

#include <catch2/catch.hpp>
#include <vector>

namespace cdkv::ocr {
namespace {

TEST_CASE("PlaceLine puts a line another pass read in reading order",
          "[ocr][page_lines]") {
  // Three lines 40 px high every 70 px; the second holds a field.
  const std::vector<cv::Rect> lines = {
      {100, 500, 900, 40}, {100, 570, 600, 40}, {100, 640, 900, 40}};
  // Between the first and the second: inserted before the second.
  LinePlace p = PlaceLine(lines, {1}, cv::Rect(100, 535, 800, 30));
  CHECK(p.index == 1);
  CHECK_FALSE(p.replace);
  // Under the last: appended.
  p = PlaceLine(lines, {1}, cv::Rect(100, 720, 800, 40));
  CHECK(p.index == 3);
  CHECK_FALSE(p.replace);
  // The same rows as the third line, which holds no field: it replaces it.
  p = PlaceLine(lines, {1}, cv::Rect(120, 645, 700, 38));
  CHECK(p.index == 2);
  CHECK(p.replace);
  // The same rows as a line holding a field: kept beside it.
  p = PlaceLine(lines, {1, 2}, cv::Rect(120, 645, 700, 38));
  CHECK(p.index == 3);
  CHECK_FALSE(p.replace);
  // A tall speck region over many lines is not the same line.
  const std::vector<cv::Rect> tall = {{0, 0, 1000, 2000}};
  p = PlaceLine(tall, {}, cv::Rect(100, 600, 800, 40));
  CHECK_FALSE(p.replace);
}

TEST_CASE("GapsBetweenFieldLines finds where a printed line is missing",
          "[ocr][page_lines]") {
  // Field lines 58 px high every 72 px, with the second and third line of
  // the body lost (y 592 and 664) and a wide gap before the footer.
  const std::vector<cv::Rect> fields = {{80, 736, 900, 58},
                                        {80, 520, 900, 58},
                                        {80, 808, 900, 58},
                                        {80, 880, 900, 58},
                                        {80, 2000, 900, 58}};
  const auto gaps = GapsBetweenFieldLines(fields, 1600);
  // Two lines lost between the name (y 520) and the next field line
  // (y 736), one band each, centred where they were printed.
  REQUIRE(gaps.size() == 2);
  CHECK(gaps[0].x == 0);
  CHECK(gaps[0].width == 1600);
  CHECK(gaps[0].y + gaps[0].height / 2 == 520 + 29 + 72);
  CHECK(gaps[1].y + gaps[1].height / 2 == 520 + 29 + 144);
  CHECK(gaps[0].height == 92);
  // Every line there: no gap. One line: nothing to measure.
  const std::vector<cv::Rect> whole = {
      {80, 520, 900, 58}, {80, 592, 900, 58}, {80, 664, 900, 58}};
  CHECK(GapsBetweenFieldLines(whole, 1600).empty());
  CHECK(GapsBetweenFieldLines(std::vector<cv::Rect>{{80, 520, 900, 58}}, 1600)
            .empty());
  // Two cells of one printed line (sex and ethnicity) do not set the pitch.
  const std::vector<cv::Rect> cells = {{80, 520, 400, 58},
                                       {900, 522, 300, 56},
                                       {80, 592, 900, 58},
                                       {80, 808, 900, 58}};
  const auto found = GapsBetweenFieldLines(cells, 1600);
  REQUIRE(found.size() == 2);
  CHECK(found[0].y + found[0].height / 2 == 592 + 29 + 72);
}

TEST_CASE("WithLeftRoom widens a value's box towards its label",
          "[ocr][page_lines]") {
  // A date 30 px high at x 600, its label ending at x 540: half a line
  // height of room fits.
  const cv::Rect date(600, 400, 300, 30);
  cv::Rect r = WithLeftRoom(date, 540, 0.5);
  CHECK(r.x == 585);
  CHECK(r.br().x == date.br().x);
  CHECK(r.y == date.y);
  CHECK(r.height == date.height);
  // The label is nearer than the room: up to just after it.
  r = WithLeftRoom(date, 590, 0.5);
  CHECK(r.x == 591);
  CHECK(r.br().x == date.br().x);
  // No label known, a label that overlaps the value, or no room: unchanged.
  CHECK(WithLeftRoom(date, -1, 0.5) == date);
  CHECK(WithLeftRoom(date, 600, 0.5) == date);
  CHECK(WithLeftRoom(date, 650, 0.5) == date);
  CHECK(WithLeftRoom(date, 540, 0.0) == date);
}

TEST_CASE("NameTailLength keeps a name's last word beyond a wide gap",
          "[ocr][page_lines]") {
  // "HOÀNG ĐỤC" then CƯỜNG 62 px on: "ĐỨC" was boxed short, so the gap
  // passed for a cell's (2.2 line heights of 26 px), yet CƯỜNG is the name's.
  const cv::Rect duc(664, 537, 64, 26);
  std::vector<cv::Rect> boxes = {{790, 537, 114, 24}};
  std::vector<std::string> texts = {"CƯỜNG"};
  CHECK(NameTailLength(duc, boxes, texts, 3.5) == 1);
  // Too far, a label in lower case, a non-syllable, a word overlapping the
  // name: the name ends.
  boxes = {{900, 537, 114, 24}};
  CHECK(NameTailLength(duc, boxes, texts, 3.5) == 0);
  boxes = {{760, 537, 60, 24}, {830, 537, 60, 24}};
  texts = {"Năm", "sinh:"};
  CHECK(NameTailLength(duc, boxes, texts, 3.5) == 0);
  texts = {"XKZQ", "AN"};
  CHECK(NameTailLength(duc, boxes, texts, 3.5) == 0);
  boxes = {{700, 537, 60, 24}};
  texts = {"AN"};
  CHECK(NameTailLength(duc, boxes, texts, 3.5) == 0);
  // Two capital syllables in a row, then a label.
  boxes = {{760, 537, 60, 24}, {830, 537, 60, 24}, {900, 537, 60, 24}};
  texts = {"KIM", "OANH", "Dân"};
  CHECK(NameTailLength(duc, boxes, texts, 3.5) == 2);
  // Empty, mismatched and hostile input.
  CHECK(NameTailLength(duc, {}, {}, 3.5) == 0);
  texts = {"KIM"};
  CHECK(NameTailLength(duc, boxes, texts, 3.5) == 1);
  texts = {"\xff\xfe", "", "AN"};
  CHECK(NameTailLength(duc, boxes, texts, 3.5) == 0);
}

}  // namespace
}  // namespace cdkv::ocr
