#include "tools/synth/photograph.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "ocr/id_card_layout.h"

namespace cdkv::synth {
namespace {

double Uniform(double lo, double hi, std::mt19937_64& rng) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}

bool Chance(double p, std::mt19937_64& rng) { return Uniform(0, 1, rng) < p; }

// A table or wall: a base colour with low-frequency blotches.
cv::Mat Surface(cv::Size frame, std::mt19937_64& rng) {
  const cv::Scalar base(Uniform(40, 200, rng), Uniform(40, 200, rng),
                        Uniform(40, 200, rng));
  cv::Mat small(6, 8, CV_32FC3);
  for (int y = 0; y < small.rows; ++y) {
    for (int x = 0; x < small.cols; ++x) {
      const double k = Uniform(0.75, 1.2, rng);
      small.at<cv::Vec3f>(y, x) =
          cv::Vec3f(base[0] * k, base[1] * k, base[2] * k);
    }
  }
  cv::Mat big;
  cv::resize(small, big, frame, 0, 0, cv::INTER_CUBIC);
  cv::Mat out;
  big.convertTo(out, CV_8UC3);
  return out;
}

// Gaussian sensor noise from OpenCV's generator, which Photograph seeds
// from ours so that photos stay deterministic.
void AddNoise(cv::Mat& image, double sigma) {
  if (sigma <= 0) return;
  cv::Mat noise(image.size(), CV_16SC3);
  cv::randn(noise, 0, sigma * 1.0);
  cv::Mat widened;
  image.convertTo(widened, CV_16SC3);
  widened += noise;
  widened.convertTo(image, CV_8UC3);
}

void MotionBlur(cv::Mat& image, int length, double angle_deg) {
  if (length < 2) return;
  cv::Mat kernel = cv::Mat::zeros(length, length, CV_32F);
  const double a = angle_deg * std::numbers::pi / 180.0;
  const cv::Point2d c((length - 1) / 2.0, (length - 1) / 2.0);
  const cv::Point2d d(std::cos(a) * (length - 1) / 2.0,
                      std::sin(a) * (length - 1) / 2.0);
  cv::line(kernel, c - d, c + d, cv::Scalar(1.0), 1, cv::LINE_AA);
  kernel /= cv::sum(kernel)[0];
  cv::filter2D(image, image, -1, kernel);
}

// Multiplies the image by a linear light gradient from `dark` to 1, and at
// high levels by a soft shadow over one side.
void UnevenLight(cv::Mat& image, double dark, bool shadow,
                 std::mt19937_64& rng) {
  cv::Mat gain(image.size(), CV_32F);
  const double a = Uniform(0, 2 * std::numbers::pi, rng);
  const double ca = std::cos(a), sa = std::sin(a);
  const double half =
      0.5 * (std::abs(ca) * image.cols + std::abs(sa) * image.rows);
  for (int y = 0; y < image.rows; ++y) {
    float* row = gain.ptr<float>(y);
    for (int x = 0; x < image.cols; ++x) {
      const double t =
          ((x - image.cols / 2.0) * ca + (y - image.rows / 2.0) * sa) / half;
      row[x] = static_cast<float>(1.0 - (1.0 - dark) * (0.5 + 0.5 * t));
    }
  }
  if (shadow) {
    cv::Mat mask = cv::Mat::zeros(image.size(), CV_32F);
    const int cx = static_cast<int>(Uniform(0, image.cols, rng));
    std::vector<cv::Point> poly = {{cx, 0},
                                   {image.cols, 0},
                                   {image.cols, image.rows},
                                   {cx + image.cols / 6, image.rows}};
    cv::fillConvexPoly(mask, poly, cv::Scalar(0.35));
    cv::GaussianBlur(mask, mask, {0, 0}, image.cols / 80.0);
    gain = gain.mul(1.0 - mask);
  }
  cv::Mat f;
  image.convertTo(f, CV_32FC3);
  std::vector<cv::Mat> ch;
  cv::split(f, ch);
  for (cv::Mat& c : ch) c = c.mul(gain);
  cv::merge(ch, f);
  f.convertTo(image, CV_8UC3);
}

}  // namespace

std::string_view DefectName(Defect defect) {
  switch (defect) {
    case Defect::kNone:
      return "none";
    case Defect::kBlur:
      return "blur";
    case Defect::kGlare:
      return "glare";
    case Defect::kCutOff:
      return "cutoff";
    case Defect::kTooSmall:
      return "small";
  }
  return "none";
}

Photo Photograph(const cv::Mat& card, const PhotoOptions& options,
                 std::mt19937_64& rng) {
  const int level = std::clamp(options.level, 0, 3);
  const cv::Size frame = options.frame;
  // Sharpness and noise figures are for a 1600 px photo; a phone photo of
  // the same scene at 4000 px has proportionally wider blur.
  const double px = frame.width / 1600.0;
  cv::setRNGSeed(static_cast<int>(rng() & 0x7FFFFFFF));
  Photo photo;
  photo.image = Surface(frame, rng);

  static constexpr double kWidthLo[] = {0.6, 0.52, 0.48, 0.42};
  static constexpr double kWidthHi[] = {0.75, 0.72, 0.7, 0.65};
  static constexpr double kTilt[] = {0.0, 0.03, 0.06, 0.1};
  static constexpr double kAngle[] = {3, 8, 15, 25};
  double fraction = Uniform(kWidthLo[level], kWidthHi[level], rng);
  if (options.defect == Defect::kTooSmall) fraction = Uniform(0.2, 0.27, rng);
  const double w = fraction * frame.width;
  const double h = w * card.rows / card.cols;

  if (level == 2 && Chance(0.25, rng)) photo.quarter_turns = 2;
  if (level == 3) photo.quarter_turns = static_cast<int>(rng() % 4);
  const double angle =
      Uniform(-kAngle[level], kAngle[level], rng) + 90.0 * photo.quarter_turns;
  const double ra = angle * std::numbers::pi / 180.0;
  std::array<cv::Point2f, 4> q;
  const cv::Point2d corners[4] = {
      {-w / 2, -h / 2}, {w / 2, -h / 2}, {w / 2, h / 2}, {-w / 2, h / 2}};
  for (int i = 0; i < 4; ++i) {
    const cv::Point2d jitter(Uniform(-kTilt[level], kTilt[level], rng) * w,
                             Uniform(-kTilt[level], kTilt[level], rng) * w);
    const cv::Point2d p = corners[i] + jitter;
    q[i] = cv::Point2f(
        static_cast<float>(p.x * std::cos(ra) - p.y * std::sin(ra)),
        static_cast<float>(p.x * std::sin(ra) + p.y * std::cos(ra)));
  }
  // Place the card inside the frame with a margin (or across an edge).
  float minx = q[0].x, maxx = q[0].x, miny = q[0].y, maxy = q[0].y;
  for (const auto& p : q) {
    minx = std::min(minx, p.x), maxx = std::max(maxx, p.x);
    miny = std::min(miny, p.y), maxy = std::max(maxy, p.y);
  }
  const double margin = 0.03 * frame.width;
  // A card turned and tilted may not fit: the photographer steps back.
  const double fit = std::min({1.0, (frame.width - 2 * margin) / (maxx - minx),
                               (frame.height - 2 * margin) / (maxy - miny)});
  if (fit < 1.0) {
    for (auto& p : q) p *= static_cast<float>(fit);
    minx *= static_cast<float>(fit), maxx *= static_cast<float>(fit);
    miny *= static_cast<float>(fit), maxy *= static_cast<float>(fit);
  }
  double ox = Uniform(margin - minx, frame.width - margin - maxx, rng);
  double oy = Uniform(margin - miny, frame.height - margin - maxy, rng);
  if (options.defect == Defect::kCutOff) {
    // Push 15-30% of the card's extent past the left or right edge.
    const double cut = Uniform(0.15, 0.3, rng) * (maxx - minx);
    ox = Chance(0.5, rng) ? -minx - cut : frame.width - maxx + cut;
  }
  for (auto& p : q)
    p += cv::Point2f(static_cast<float>(ox), static_cast<float>(oy));
  photo.quad = q;

  const std::array<cv::Point2f, 4> src = {
      cv::Point2f(0, 0), cv::Point2f(static_cast<float>(card.cols), 0),
      cv::Point2f(static_cast<float>(card.cols), static_cast<float>(card.rows)),
      cv::Point2f(0, static_cast<float>(card.rows))};
  const cv::Mat homography = cv::getPerspectiveTransform(src.data(), q.data());
  cv::warpPerspective(card, photo.image, homography, frame, cv::INTER_AREA,
                      cv::BORDER_TRANSPARENT);

  // The chance is drawn exactly as without hide_qr, so that sets made
  // with and without it start from the same identities and poses.
  bool occlude = options.may_occlude_qr && options.hide_qr;
  if (options.may_occlude_qr && level >= 2 &&
      Chance(level == 3 ? 0.5 : 0.2, rng)) {
    occlude = true;
  }
  if (occlude) {
    // A fingertip over the QR code's centre and one finder pattern.
    const double sx =
        static_cast<double>(card.cols) / ocr::card_layout::kCanonicalSize.width;
    const cv::Rect qr = options.qr_box.value_or(ocr::card_layout::kQr);
    std::vector<cv::Point2f> in = {
        cv::Point2f(static_cast<float>((qr.x + qr.width * 0.5) * sx),
                    static_cast<float>((qr.y + qr.height * 0.5) * sx))};
    std::vector<cv::Point2f> out;
    cv::perspectiveTransform(in, out, homography);
    const double r = qr.width * sx * w / card.cols * 0.38;
    cv::ellipse(photo.image, out[0], cv::Size2d(r, r * 1.6),
                Uniform(0, 180, rng), 0, 360, cv::Scalar(120, 150, 205),
                cv::FILLED, cv::LINE_AA);
    photo.qr_occluded = true;
  }

  static constexpr double kDark[] = {1.0, 0.9, 0.75, 0.6};
  if (level > 0) UnevenLight(photo.image, kDark[level], level == 3, rng);
  if (options.defect == Defect::kGlare) {
    // A lamp's reflection on the laminate: a saturated blob with a halo.
    cv::Mat glare = cv::Mat::zeros(frame, CV_32F);
    const cv::Point2f c =
        (q[0] + q[2]) * 0.5f +
        cv::Point2f(static_cast<float>(Uniform(-0.2, 0.2, rng) * w),
                    static_cast<float>(Uniform(-0.15, 0.15, rng) * h));
    cv::ellipse(
        glare, c,
        cv::Size2d(w * Uniform(0.14, 0.2, rng), h * Uniform(0.14, 0.22, rng)),
        Uniform(0, 180, rng), 0, 360, cv::Scalar(1.0), cv::FILLED);
    cv::GaussianBlur(glare, glare, {0, 0}, w * 0.02);
    cv::Mat f;
    photo.image.convertTo(f, CV_32FC3);
    std::vector<cv::Mat> ch;
    cv::split(f, ch);
    for (cv::Mat& c2 : ch) c2 = c2 + glare * 400.0;
    cv::merge(ch, f);
    f.convertTo(photo.image, CV_8UC3);
  }

  static constexpr double kSigmaLo[] = {0.0, 0.3, 0.6, 0.9};
  static constexpr double kSigmaHi[] = {0.3, 0.8, 1.1, 1.4};
  double sigma = Uniform(kSigmaLo[level], kSigmaHi[level], rng);
  if (options.defect == Defect::kBlur) sigma = Uniform(3.5, 5.0, rng);
  if (sigma * px > 0.25)
    cv::GaussianBlur(photo.image, photo.image, {0, 0}, sigma * px);
  if (level >= 2 && Chance(level == 3 ? 0.5 : 0.3, rng)) {
    MotionBlur(photo.image,
               static_cast<int>(Uniform(3, level == 3 ? 7 : 5, rng) * px),
               Uniform(0, 180, rng));
  }
  static constexpr double kNoise[] = {1.5, 3, 4.5, 6};
  AddNoise(photo.image, kNoise[level]);
  static constexpr int kQuality[] = {92, 88, 80, 72};
  photo.jpeg_quality = kQuality[level];
  return photo;
}

Photo PhotographNothing(const PhotoOptions& options, std::mt19937_64& rng) {
  cv::setRNGSeed(static_cast<int>(rng() & 0x7FFFFFFF));
  Photo photo;
  photo.image = Surface(options.frame, rng);
  // Clutter: a few soft, low-contrast shapes that are not documents.
  for (int i = 0; i < 4; ++i) {
    const cv::Point c(static_cast<int>(Uniform(0, options.frame.width, rng)),
                      static_cast<int>(Uniform(0, options.frame.height, rng)));
    cv::circle(photo.image, c, static_cast<int>(Uniform(20, 200, rng)),
               cv::Scalar(Uniform(30, 220, rng), Uniform(30, 220, rng),
                          Uniform(30, 220, rng)),
               cv::FILLED, cv::LINE_AA);
  }
  cv::GaussianBlur(photo.image, photo.image, {0, 0}, 2.0);
  AddNoise(photo.image, 3.0);
  photo.jpeg_quality = 85;
  return photo;
}

}  // namespace cdkv::synth
