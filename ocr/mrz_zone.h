// The digit runs of a TD1 machine-readable zone, cropped and read on their
// own. Line 1 holds, after "IDVNM", the document number, its check digit
// and the optional data (the 12-digit ID, fillers, a check digit); line 2
// begins with the birth date, its check digit, the sex and the expiry with
// its check digit. Read as part of the whole zone, whose alphabet has every
// letter, Tesseract's English model turns blurred OCR-B digits into letters
// (7 as T, 6 as E, 5 as S); read alone, with only the characters the cells
// can hold allowed, they come out right. The check digits still decide.
#ifndef CDKV_OCR_MRZ_ZONE_H_
#define CDKV_OCR_MRZ_ZONE_H_

#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace cdkv::ocr {

// Cells [first_cell, end_cell) of line `line` (0-2) in `zone`, a crop of
// the three MRZ lines with little else (8-bit grey or BGR, any scale): the
// lines are found by their ink, row by row, and the cells by the line's
// extent, 30 characters at a fixed pitch (10 to the inch). Nothing when the
// zone does not show three lines of text, the line is not as wide as a TD1
// line would make it, or the cells are not within 0-30.
std::optional<cv::Rect> MrzCellsRegion(const cv::Mat& zone, int line,
                                       int first_cell, int end_cell);

// The cells the readers below take: line 1's after "IDVNM", line 2's dates
// (the birth date and its check digit, the sex, the expiry and its check
// digit).
inline constexpr int kMrzNumbersFirstCell = 5;
inline constexpr int kMrzSexCell = 7;
inline constexpr int kMrzDatesEndCell = 15;

// `reading` (three lines of an MRZ as Tesseract read them) with line 1's
// cells 5-29 replaced by `numbers`, a reading of them alone: 22 digits,
// two fillers and a check digit (spaces ignored). Cells 0-4 become "IDVNM",
// the only document code and issuing state this reader's cards carry.
// Nothing when `numbers` is not of that form or `reading` not three lines.
std::optional<std::string> WithMrzNumbers(std::string_view reading,
                                          std::string_view numbers);

// `reading` with line 2's cells 0-14 replaced by `dates`, a reading of
// them alone: 15 characters, digits but for the sex at cell 7. A sex read
// as anything but F, M or '<' is taken from `reading`: its one F or M
// before the nationality, else M for its one H or N (a blurred M), else
// '<'. Line 2 is kept from the nationality
// ("VN...") on. Nothing when `dates` is not of that form or line 2 shows no
// nationality to join at.
std::optional<std::string> WithMrzDates(std::string_view reading,
                                        std::string_view dates);

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_MRZ_ZONE_H_
