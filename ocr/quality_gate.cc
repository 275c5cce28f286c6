#include "ocr/quality_gate.h"

#include <algorithm>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace cdkv::ocr {
namespace {

// The focus measure runs on the document rectified at its own size in the
// working image: resampling to a fixed size would shrink the blur of large
// documents and grow that of small ones (too-small ones are refused before).
constexpr int kMinSharpnessWidth = 160;
constexpr int kMaxSharpnessWidth = 1000;
// Blown-out pixels: every channel at least this bright.
constexpr int kSaturated = 250;
// Blobs narrower than this share of the document's width are printed white
// (QR modules, margins), not reflections.
constexpr double kGlareBlobFraction = 0.02;

double Sharpness(const cv::Mat& rectified) {
  cv::Mat gray;
  if (rectified.channels() == 3) {
    cv::cvtColor(rectified, gray, cv::COLOR_BGR2GRAY);
  } else {
    gray = rectified;
  }
  // Sensor noise and JPEG blocks add high frequencies even to a defocused
  // photo; a light smoothing removes them but keeps text edges.
  cv::GaussianBlur(gray, gray, {0, 0}, 1.0);
  cv::Mat lap;
  cv::Laplacian(gray, lap, CV_32F, 3);
  cv::Scalar lm, ls, gm, gs;
  cv::meanStdDev(lap, lm, ls);
  cv::meanStdDev(gray, gm, gs);
  if (gs[0] < 1.0) return 0.0;
  return (ls[0] * ls[0]) / (gs[0] * gs[0]);
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

absl::StatusOr<QualityReport> CheckPhotoQuality(const cv::Mat& photo,
                                                const QualityOptions& options) {
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
    if (!found->has_value()) return verdict(QualityVerdict::kNoDocument);
    report.document = **found;
    report.area_fraction = report.document->area_fraction;
    if (report.document->touches_edge) return verdict(QualityVerdict::kCutOff);
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
    return verdict(QualityVerdict::kGood);
  } catch (const cv::Exception& e) {
    return absl::InternalError(
        absl::StrCat("the quality check failed: ", e.what()));
  }
}

absl::StatusOr<QualityReport> CheckPhotoQualityBytes(
    std::span<const uint8_t> bytes, const QualityOptions& options,
    const DecodeLimits& limits) {
  auto decoded = DecodeImage(bytes, limits, options.work_long_side);
  if (!decoded.ok()) return decoded.status();
  auto report = CheckPhotoQuality(decoded->image, options);
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
