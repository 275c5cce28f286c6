// Text lines of a paper page from more than one layout pass. Tesseract's
// layout pass loses blurred lines whole (taken for images or specks), and
// its Sauvola and Otsu passes lose different ones: the reader keeps one
// pass, adds the lines only the other read, and lays out again alone the
// gaps the field lines leave where a printed line must be.
#ifndef CDKV_OCR_PAGE_LINES_H_
#define CDKV_OCR_PAGE_LINES_H_

#include <opencv2/core.hpp>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace cdkv::ocr {

// Where a line another pass read goes among `lines` (boxes in reading
// order, top to bottom): over `lines[index]` when `replace` (a line at the
// same height that holds no field, index not in `taken`: the same printed
// line read worse), else inserted before `index`.
struct LinePlace {
  int index = 0;
  bool replace = false;
};
LinePlace PlaceLine(std::span<const cv::Rect> lines, const std::set<int>& taken,
                    const cv::Rect& line);

// One band of the page (full width, 1.6 line heights) per printed line
// missing between consecutive field lines (`field_lines`, the boxes of
// lines holding a located field, any order): where two are 1.5 line
// pitches apart or more, round(distance / pitch) - 1 lines are missing,
// evenly spaced. The pitch is the least distance between two field lines
// that is not less than their median height. A gap over six pitches is the
// page's layout, not lost lines. Empty with fewer than two lines.
std::vector<cv::Rect> GapsBetweenFieldLines(
    std::span<const cv::Rect> field_lines, int page_width);

// `value`, the box of a value read after its label on a page line, with
// `room` times its height added on its left, but not reaching the label
// (whose right edge is `label_right`; -1 when unknown, and then `value` is
// returned as it is): a re-read whose crop starts at the value's first
// character often drops it.
cv::Rect WithLeftRoom(cv::Rect value, int label_right, double room);

// How many of a line's words after a printed name's last word (whose box
// is `last`; `boxes` and `texts` left to right from the first word right of
// it) are still the name's: each a syllable in capitals, at most `max_gap`
// times the taller word's height after the one before it. Blur shrinks a
// word's box ("ĐỨC" boxed as "ĐỤ"), and the gap after it can then pass for
// a gap between cells; a label ("Năm sinh") is not in capitals.
size_t NameTailLength(const cv::Rect& last, std::span<const cv::Rect> boxes,
                      std::span<const std::string> texts, double max_gap);

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_PAGE_LINES_H_
