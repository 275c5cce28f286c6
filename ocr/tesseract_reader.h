// Tesseract LSTM reading of one cropped field (a line of text, or the 3-line
// MRZ block) from a rectified document. The OCR worker owns one reader per
// thread: Tesseract engines are not thread-safe and take ~80 ms to start, so
// they are created once and reused for every photo.
#ifndef CDKV_OCR_TESSERACT_READER_H_
#define CDKV_OCR_TESSERACT_READER_H_

#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace tesseract {
class TessBaseAPI;
}  // namespace tesseract

namespace cdkv::ocr {

inline constexpr std::string_view kDefaultTessdataDir =
    "/usr/share/tesseract-ocr/5/tessdata";

enum class LineKind {
  // Vietnamese words with diacritics, dictionaries off: names and addresses
  // are not dictionary words, and the dictionary "corrects" them wrongly.
  kName,
  // Digits and date separators (ID numbers, dates).
  kDigits,
  // The same characters read with the Vietnamese model, which was trained
  // on other text and blurs digits differently: a second opinion.
  kDigitsVietnamese,
  // The ICAO MRZ block: A-Z, 0-9 and '<', English model, as a block of lines.
  kMrz,
  // Runs of MRZ cells read on their own (ocr/mrz_zone.h), English model,
  // one line: line 1's numbers (digits and '<'), line 2's dates (digits,
  // F and M).
  kMrzNumbers,
  kMrzDates,
};

struct LineReading {
  std::string text;         // UTF-8 NFC, lines joined by '\n', trimmed.
  double confidence = 0.0;  // Tesseract's mean word confidence, 0..1.
};

// What the LSTM considered at one character of a line: its alternatives,
// best first, each with the model's score for it (0..1; the scores of one
// character need not sum to 1). Blur mostly confuses tone marks, and the
// runner-up is often the printed one.
struct CharChoice {
  std::string text;  // UTF-8 NFC, usually one letter.
  double score = 0.0;
};

struct WordChoices {
  std::string text;  // The best reading of the word, NFC.
  std::vector<std::vector<CharChoice>> characters;
};

struct LineChoices {
  LineReading reading;
  std::vector<WordChoices> words;  // Left to right.
};

// The spellings a word's character alternatives allow, most probable first,
// at most `max_spellings`, each with its probability: the product of its
// characters' shares of their alternatives' scores. Alternatives with a
// share below `min_share` are left out; characters with no positive score
// are skipped. Empty for a word without characters.
std::vector<std::pair<std::string, double>> LikelySpellings(
    const WordChoices& word, size_t max_spellings, double min_share);

// How a region is turned black and white before recognition. A second
// binarisation of the same blurred line drops different diacritics.
enum class Binarization {
  kSauvola,  // Local thresholds: survives shadows (the default).
  kOtsu,     // One global threshold: keeps faint marks whole in even light.
};

class TesseractReader {
 public:
  // Loads `vie` and `eng` from `tessdata_dir`. FAILED_PRECONDITION naming the
  // directory when a model is missing (install tesseract-ocr-vie). The
  // process should have OMP_THREAD_LIMIT=1 in its environment from start, or
  // each reader spawns a thread per core and contends with the other workers.
  static absl::StatusOr<std::unique_ptr<TesseractReader>> Create(
      std::string_view tessdata_dir = kDefaultTessdataDir);

  ~TesseractReader();
  TesseractReader(const TesseractReader&) = delete;
  TesseractReader& operator=(const TesseractReader&) = delete;

  // Reads `region` (8-bit grey, BGR or BGRA; any size from 8 px high). The
  // region is rescaled so that text is about the height the models were
  // trained on and binarised with Sauvola's adaptive threshold, which copes
  // with uneven light. An empty result with confidence 0 means no text.
  // `line_scale` (0.5..2; anything else means 1) multiplies that height,
  // for a second reading at another scale when the first is unsure.
  absl::StatusOr<LineReading> ReadLine(const cv::Mat& region, LineKind kind,
                                       double line_scale = 1.0);

  // Reads a one-line `region` like ReadLine (kName or kDigits; kMrz is
  // INVALID_ARGUMENT) and also returns, per word, every character's
  // alternatives, binarised as asked.
  absl::StatusOr<LineChoices> ReadLineChoices(
      const cv::Mat& region, LineKind kind, double line_scale = 1.0,
      Binarization binarization = Binarization::kSauvola);

 private:
  TesseractReader() = default;

  // Checks and prepares `region`, sets the engine for `kind` up and gives
  // it the image; nullptr when the region holds no ink.
  absl::StatusOr<tesseract::TessBaseAPI*> Start(const cv::Mat& region,
                                                LineKind kind,
                                                double line_scale);

  // Owned; End() is called in the destructor. Separate engines because the
  // dictionary switches of `vie` can only be set at initialisation.
  std::unique_ptr<tesseract::TessBaseAPI> vie_;
  std::unique_ptr<tesseract::TessBaseAPI> eng_;
};

// Unicode NFC of UTF-8 `text`; INVALID_ARGUMENT for malformed UTF-8.
absl::StatusOr<std::string> NormalizeNfc(std::string_view text);

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_TESSERACT_READER_H_
