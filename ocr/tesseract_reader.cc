#include "ocr/tesseract_reader.h"

#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "ocr/string_view_compat.h"
#include "ocr/text_utf8.h"

namespace cdkv::ocr {
namespace {

// The LSTM models are trained on lines of roughly this many pixels; much
// smaller text loses diacritics, much larger costs time for nothing.
constexpr int kTargetLinePixels = 48;
constexpr int kMinRegionHeight = 8;
// Anything larger than a card field is a caller bug, not a line.
constexpr int kMaxRegionSide = 4000;
// Tesseract misreads glyphs touching the image edge.
constexpr int kMarginPixels = 12;
constexpr int kMrzLines = 3;
// Printed ink differs from the card by far more than this (grey-level
// standard deviation); below it the region is blank and Sauvola would only
// binarise paper grain into "letters".
constexpr double kMinInkContrast = 8.0;

constexpr char kDigitsWhitelist[] = "0123456789/-.";
constexpr char kMrzWhitelist[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<";
constexpr char kMrzNumbersWhitelist[] = "0123456789<";
// Vietnamese cards always give the sex: a blurred M read as the filler
// would hide it.
constexpr char kMrzDatesWhitelist[] = "0123456789FM";

// Init-only parameters shared by both engines: no dictionaries (names,
// addresses, dates and MRZ text are not dictionary words), no debug file.
const std::vector<std::string> kInitVars = {"load_system_dawg",
                                            "load_freq_dawg", "debug_file"};
const std::vector<std::string> kInitValues = {"0", "0", "/dev/null"};

absl::StatusOr<std::unique_ptr<tesseract::TessBaseAPI>> StartEngine(
    std::string_view dir, const char* language) {
  auto api = std::make_unique<tesseract::TessBaseAPI>();
  const std::string path(dir);
  if (api->Init(path.c_str(), language, tesseract::OEM_LSTM_ONLY, nullptr, 0,
                &kInitVars, &kInitValues, false) != 0) {
    // Init failure leaves the engine half-built; End() releases it.
    api->End();
    return absl::FailedPreconditionError(
        absl::StrCat("Tesseract could not load the '", language,
                     "' model from ", path, "; install the tesseract-ocr-",
                     language, " package or pass the tessdata directory"));
  }
  // Sauvola: local thresholds survive shadows across a card. A fixed DPI
  // keeps Tesseract from guessing (and logging) one per call.
  api->SetVariable("thresholding_method", "2");
  api->SetVariable("user_defined_dpi", "300");
  return api;
}

// Grey, rescaled so a text line is about kTargetLinePixels high, with a white
// margin.
cv::Mat Prepare(const cv::Mat& region, int lines, double line_scale) {
  cv::Mat gray;
  if (region.channels() == 1) {
    gray = region;
  } else {
    cv::cvtColor(
        region, gray,
        region.channels() == 3 ? cv::COLOR_BGR2GRAY : cv::COLOR_BGRA2GRAY);
  }
  const double scale = kTargetLinePixels * line_scale * lines / gray.rows;
  cv::Mat scaled;
  cv::resize(gray, scaled, {}, scale, scale,
             scale > 1 ? cv::INTER_CUBIC : cv::INTER_AREA);
  cv::Mat padded;
  cv::copyMakeBorder(scaled, padded, kMarginPixels, kMarginPixels,
                     kMarginPixels, kMarginPixels, cv::BORDER_REPLICATE);
  return padded;
}

std::string TrimLines(std::string_view raw) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(Absl(raw), '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    if (!out.empty()) out.push_back('\n');
    out.append(line.data(), line.size());
  }
  return out;
}

// The recognised text, NFC, and its mean confidence.
absl::StatusOr<LineReading> Text(tesseract::TessBaseAPI& api) {
  std::unique_ptr<char[]> raw(api.GetUTF8Text());
  LineReading reading;
  if (raw != nullptr) {
    auto nfc = NormalizeNfc(TrimLines(raw.get()));
    if (!nfc.ok()) {
      return absl::InternalError(absl::StrCat(
          "Tesseract returned malformed text: ", nfc.status().message()));
    }
    reading.text = *std::move(nfc);
  }
  if (!reading.text.empty()) {
    reading.confidence = std::clamp(api.MeanTextConf() / 100.0, 0.0, 1.0);
  }
  return reading;
}

// Per word, each character's alternatives, after Recognize with
// lstm_choice_mode 2. Characters whose text is not valid UTF-8 are dropped.
absl::Status CollectChoices(tesseract::TessBaseAPI& api,
                            std::vector<WordChoices>& words) {
  std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
  if (it == nullptr) return absl::OkStatus();
  it->Begin();
  // An empty page has no word, and a ChoiceIterator on it asserts.
  if (it->Empty(tesseract::RIL_SYMBOL)) return absl::OkStatus();
  do {
    if (it->Empty(tesseract::RIL_SYMBOL)) continue;
    if (words.empty() || it->IsAtBeginningOf(tesseract::RIL_WORD)) {
      words.emplace_back();
      std::unique_ptr<char[]> word(it->GetUTF8Text(tesseract::RIL_WORD));
      if (word != nullptr) {
        auto nfc = NormalizeNfc(word.get());
        if (nfc.ok()) words.back().text = *std::move(nfc);
      }
    }
    std::vector<CharChoice> choices;
    tesseract::ChoiceIterator choice(*it);
    do {
      const char* text = choice.GetUTF8Text();
      if (text == nullptr) continue;
      auto nfc = NormalizeNfc(text);
      if (!nfc.ok() || nfc->empty()) continue;
      choices.push_back(CharChoice{
          *std::move(nfc), std::clamp(choice.Confidence() / 100.0, 0.0, 1.0)});
    } while (choice.Next());
    if (choices.empty()) {
      // No alternatives: the symbol itself, at its own confidence.
      std::unique_ptr<char[]> symbol(it->GetUTF8Text(tesseract::RIL_SYMBOL));
      if (symbol == nullptr) continue;
      auto nfc = NormalizeNfc(symbol.get());
      if (!nfc.ok() || nfc->empty()) continue;
      choices.push_back(CharChoice{
          *std::move(nfc),
          std::clamp(it->Confidence(tesseract::RIL_SYMBOL) / 100.0, 0.0, 1.0)});
    }
    words.back().characters.push_back(std::move(choices));
  } while (it->Next(tesseract::RIL_SYMBOL));
  return absl::OkStatus();
}

}  // namespace

std::vector<std::pair<std::string, double>> LikelySpellings(
    const WordChoices& word, size_t max_spellings, double min_share) {
  std::vector<std::pair<std::string, double>> spellings = {{"", 1.0}};
  for (const auto& alternatives : word.characters) {
    double total = 0;
    for (const CharChoice& c : alternatives) total += std::max(c.score, 0.0);
    if (!(total > 0)) continue;
    std::vector<std::pair<std::string, double>> next;
    for (const CharChoice& c : alternatives) {
      const double share = std::max(c.score, 0.0) / total;
      if (share < min_share) continue;
      for (const auto& [prefix, p] : spellings) {
        next.emplace_back(prefix + c.text, p * share);
      }
    }
    if (next.empty()) continue;
    std::stable_sort(
        next.begin(), next.end(),
        [](const auto& a, const auto& b) { return a.second > b.second; });
    if (next.size() > max_spellings) next.resize(max_spellings);
    spellings = std::move(next);
  }
  if (spellings.size() == 1 && spellings[0].first.empty()) return {};
  return spellings;
}

absl::StatusOr<std::string> NormalizeNfc(std::string_view text) {
  if (auto decoded = DecodeUtf8(text); !decoded.ok()) return decoded.status();
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(error);
  if (U_FAILURE(error)) {
    return absl::InternalError(
        absl::StrCat("ICU NFC normaliser unavailable: ", u_errorName(error)));
  }
  const icu::UnicodeString source = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  const icu::UnicodeString composed = nfc->normalize(source, error);
  if (U_FAILURE(error)) {
    return absl::InternalError(
        absl::StrCat("NFC normalisation failed: ", u_errorName(error)));
  }
  std::string out;
  composed.toUTF8String(out);
  return out;
}

absl::StatusOr<std::unique_ptr<TesseractReader>> TesseractReader::Create(
    std::string_view tessdata_dir) {
  std::unique_ptr<TesseractReader> reader(new TesseractReader());
  auto vie = StartEngine(tessdata_dir, "vie");
  if (!vie.ok()) return vie.status();
  reader->vie_ = *std::move(vie);
  auto eng = StartEngine(tessdata_dir, "eng");
  if (!eng.ok()) return eng.status();
  reader->eng_ = *std::move(eng);
  return reader;
}

TesseractReader::~TesseractReader() {
  if (vie_ != nullptr) vie_->End();
  if (eng_ != nullptr) eng_->End();
}

absl::StatusOr<tesseract::TessBaseAPI*> TesseractReader::Start(
    const cv::Mat& region, LineKind kind, double line_scale) {
  if (region.empty()) {
    return absl::InvalidArgumentError("the text region is empty");
  }
  if (region.depth() != CV_8U ||
      (region.channels() != 1 && region.channels() != 3 &&
       region.channels() != 4)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "text reading needs an 8-bit grey, BGR or BGRA region; got type ",
        cv::typeToString(region.type())));
  }
  if (region.rows < kMinRegionHeight || region.cols < kMinRegionHeight) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the text region is ", region.cols, "x", region.rows,
        " pixels; at least ", kMinRegionHeight, " on each side is needed"));
  }
  if (region.rows > kMaxRegionSide || region.cols > kMaxRegionSide) {
    return absl::InvalidArgumentError(
        absl::StrCat("the text region is ", region.cols, "x", region.rows,
                     " pixels; crop one field (at most ", kMaxRegionSide,
                     " per side) before reading it"));
  }
  const int lines = kind == LineKind::kMrz ? kMrzLines : 1;
  cv::Mat prepared;
  try {
    // NaN, zero or absurd scales fall back to the models' own height.
    const double scale =
        line_scale >= 0.5 && line_scale <= 2.0 ? line_scale : 1.0;
    prepared = Prepare(region, lines, scale);
  } catch (const cv::Exception& e) {
    return absl::InternalError(
        absl::StrCat("preparing the text region failed: ", e.what()));
  }

  cv::Scalar mean, stddev;
  cv::meanStdDev(prepared, mean, stddev);
  if (stddev[0] < kMinInkContrast) return nullptr;

  const bool vietnamese =
      kind == LineKind::kName || kind == LineKind::kDigitsVietnamese;
  tesseract::TessBaseAPI* api = vietnamese ? vie_.get() : eng_.get();
  if (kind == LineKind::kDigits || kind == LineKind::kDigitsVietnamese) {
    api->SetVariable("tessedit_char_whitelist", kDigitsWhitelist);
  } else if (kind == LineKind::kMrz) {
    api->SetVariable("tessedit_char_whitelist", kMrzWhitelist);
  } else if (kind == LineKind::kMrzNumbers) {
    api->SetVariable("tessedit_char_whitelist", kMrzNumbersWhitelist);
  } else if (kind == LineKind::kMrzDates) {
    api->SetVariable("tessedit_char_whitelist", kMrzDatesWhitelist);
  } else {
    // The Vietnamese engine also reads digits; names need every letter.
    api->SetVariable("tessedit_char_whitelist", "");
  }
  api->SetPageSegMode(kind == LineKind::kMrz ? tesseract::PSM_SINGLE_BLOCK
                                             : tesseract::PSM_SINGLE_LINE);
  // SetImage copies the pixels, so `prepared` may go.
  api->SetImage(prepared.data, prepared.cols, prepared.rows, 1,
                static_cast<int>(prepared.step[0]));
  return api;
}

absl::StatusOr<LineReading> TesseractReader::ReadLine(const cv::Mat& region,
                                                      LineKind kind,
                                                      double line_scale) {
  auto api = Start(region, kind, line_scale);
  if (!api.ok()) return api.status();
  if (*api == nullptr) return LineReading{};
  auto reading = Text(**api);
  (*api)->Clear();
  return reading;
}

absl::StatusOr<LineChoices> TesseractReader::ReadLineChoices(
    const cv::Mat& region, LineKind kind, double line_scale,
    Binarization binarization) {
  if (kind == LineKind::kMrz) {
    return absl::InvalidArgumentError(
        "character choices are read from one line, not the MRZ block");
  }
  auto started = Start(region, kind, line_scale);
  if (!started.ok()) return started.status();
  LineChoices out;
  tesseract::TessBaseAPI* api = *started;
  if (api == nullptr) return out;
  api->SetVariable("thresholding_method",
                   binarization == Binarization::kOtsu ? "0" : "2");
  // 2: alternatives per recognised character (1 would give them per LSTM
  // time step, which do not line up with characters).
  api->SetVariable("lstm_choice_mode", "2");
  absl::Status status = absl::OkStatus();
  if (api->Recognize(nullptr) != 0) {
    status = absl::InternalError("Tesseract could not recognise the line");
  } else if (auto reading = Text(*api); !reading.ok()) {
    status = reading.status();
  } else {
    out.reading = *std::move(reading);
    status = CollectChoices(*api, out.words);
  }
  api->SetVariable("lstm_choice_mode", "0");
  api->SetVariable("thresholding_method", "2");
  api->Clear();
  if (!status.ok()) return status;
  return out;
}

}  // namespace cdkv::ocr
