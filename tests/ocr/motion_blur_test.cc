#include "ocr/motion_blur.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <opencv2/imgproc.hpp>
#include <random>
#include <string>

namespace cdkv::ocr {
namespace {

constexpr int kWidth = 1400;
constexpr int kHeight = 1800;

// A page of dark print on light paper: 48 lines of random words, each about
// 22 px high, as a page filling a fifth of a 12-MP photo holds them, level
// (the lines' own spectrum is the hardest to tell from a smear).
cv::Mat TextPage(uint64_t seed) {
  std::mt19937_64 rng(seed);
  cv::Mat page(kHeight, kWidth, CV_8UC1, cv::Scalar(225));
  const std::string letters =
      "ABCDEGHIKLMNOPQRSTUVXYabcdeghiklmnopqrstuvxy0123456789";
  for (int y = 70; y < kHeight - 50; y += 35) {
    std::string line;
    for (int i = 0; i < 60; ++i) {
      line += (rng() % 7 == 0) ? ' ' : letters[rng() % letters.size()];
    }
    cv::putText(page, line, {60, y}, cv::FONT_HERSHEY_SIMPLEX, 0.9,
                cv::Scalar(40), 2, cv::LINE_AA);
  }
  return page;
}

// A straight smear drawn independently of the code under test: a segment
// on a fine grid, brought down to pixels.
cv::Mat Smear(const cv::Mat& sharp, double length, double degrees) {
  const int size = 2 * static_cast<int>(length) + 9;
  cv::Mat fine = cv::Mat::zeros(size * 8, size * 8, CV_32F);
  const double t = degrees * CV_PI / 180;
  const cv::Point2d c(size * 4.0, size * 4.0);
  const cv::Point2d d(std::cos(t) * length * 4, std::sin(t) * length * 4);
  cv::line(fine, c - d, c + d, cv::Scalar(1.0), 3, cv::LINE_AA);
  cv::Mat kernel;
  cv::resize(fine, kernel, {size, size}, 0, 0, cv::INTER_AREA);
  kernel /= cv::sum(kernel)[0];
  cv::Mat out;
  cv::filter2D(sharp, out, -1, kernel, {-1, -1}, 0, cv::BORDER_REFLECT);
  return out;
}

cv::Mat WithNoise(const cv::Mat& image, double sigma, uint64_t seed) {
  cv::theRNG().state = seed;
  cv::Mat noise(image.size(), CV_16S);
  cv::randn(noise, 0, sigma);
  cv::Mat out;
  cv::add(image, noise, out, cv::noArray(), CV_8U);
  return out;
}

const Quad kWholePage = {cv::Point2f(20, 20), cv::Point2f(kWidth - 20, 20),
                         cv::Point2f(kWidth - 20, kHeight - 20),
                         cv::Point2f(20, kHeight - 20)};

double AngleApart(double a, double b) {
  const double d = std::fmod(std::abs(a - b), 180.0);
  return std::min(d, 180.0 - d);
}

TEST_CASE("A straight smear's length and direction are read from the text",
          "[ocr][motion]") {
  const cv::Mat sharp = TextPage(7);
  struct Case {
    double length;
    double angle;
  };
  for (const Case c :
       {Case{8, 0}, Case{12, 30}, Case{10, 90}, Case{14, 135}, Case{8, 160}}) {
    INFO("length " << c.length << " angle " << c.angle);
    const cv::Mat photo = WithNoise(Smear(sharp, c.length, c.angle), 4, 11);
    const std::optional<MotionBlur> blur =
        EstimateMotionBlur(photo, kWholePage);
    REQUIRE(blur.has_value());
    CHECK(std::abs(blur->length - c.length) <= 2.0);
    CHECK(AngleApart(blur->angle, c.angle) <= 7.0);
    CHECK(blur->evidence >= MotionBlurOptions{}.min_evidence);
  }
}

TEST_CASE("Sharp and evenly defocused pages have no smear to undo",
          "[ocr][motion]") {
  const cv::Mat sharp = TextPage(8);
  CHECK_FALSE(EstimateMotionBlur(WithNoise(sharp, 4, 1), kWholePage));
  cv::Mat defocused;
  cv::GaussianBlur(sharp, defocused, {0, 0}, 2.5);
  CHECK_FALSE(EstimateMotionBlur(WithNoise(defocused, 4, 2), kWholePage));
  // A smear shorter than the options' minimum is left to the reader.
  CHECK_FALSE(
      EstimateMotionBlur(WithNoise(Smear(sharp, 2, 45), 4, 3), kWholePage));
}

TEST_CASE("Undoing the smear brings the page back towards the sharp one",
          "[ocr][motion]") {
  const cv::Mat sharp = TextPage(9);
  const cv::Mat photo = WithNoise(Smear(sharp, 12, 20), 4, 5);
  const std::optional<MotionBlur> blur = EstimateMotionBlur(photo, kWholePage);
  REQUIRE(blur.has_value());
  cv::Mat restored = photo.clone();
  const cv::Rect inner(100, 100, 1000, 1400);
  RemoveMotionBlur(restored, inner, *blur);
  // Likeness to the sharp page (correlation: the filter lifts the noise a
  // little, which a pixel difference would count against it).
  auto likeness = [&](const cv::Mat& image) {
    cv::Mat score;
    cv::matchTemplate(image(inner), sharp(inner), score, cv::TM_CCOEFF_NORMED);
    return score.at<float>(0, 0);
  };
  CHECK(likeness(restored) > likeness(photo) + 0.1);
  // Outside the region nothing changed.
  cv::Mat outside = cv::Mat::ones(photo.size(), CV_8U);
  outside(inner).setTo(0);
  CHECK(cv::norm(restored, photo, cv::NORM_INF, outside) == 0);
}

TEST_CASE("A page with too little text is not judged", "[ocr][motion]") {
  const cv::Mat blank =
      WithNoise(cv::Mat(kHeight, kWidth, CV_8UC1, cv::Scalar(225)), 2, 4);
  CHECK_FALSE(EstimateMotionBlur(blank, kWholePage));
  // A page smaller than a few of the measuring tiles.
  const cv::Mat small = Smear(TextPage(10), 10, 0)(cv::Rect(0, 0, 300, 300));
  const Quad tiny = {cv::Point2f(0, 0), cv::Point2f(300, 0),
                     cv::Point2f(300, 300), cv::Point2f(0, 300)};
  CHECK_FALSE(EstimateMotionBlur(small, tiny));
}

TEST_CASE("Hostile images, corners and smears change nothing and crash nothing",
          "[ocr][motion]") {
  const cv::Mat page = Smear(TextPage(11), 10, 60);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  CHECK_FALSE(EstimateMotionBlur(cv::Mat(), kWholePage));
  cv::Mat colour;
  cv::cvtColor(page, colour, cv::COLOR_GRAY2BGR);
  CHECK_FALSE(EstimateMotionBlur(colour, kWholePage));
  cv::Mat deep;
  page.convertTo(deep, CV_16U);
  CHECK_FALSE(EstimateMotionBlur(deep, kWholePage));
  for (const Quad& q :
       {Quad{cv::Point2f(nan, 0), cv::Point2f(100, 0), cv::Point2f(100, 100),
             cv::Point2f(0, 100)},
        Quad{cv::Point2f(0, 0), cv::Point2f(inf, 0), cv::Point2f(100, 100),
             cv::Point2f(0, 100)},
        Quad{cv::Point2f(-1e30F, -1e30F), cv::Point2f(1e30F, -1e30F),
             cv::Point2f(1e30F, 1e30F), cv::Point2f(-1e30F, 1e30F)},
        Quad{cv::Point2f(5000, 5000), cv::Point2f(9000, 5000),
             cv::Point2f(9000, 9000), cv::Point2f(5000, 9000)},
        Quad{cv::Point2f(50, 50), cv::Point2f(50, 50), cv::Point2f(50, 50),
             cv::Point2f(50, 50)}}) {
    CHECK_FALSE(EstimateMotionBlur(page, q));
  }
  const cv::Rect all(0, 0, page.cols, page.rows);
  for (const MotionBlur& b : {MotionBlur{0, 30, 1}, MotionBlur{-5, 30, 1},
                              MotionBlur{1e12, 30, 1}, MotionBlur{nan, 30, 1},
                              MotionBlur{10, nan, 1}, MotionBlur{10, inf, 1}}) {
    cv::Mat copy = page.clone();
    RemoveMotionBlur(copy, all, b);
    CHECK(cv::norm(copy, page, cv::NORM_INF) == 0);
  }
  cv::Mat copy = page.clone();
  RemoveMotionBlur(copy, cv::Rect(5000, 5000, 100, 100), MotionBlur{10, 0, 1});
  RemoveMotionBlur(copy, cv::Rect(-100, -100, 50, 50), MotionBlur{10, 0, 1});
  CHECK(cv::norm(copy, page, cv::NORM_INF) == 0);
  cv::Mat empty;
  RemoveMotionBlur(empty, all, MotionBlur{10, 0, 1});
  CHECK(empty.empty());
  // A region partly off the image is clipped to it.
  RemoveMotionBlur(copy, cv::Rect(-100, -100, 400, 400), MotionBlur{10, 60, 1});
  CHECK(cv::norm(copy(cv::Rect(300, 300, 500, 500)),
                 page(cv::Rect(300, 300, 500, 500)), cv::NORM_INF) == 0);
}

}  // namespace
}  // namespace cdkv::ocr
