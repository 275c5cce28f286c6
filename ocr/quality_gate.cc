#include "ocr/quality_gate.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ocr/exif_orientation.h"

namespace cdkv::ocr {
namespace {

// The focus measure runs on the document rectified at its own size in the
// working image: resampling to a fixed size would shrink the blur of large
// documents and grow that of small ones (too-small ones are refused before).
// A small page the caller expects is judged again on finer pixels (see
// PrintBlur): its print is so small in the working image that blur which
// makes it unreadable is no larger there than the image's own softness.
constexpr int kMinSharpnessWidth = 160;
constexpr int kMaxSharpnessWidth = 1000;
// The rectified document's outer band is left out of the focus measure: the
// outline is rarely exact, and the long, high-contrast edge between paper
// and table would outweigh a blurred page's faint text.
constexpr double kSharpnessInset = 0.06;
// Pixels whose gradient is this many times the median's are edges of print
// (see Sharpness).
constexpr double kEdgeOverMedianGradient = 3.0;
// A page whose geometric-mean side in the working copy is under this (on
// less than about 30% of the frame) has print 3-4 px tall there, and is
// looked at again at kFineCheckScale times the scale. Only when the caller
// says a page is photographed (QualityOptions::expect): a card's print is
// more than twice a page's share of its size, so small level-3 cards that
// read well measure as blurred as unreadable pages by this yardstick, and
// the outline's aspect does not tell them apart (tilt moves it by ±10%).
constexpr double kFineCheckSide = 480.0;
constexpr double kFineCheckScale = 2.0;
// Sharpness of print blurred by a Gaussian of σ pixels follows
// 1/sharpness = kSharpEdgeInverse + kInversePerSquaredBlur · σ² (Sharpness's
// own smoothing and kernels give the constant; measured on rendered text
// with σ 0-2 px, within 2%), which turns the focus measure into a width.
constexpr double kSharpEdgeInverse = 0.5;
constexpr double kInversePerSquaredBlur = 0.21;
// Blown-out pixels: every channel at least this bright.
constexpr int kSaturated = 250;
// Blobs narrower than this share of the document's width are printed white
// (QR modules, margins), not reflections.
constexpr double kGlareBlobFraction = 0.02;

// Energy of the Laplacian over energy of the gradient. Across a blurred edge
// of width w the gradient falls as 1/w and the Laplacian as 1/w², so the
// ratio measures edge width itself: it does not depend on the light, the ink
// contrast or how much of the document is text. The Laplacian's variance
// over the grey variance, used before, did: a card's large print and a
// page's small print needed thresholds five times apart, and blurred pages
// whose text was gone still passed on their table lines.
double Sharpness(const cv::Mat& rectified) {
  const int mx = static_cast<int>(rectified.cols * kSharpnessInset);
  const int my = static_cast<int>(rectified.rows * kSharpnessInset);
  const cv::Mat inner =
      rectified(cv::Rect(mx, my, std::max(1, rectified.cols - 2 * mx),
                         std::max(1, rectified.rows - 2 * my)));
  cv::Mat gray;
  if (inner.channels() == 3) {
    cv::cvtColor(inner, gray, cv::COLOR_BGR2GRAY);
  } else {
    inner.copyTo(gray);
  }
  // Sensor noise and JPEG blocks add high frequencies even to a defocused
  // photo; a light smoothing removes them but keeps text edges.
  cv::GaussianBlur(gray, gray, {0, 0}, 1.0);
  cv::Mat lap, gx, gy;
  cv::Laplacian(gray, lap, CV_32F, 3);
  cv::Sobel(gray, gx, CV_32F, 1, 0, 3);
  cv::Sobel(gray, gy, CV_32F, 0, 1, 3);
  cv::Mat magnitude;
  cv::magnitude(gx, gy, magnitude);
  // Only edges count: on a mostly blank page, noise and shading are most of
  // the pixels, and noise looks sharp however blurred the print is. Their
  // gradient is about the median's; print edges, even blurred, are well
  // above it.
  cv::Mat sorted = magnitude.reshape(1, 1).clone();
  float* begin = sorted.ptr<float>();
  float* mid = begin + sorted.total() / 2;
  std::nth_element(begin, mid, begin + sorted.total());
  const cv::Mat not_edges =
      magnitude <= std::max(1.0, kEdgeOverMedianGradient * *mid);
  cv::Mat laplacian_squared = lap.mul(lap);
  cv::Mat gradient_squared = magnitude.mul(magnitude);
  laplacian_squared.setTo(0, not_edges);
  gradient_squared.setTo(0, not_edges);
  const double laplacian_energy = cv::sum(laplacian_squared)[0];
  const double gradient_energy = cv::sum(gradient_squared)[0];
  // A blank region has no edges to judge: call it unsharp.
  if (gradient_energy <= 0.0) return 0.0;
  // Scaled so that sharp print scores about 1.5-3, blurred print under 0.8.
  return 10.0 * laplacian_energy / gradient_energy;
}

// Gaussian blur, in pixels of the image measured, of print whose Sharpness
// is `sharpness`; print with no edges at all counts as infinitely blurred.
double BlurWidth(double sharpness) {
  if (sharpness <= 0.0) return HUGE_VAL;
  return std::sqrt(std::max(0.0, 1.0 / sharpness - kSharpEdgeInverse) /
                   kInversePerSquaredBlur);
}

// The blur of a small page's print as a share of the page's size (the
// geometric mean of its sides `top` and `side`, in working-copy pixels):
// focus judged on the page rectified from `finer`, the photo at about
// kFineCheckScale times the working copy's scale, where a blur of a few
// full-resolution pixels is not hidden by the copy's softness, and set
// against the page's size, as a reader needs blur small against its print.
// Nothing when the photo has no finer detail to show.
absl::StatusOr<std::optional<double>> PrintBlur(
    const cv::Size& work, const Quad& quad, double top, double side,
    const std::function<absl::StatusOr<cv::Mat>()>& finer) {
  auto source = finer();
  if (!source.ok()) return source.status();
  if (source->empty()) return std::nullopt;
  const double k = static_cast<double>(std::max(source->cols, source->rows)) /
                   std::max(work.width, work.height);
  if (k < 0.95 * kFineCheckScale) return std::nullopt;
  Quad scaled = quad;
  for (auto& p : scaled) p *= static_cast<float>(k);
  auto rectified = Rectify(*source, scaled,
                           cv::Size(std::max(1, static_cast<int>(top * k)),
                                    std::max(1, static_cast<int>(side * k))));
  if (!rectified.ok()) return rectified.status();
  const double blur = BlurWidth(Sharpness(*rectified)) / k;
  return blur / std::sqrt(std::max(1.0, top * side));
}

double GlareFraction(const cv::Mat& photo, const Quad& quad) {
  cv::Mat mask = cv::Mat::zeros(photo.size(), CV_8U);
  std::vector<cv::Point> poly;
  for (const auto& p : quad) poly.emplace_back(p);
  cv::fillConvexPoly(mask, poly, cv::Scalar(255));
  const double doc_area = cv::countNonZero(mask);
  if (doc_area <= 0) return 0.0;
  cv::Mat saturated;
  if (photo.channels() == 3) {
    cv::inRange(photo, cv::Scalar(kSaturated, kSaturated, kSaturated),
                cv::Scalar(255, 255, 255), saturated);
  } else {
    cv::inRange(photo, cv::Scalar(kSaturated), cv::Scalar(255), saturated);
  }
  saturated &= mask;
  const double doc_width = cv::norm(quad[1] - quad[0]);
  const int k = std::max(3, static_cast<int>(doc_width * kGlareBlobFraction));
  cv::morphologyEx(saturated, saturated, cv::MORPH_OPEN,
                   cv::getStructuringElement(cv::MORPH_ELLIPSE, {k, k}));
  return cv::countNonZero(saturated) / doc_area;
}

}  // namespace

std::string_view QualityVerdictName(QualityVerdict verdict) {
  switch (verdict) {
    case QualityVerdict::kGood:
      return "good";
    case QualityVerdict::kNoDocument:
      return "no_document";
    case QualityVerdict::kTooSmall:
      return "too_small";
    case QualityVerdict::kCutOff:
      return "cut_off";
    case QualityVerdict::kGlare:
      return "glare";
    case QualityVerdict::kBlurred:
      return "blurred";
  }
  return "unknown";
}

std::string_view QualityAdvice(QualityVerdict verdict) {
  switch (verdict) {
    case QualityVerdict::kGood:
      return "Ảnh đạt yêu cầu. Xin cảm ơn.";
    case QualityVerdict::kNoDocument:
      return "Không thấy giấy tờ trong ảnh. Xin đặt giấy tờ trên mặt bàn "
             "phẳng và chụp lại.";
    case QualityVerdict::kTooSmall:
      return "Giấy tờ trong ảnh quá nhỏ. Xin đưa máy lại gần hơn và chụp "
             "lại.";
    case QualityVerdict::kCutOff:
      return "Ảnh bị mất một phần giấy tờ. Xin chụp lại cho thấy đủ bốn góc.";
    case QualityVerdict::kGlare:
      return "Ảnh bị lóa sáng. Xin tránh ánh đèn chiếu thẳng hoặc nghiêng "
             "giấy tờ một chút rồi chụp lại.";
    case QualityVerdict::kBlurred:
      return "Ảnh bị mờ. Xin giữ máy chắc tay và chụp lại.";
  }
  return "";
}

namespace {

// CheckPhotoQuality on `photo`, with `finer` giving the photo at twice the
// working copy's scale when a small page needs a closer look (an empty
// image when there is no such detail).
absl::StatusOr<QualityReport> CheckPhoto(
    const cv::Mat& photo, const QualityOptions& options,
    const std::function<absl::StatusOr<cv::Mat>()>& finer) {
  if (photo.empty()) return absl::InvalidArgumentError("the photo is empty");
  if (photo.depth() != CV_8U ||
      (photo.channels() != 1 && photo.channels() != 3)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the quality check needs an 8-bit grey or BGR photo; got type ",
        cv::typeToString(photo.type())));
  }
  try {
    const double scale =
        std::min(1.0, static_cast<double>(options.work_long_side) /
                          std::max(photo.cols, photo.rows));
    cv::Mat work;
    if (scale < 1.0) {
      cv::resize(photo, work, {}, scale, scale, cv::INTER_AREA);
    } else {
      work = photo;
    }
    QualityReport report;
    FinderOptions finder;
    finder.expect = options.expect;
    auto found = FindDocument(work, finder);
    if (!found.ok()) return found.status();
    auto verdict = [&](QualityVerdict v) {
      report.verdict = v;
      report.advice = QualityAdvice(v);
      if (report.document.has_value()) {
        for (auto& p : report.document->quad) {
          p *= static_cast<float>(1.0 / scale);
        }
      }
      return report;
    };
    if (!found->has_value()) {
      // Nothing whole in the frame; an outline the frame edge cuts is still
      // worth naming, as "cut off" tells the citizen what to do.
      finder.accept_cut_off = true;
      auto cut = FindDocument(work, finder);
      if (!cut.ok()) return cut.status();
      if (!cut->has_value() || !(*cut)->touches_edge) {
        return verdict(QualityVerdict::kNoDocument);
      }
      found = std::move(cut);
    }
    if ((*found)->touches_edge) {
      // A small outline at the edge is more likely a shadow or an object
      // than a document: the citizen frames the paper, not the table.
      if ((*found)->area_fraction < options.min_area_fraction) {
        return verdict(QualityVerdict::kNoDocument);
      }
      report.document = **found;
      report.area_fraction = report.document->area_fraction;
      return verdict(QualityVerdict::kCutOff);
    }
    report.document = **found;
    report.area_fraction = report.document->area_fraction;
    if (report.area_fraction < options.min_area_fraction) {
      return verdict(QualityVerdict::kTooSmall);
    }
    report.glare_fraction = GlareFraction(work, report.document->quad);
    if (report.glare_fraction > options.max_glare_fraction) {
      return verdict(QualityVerdict::kGlare);
    }
    const Quad& q = report.document->quad;
    const double top = 0.5 * (cv::norm(q[1] - q[0]) + cv::norm(q[2] - q[3]));
    const double side = 0.5 * (cv::norm(q[3] - q[0]) + cv::norm(q[2] - q[1]));
    const double k =
        std::clamp(top, 1.0 * kMinSharpnessWidth, 1.0 * kMaxSharpnessWidth) /
        std::max(top, 1.0);
    const cv::Size size(static_cast<int>(top * k),
                        std::max(1, static_cast<int>(side * k)));
    auto rectified = Rectify(work, report.document->quad, size);
    if (!rectified.ok()) return rectified.status();
    report.sharpness = Sharpness(*rectified);
    if (report.sharpness < options.min_sharpness) {
      return verdict(QualityVerdict::kBlurred);
    }
    if (options.expect == DocumentShape::kPage &&
        std::sqrt(top * side) < kFineCheckSide) {
      auto blur =
          PrintBlur(work.size(), report.document->quad, top, side, finer);
      if (!blur.ok()) return blur.status();
      if (blur->has_value()) {
        report.print_blur = **blur;
        if (report.print_blur > options.max_print_blur) {
          return verdict(QualityVerdict::kBlurred);
        }
      }
    }
    return verdict(QualityVerdict::kGood);
  } catch (const cv::Exception& e) {
    return absl::InternalError(
        absl::StrCat("the quality check failed: ", e.what()));
  }
}

// The photo of `decoded` again, with a long side of `finer_side`, in grey
// (all Sharpness reads), or an empty image when it has not that many pixels.
// Only a small page needs it: a 12 MP JPEG is decoded again at 1/2 DCT
// scale, skipping colour, for about 25 ms.
absl::StatusOr<cv::Mat> DecodeFinerGrey(std::span<const uint8_t> bytes,
                                        const DecodedImage& decoded,
                                        int finer_side,
                                        const DecodeLimits& limits) {
  const int long_side =
      std::max(decoded.original_width, decoded.original_height);
  if (long_side < finer_side) return cv::Mat();
  cv::Mat grey;
  try {
    if (decoded.header.format == ImageFormat::kJpeg) {
      int flags = cv::IMREAD_GRAYSCALE;
      if (long_side / 8 >= finer_side) {
        flags = cv::IMREAD_REDUCED_GRAYSCALE_8;
      } else if (long_side / 4 >= finer_side) {
        flags = cv::IMREAD_REDUCED_GRAYSCALE_4;
      } else if (long_side / 2 >= finer_side) {
        flags = cv::IMREAD_REDUCED_GRAYSCALE_2;
      }
      // The bytes decoded once already; imdecode only reads them.
      const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8U,
                           const_cast<uint8_t*>(bytes.data()));
      grey = cv::imdecode(buffer, flags | cv::IMREAD_IGNORE_ORIENTATION);
      if (grey.empty()) return cv::Mat();
      grey = ApplyExifOrientation(grey, decoded.header.exif_orientation);
    } else {
      auto again = DecodeImage(bytes, limits, finer_side);
      if (!again.ok()) return again.status();
      cv::cvtColor(again->image, grey, cv::COLOR_BGR2GRAY);
    }
    const int side = std::max(grey.cols, grey.rows);
    if (side > finer_side) {
      const double k = static_cast<double>(finer_side) / side;
      cv::resize(grey, grey, {}, k, k, cv::INTER_AREA);
    }
  } catch (const cv::Exception& e) {
    return absl::InternalError(
        absl::StrCat("the quality check failed: ", e.what()));
  }
  return grey;
}

}  // namespace

absl::StatusOr<QualityReport> CheckPhotoQuality(const cv::Mat& photo,
                                                const QualityOptions& options) {
  return CheckPhoto(photo, options, [&]() -> absl::StatusOr<cv::Mat> {
    const int long_side = std::max(photo.cols, photo.rows);
    const int finer_side =
        static_cast<int>(kFineCheckScale * options.work_long_side);
    if (long_side < finer_side) return cv::Mat();
    const double k = static_cast<double>(finer_side) / long_side;
    cv::Mat finer;
    try {
      cv::resize(photo, finer, {}, k, k, cv::INTER_AREA);
    } catch (const cv::Exception& e) {
      return absl::InternalError(
          absl::StrCat("the quality check failed: ", e.what()));
    }
    return finer;
  });
}

absl::StatusOr<QualityReport> CheckPhotoQualityBytes(
    std::span<const uint8_t> bytes, const QualityOptions& options,
    const DecodeLimits& limits) {
  auto decoded = DecodeImage(bytes, limits, options.work_long_side);
  if (!decoded.ok()) return decoded.status();
  const int finer_side =
      static_cast<int>(kFineCheckScale * options.work_long_side);
  auto report =
      CheckPhoto(decoded->image, options, [&]() -> absl::StatusOr<cv::Mat> {
        return DecodeFinerGrey(bytes, *decoded, finer_side, limits);
      });
  if (!report.ok()) return report.status();
  // Back to the original photo's pixels.
  if (report->document.has_value()) {
    const double k = static_cast<double>(std::max(decoded->original_width,
                                                  decoded->original_height)) /
                     std::max(decoded->image.cols, decoded->image.rows);
    for (auto& p : report->document->quad) p *= static_cast<float>(k);
  }
  return report;
}

}  // namespace cdkv::ocr
