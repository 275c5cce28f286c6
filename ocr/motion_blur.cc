#include "ocr/motion_blur.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace cdkv::ocr {
namespace {

// Tiles of 256 px resolve the sinc's first zero for smears of 4-30 px (at
// 64 down to 8.5 cycles per tile) and a page holds a few dozen of them.
constexpr int kTile = 256;
constexpr int kCentre = kTile / 2;
constexpr int kAngleStep = 3;
// The text's spectrum is judged over these radii (cycles per tile); past
// kNoiseFrom only JPEG and sensor noise are left.
constexpr int kFitFrom = 2;
constexpr int kFitTo = 64;
constexpr int kNoiseFrom = 91;
// Fewer radii above the noise than this tell nothing.
constexpr int kMinFitRadii = 8;
// A tile with less grey-level spread than this holds no text.
constexpr double kMinTextSpread = 12.0;
// Wiener blocks: small enough to keep a 12-MP page's filter under 40 MB.
constexpr int kBlock = 1024;
constexpr int kBlockMargin = 64;

double Sinc(double x) {
  if (std::abs(x) < 1e-9) return 1.0;
  const double px = std::numbers::pi * x;
  return std::sin(px) / px;
}

// Bilinear sample of a CV_64F image, 0 outside.
double Sample(const cv::Mat& m, double x, double y) {
  const int x0 = static_cast<int>(std::floor(x));
  const int y0 = static_cast<int>(std::floor(y));
  if (x0 < 0 || y0 < 0 || x0 + 1 >= m.cols || y0 + 1 >= m.rows) return 0;
  const double fx = x - x0;
  const double fy = y - y0;
  const double* r0 = m.ptr<double>(y0);
  const double* r1 = m.ptr<double>(y0 + 1);
  return (r0[x0] * (1 - fx) + r0[x0 + 1] * fx) * (1 - fy) +
         (r1[x0] * (1 - fx) + r1[x0 + 1] * fx) * fy;
}

// The mean power spectrum of the page's text tiles, zero frequency at
// (kCentre, kCentre). Empty when too few tiles hold text.
cv::Mat TextSpectrum(const cv::Mat& gray, const Quad& page,
                     const MotionBlurOptions& options) {
  std::vector<cv::Point2f> outline(page.begin(), page.end());
  const cv::Rect bounds =
      cv::boundingRect(outline) & cv::Rect(0, 0, gray.cols, gray.rows);
  struct Tile {
    cv::Rect rect;
    double spread;
  };
  std::vector<Tile> tiles;
  for (int y = bounds.y; y + kTile <= bounds.br().y; y += kTile / 2) {
    for (int x = bounds.x; x + kTile <= bounds.br().x; x += kTile / 2) {
      const cv::Rect r(x, y, kTile, kTile);
      const std::array<cv::Point2f, 4> corners = {
          cv::Point2f(r.x, r.y), cv::Point2f(r.br().x, r.y),
          cv::Point2f(r.br().x, r.br().y), cv::Point2f(r.x, r.br().y)};
      bool inside = true;
      for (const cv::Point2f& c : corners) {
        inside = inside && cv::pointPolygonTest(outline, c, false) > 0;
      }
      if (!inside) continue;
      cv::Scalar mean, spread;
      cv::meanStdDev(gray(r), mean, spread);
      if (spread[0] >= kMinTextSpread) tiles.push_back({r, spread[0]});
    }
  }
  if (static_cast<int>(tiles.size()) < options.min_tiles) return {};
  std::sort(tiles.begin(), tiles.end(),
            [](const Tile& a, const Tile& b) { return a.spread > b.spread; });
  if (static_cast<int>(tiles.size()) > options.max_tiles) {
    tiles.resize(options.max_tiles);
  }
  cv::Mat window;
  cv::createHanningWindow(window, {kTile, kTile}, CV_64F);
  cv::Mat power = cv::Mat::zeros(kTile, kTile, CV_64F);
  cv::Mat f, spectrum, planes[2], magnitude;
  for (const Tile& t : tiles) {
    gray(t.rect).convertTo(f, CV_64F);
    f -= cv::mean(f)[0];
    f = f.mul(window);
    cv::dft(f, spectrum, cv::DFT_COMPLEX_OUTPUT);
    cv::split(spectrum, planes);
    cv::magnitude(planes[0], planes[1], magnitude);
    power += magnitude.mul(magnitude);
  }
  power /= static_cast<double>(tiles.size());
  // Zero frequency to the centre: swap the quadrants.
  cv::Mat shifted(power.size(), power.type());
  const int h = kCentre;
  power(cv::Rect(0, 0, h, h)).copyTo(shifted(cv::Rect(h, h, h, h)));
  power(cv::Rect(h, h, h, h)).copyTo(shifted(cv::Rect(0, 0, h, h)));
  power(cv::Rect(h, 0, h, h)).copyTo(shifted(cv::Rect(0, h, h, h)));
  power(cv::Rect(0, h, h, h)).copyTo(shifted(cv::Rect(h, 0, h, h)));
  return shifted;
}

// Power along direction `degrees` through the centre, both ways, over a
// band 5 samples wide; index i is radius i + 1.
std::vector<double> Profile(const cv::Mat& power, int degrees) {
  const double t = degrees * std::numbers::pi / 180;
  const double c = std::cos(t);
  const double s = std::sin(t);
  std::vector<double> out;
  for (int r = 1; r < kCentre - 1; ++r) {
    double sum = 0;
    for (int d = -2; d <= 2; ++d) {
      for (int sign : {1, -1}) {
        sum += Sample(power, kCentre + sign * r * c - d * s,
                      kCentre + sign * r * s + d * c);
      }
    }
    out.push_back(sum / 10);
  }
  return out;
}

// Kernel of a straight smear: an anti-aliased segment, drawn 4× finer.
cv::Mat SmearKernel(const MotionBlur& blur) {
  int size = static_cast<int>(blur.length) + 5;
  if (size % 2 == 0) ++size;
  constexpr int kFine = 4;
  cv::Mat fine = cv::Mat::zeros(size * kFine, size * kFine, CV_32F);
  const double t = blur.angle * std::numbers::pi / 180;
  const double half = blur.length * kFine / 2;
  const cv::Point2d centre(size * kFine / 2.0, size * kFine / 2.0);
  const cv::Point2d along(std::cos(t) * half, std::sin(t) * half);
  cv::line(fine, centre - along, centre + along, cv::Scalar(1.0), 2,
           cv::LINE_AA);
  cv::Mat kernel;
  cv::resize(fine, kernel, {size, size}, 0, 0, cv::INTER_AREA);
  const double total = cv::sum(kernel)[0];
  if (total > 0) kernel /= total;
  return kernel;
}

}  // namespace

std::optional<MotionBlur> EstimateMotionBlur(const cv::Mat& gray,
                                             const Quad& page,
                                             const MotionBlurOptions& options) {
  if (gray.empty() || gray.type() != CV_8UC1) return std::nullopt;
  // Corners far off the photo (or not numbers) are no page of it.
  const float reach = 4.0F * static_cast<float>(std::max(gray.cols, gray.rows));
  for (const cv::Point2f& p : page) {
    if (!(std::abs(p.x) <= reach) || !(std::abs(p.y) <= reach)) {
      return std::nullopt;
    }
  }
  const cv::Mat power = TextSpectrum(gray, page, options);
  if (power.empty()) return std::nullopt;
  std::vector<std::vector<double>> profiles;
  std::vector<double> far;
  for (int a = 0; a < 180; a += kAngleStep) {
    profiles.push_back(Profile(power, a));
    far.insert(far.end(), profiles.back().begin() + kNoiseFrom - 1,
               profiles.back().end());
  }
  std::nth_element(far.begin(), far.begin() + far.size() / 2, far.end());
  const double noise = far[far.size() / 2];
  if (!(noise > 0)) return std::nullopt;
  // Across a smear the text keeps its spectrum; along it the same spectrum
  // times sinc², down to the noise. Each direction is fitted that way and
  // the one the smear explains best wins: the direction with the least
  // power alone may be the text's own (lines of print are not round).
  auto error = [&](const std::vector<double>& smeared,
                   const std::vector<double>& across, double length) {
    double sum = 0;
    int n = 0;
    for (int r = kFitFrom; r <= kFitTo; ++r) {
      if (across[r - 1] <= 3 * noise) continue;
      const double s = Sinc(length * r / kTile);
      const double predicted =
          std::max(across[r - 1] - noise, 0.0) * s * s + noise;
      const double d = std::log(predicted) - std::log(smeared[r - 1]);
      sum += d * d;
      ++n;
    }
    return n >= kMinFitRadii ? sum / n : 0.0;
  };
  MotionBlur best;
  for (size_t along = 0; along < profiles.size(); ++along) {
    const std::vector<double>& smeared = profiles[along];
    const std::vector<double>& across =
        profiles[(along + profiles.size() / 2) % profiles.size()];
    const double none = error(smeared, across, 0);
    for (double length = 0.5; length <= options.max_length; length += 0.5) {
      const double gain = none - error(smeared, across, length);
      if (gain > best.evidence) {
        best.evidence = gain;
        best.length = length;
        best.angle = static_cast<double>(along) * kAngleStep;
      }
    }
  }
  if (best.length < options.min_length ||
      best.evidence < options.min_evidence) {
    return std::nullopt;
  }
  return best;
}

void RemoveMotionBlur(cv::Mat& gray, const cv::Rect& region,
                      const MotionBlur& blur,
                      const MotionBlurOptions& options) {
  if (gray.empty() || gray.type() != CV_8UC1) return;
  if (!(blur.length > 0) || blur.length > options.max_length ||
      !std::isfinite(blur.angle)) {
    return;
  }
  const cv::Rect area = region & cv::Rect(0, 0, gray.cols, gray.rows);
  if (area.empty()) return;
  const cv::Mat kernel = SmearKernel(blur);
  // Each block is filtered with a margin read around it (reflected at the
  // photo's edges) and only its inside written back, so the blocks meet
  // without seams; the source is a copy, so no block reads another's output.
  const cv::Mat source = gray(area).clone();
  cv::Mat padded;
  cv::copyMakeBorder(source, padded, kBlockMargin, kBlockMargin, kBlockMargin,
                     kBlockMargin, cv::BORDER_REFLECT);
  const int side = cv::getOptimalDFTSize(kBlock + 2 * kBlockMargin);
  cv::Mat kernel_spectrum;
  {
    cv::Mat k = cv::Mat::zeros(side, side, CV_32F);
    const int c = kernel.rows / 2;
    // Centre at (0, 0), wrapping around, so the filter does not shift.
    for (int y = 0; y < kernel.rows; ++y) {
      for (int x = 0; x < kernel.cols; ++x) {
        k.at<float>((y - c + side) % side, (x - c + side) % side) =
            kernel.at<float>(y, x);
      }
    }
    cv::dft(k, kernel_spectrum, cv::DFT_COMPLEX_OUTPUT);
  }
  // Wiener: conj(H) / (|H|² + K), once for all blocks.
  cv::Mat filter(kernel_spectrum.size(), CV_32FC2);
  for (int y = 0; y < side; ++y) {
    const cv::Vec2f* h = kernel_spectrum.ptr<cv::Vec2f>(y);
    cv::Vec2f* w = filter.ptr<cv::Vec2f>(y);
    for (int x = 0; x < side; ++x) {
      const float d = h[x][0] * h[x][0] + h[x][1] * h[x][1] +
                      static_cast<float>(options.noise_to_signal);
      w[x] = cv::Vec2f(h[x][0] / d, -h[x][1] / d);
    }
  }
  cv::Mat block, spectrum, restored;
  for (int y = 0; y < area.height; y += kBlock) {
    for (int x = 0; x < area.width; x += kBlock) {
      const int w = std::min(kBlock, area.width - x);
      const int h = std::min(kBlock, area.height - y);
      block = cv::Mat::zeros(side, side, CV_32F);
      const cv::Rect from(x, y, w + 2 * kBlockMargin, h + 2 * kBlockMargin);
      padded(from).convertTo(block(cv::Rect(0, 0, from.width, from.height)),
                             CV_32F);
      cv::dft(block, spectrum, cv::DFT_COMPLEX_OUTPUT);
      cv::mulSpectrums(spectrum, filter, spectrum, 0);
      cv::idft(spectrum, restored, cv::DFT_SCALE | cv::DFT_REAL_OUTPUT);
      restored(cv::Rect(kBlockMargin, kBlockMargin, w, h))
          .convertTo(gray(cv::Rect(area.x + x, area.y + y, w, h)), CV_8U);
    }
  }
}

}  // namespace cdkv::ocr
