// A fast check of a citizen's photo before it is queued for reading, so the
// app can ask for a better photo while the citizen still holds the card:
// no document, too small, cut off, glare, or blur, each with polite advice
// in Vietnamese. Works on a reduced copy: tens of milliseconds on 12 MP.
#ifndef CDKV_OCR_QUALITY_GATE_H_
#define CDKV_OCR_QUALITY_GATE_H_

#include <cstdint>
#include <opencv2/core.hpp>
#include <optional>
#include <span>
#include <string_view>

#include "absl/status/statusor.h"
#include "ocr/document_finder.h"
#include "ocr/image_decode.h"

namespace cdkv::ocr {

enum class QualityVerdict {
  kGood,
  kNoDocument,
  kTooSmall,
  kCutOff,
  kGlare,
  kBlurred,
};

// "good", "no_document", ... for logs and JSON.
std::string_view QualityVerdictName(QualityVerdict verdict);

// Short, polite advice for the citizen, in Vietnamese.
std::string_view QualityAdvice(QualityVerdict verdict);

struct QualityOptions {
  int work_long_side = 1000;
  // A card filling less of the frame than this has too few pixels per
  // character at phone resolutions (12% of 12 MP is a card ~1300 px wide,
  // but of a 2 MP chat-compressed photo only ~600 px).
  double min_area_fraction = 0.12;
  // Focus measure (see QualityReport::sharpness) below which text is too
  // soft to read; calibrated on cdkv-synth photos of cards and pages
  // (bench/ocr/RESULTS.md, "Quality gate calibration").
  double min_sharpness = 0.85;
  // When `expect` is kPage, a small page is also judged at twice the
  // working scale: the Gaussian blur of its print, as a share of the page's
  // size (geometric mean of its sides), above which the print is too soft
  // to read (bench/ocr/RESULTS.md, "Quality gate calibration", 2026-11-24).
  double max_print_blur = 0.0021;
  // Share of the document covered by blown-out blobs above which text under
  // them is lost.
  double max_glare_fraction = 0.01;
  // Passed to FindDocument: set it when the app knows what is photographed.
  // kPage also turns on the small-page check of max_print_blur, which would
  // refuse readable small cards.
  std::optional<DocumentShape> expect;
};

struct QualityReport {
  QualityVerdict verdict = QualityVerdict::kGood;
  std::string_view advice;                // QualityAdvice(verdict).
  std::optional<FoundDocument> document;  // In the input image's pixels.
  double area_fraction = 0.0;
  // Energy of the Laplacian over energy of the gradient on the edges inside
  // the rectified document, a measure of edge width: sharp print scores
  // 1.5-3, print too blurred to read under 0.8. It does not drop in dim
  // light or with the size of the print.
  double sharpness = 0.0;
  // For a page (expect kPage) small in the working copy of a photo with
  // finer detail: the blur (Gaussian σ) of its print measured at twice the
  // working scale, as a share of the page's size: 0 for crisp print,
  // readable level-3 print up to about 0.002. 0 also when not measured.
  double print_blur = 0.0;
  double glare_fraction = 0.0;
};

// Checks an upright BGR or grey image. INVALID_ARGUMENT for unusable input.
// An expected page small in a photo of at least twice the working size is
// also judged on the photo's finer pixels.
absl::StatusOr<QualityReport> CheckPhotoQuality(
    const cv::Mat& photo, const QualityOptions& options = {});

// Decodes `bytes` at the working scale (DCT-scaled JPEG decoding makes this
// cheap) and checks it; for a small expected page, decodes them again at
// twice that scale, in grey. Decoding errors are returned as they are.
absl::StatusOr<QualityReport> CheckPhotoQualityBytes(
    std::span<const uint8_t> bytes, const QualityOptions& options = {},
    const DecodeLimits& limits = {});

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_QUALITY_GATE_H_
