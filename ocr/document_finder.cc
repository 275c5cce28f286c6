#include "ocr/document_finder.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <opencv2/imgproc.hpp>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ocr/id_card_layout.h"

namespace cdkv::ocr {
namespace {

// Cards are 85.6 / 54 = 1.585, A4 and A5 pages 1.414. A phone held 30-40
// degrees off the document's axis shortens one side by a quarter or more: a
// card then measures up to 1.585 / 0.7 = 2.26 and a page down to
// 1.414 x 0.75 = 1.06. Beyond these the outline is not a card or a page.
constexpr double kMinAspect = 1.05;
constexpr double kMaxAspect = 2.35;
// Between the two shapes' aspects.
constexpr double kShapeSplit = 1.5;
// An outline whose convex hull fills less of its bounding rotated rectangle
// than this is not a flat rectangular document.
constexpr double kMinRectangularity = 0.85;

double Length(cv::Point2f a, cv::Point2f b) { return cv::norm(a - b); }

// Orders four points top-left, top-right, bottom-right, bottom-left (by
// angle around the centroid, then starting from the one nearest the image
// origin's direction), then makes the first edge a long one.
Quad OrderCorners(std::vector<cv::Point2f> pts) {
  cv::Point2f c(0, 0);
  for (const auto& p : pts) c += p;
  c *= 0.25f;
  std::sort(pts.begin(), pts.end(), [&](cv::Point2f a, cv::Point2f b) {
    return std::atan2(a.y - c.y, a.x - c.x) < std::atan2(b.y - c.y, b.x - c.x);
  });
  // Clockwise on screen from angle -pi; start at the smallest x + y.
  int start = 0;
  for (int i = 1; i < 4; ++i) {
    if (pts[i].x + pts[i].y < pts[start].x + pts[start].y) start = i;
  }
  Quad q;
  for (int i = 0; i < 4; ++i) q[i] = pts[(start + i) % 4];
  const double top = Length(q[0], q[1]) + Length(q[2], q[3]);
  const double side = Length(q[1], q[2]) + Length(q[3], q[0]);
  if (side > top) q = TurnQuad(q, 1);
  return q;
}

double QuadArea(const Quad& q) {
  std::vector<cv::Point2f> v(q.begin(), q.end());
  return std::abs(cv::contourArea(v));
}

double QuadAspect(const Quad& q) {
  const double top = Length(q[0], q[1]) + Length(q[2], q[3]);
  const double side = Length(q[1], q[2]) + Length(q[3], q[0]);
  return side > 0 ? top / side : 0;
}

std::optional<cv::Point2f> Intersect(cv::Point2f a1, cv::Point2f a2,
                                     cv::Point2f b1, cv::Point2f b2) {
  const cv::Point2f da = a2 - a1, db = b2 - b1;
  const float cross = da.x * db.y - da.y * db.x;
  if (std::abs(cross) <
      1e-3f * static_cast<float>(cv::norm(da) * cv::norm(db))) {
    return std::nullopt;
  }
  const cv::Point2f d = b1 - a1;
  const float t = (d.x * db.y - d.y * db.x) / cross;
  return a1 + t * da;
}

// A card held by a thumb that crosses its edge has an outline with a bump:
// five to eight vertices. Its four longest sides are still the card's; their
// intersections are its corners.
std::optional<std::array<cv::Point2f, 4>> FromLongestSides(
    const std::vector<cv::Point>& polygon, double hull_area) {
  const size_t n = polygon.size();
  if (n < 5 || n > 8) return std::nullopt;
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  auto length = [&](size_t i) {
    return cv::norm(polygon[(i + 1) % n] - polygon[i]);
  };
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return length(a) > length(b); });
  order.resize(4);
  std::sort(order.begin(), order.end());
  std::array<cv::Point2f, 4> corners;
  for (size_t k = 0; k < 4; ++k) {
    const size_t a = order[k], b = order[(k + 1) % 4];
    auto p = Intersect(polygon[a], polygon[(a + 1) % n], polygon[b],
                       polygon[(b + 1) % n]);
    if (!p.has_value()) return std::nullopt;
    corners[(k + 1) % 4] = *p;
  }
  std::vector<cv::Point2f> v(corners.begin(), corners.end());
  if (!cv::isContourConvex(v)) return std::nullopt;
  // The corners must outline about the same area as the hull did.
  const double area = std::abs(cv::contourArea(v));
  if (area < 0.8 * hull_area || area > 1.2 * hull_area) return std::nullopt;
  return corners;
}

// Distance of `p` from the line through `a` with unit direction `dir`.
double LineDistance(cv::Point2f p, cv::Point2f a, cv::Point2f dir) {
  const cv::Point2f d = p - a;
  return std::abs(d.x * dir.y - d.y * dir.x);
}

// A finger over a corner (holding the card, covering the QR) bulges the
// outline there, and the four-vertex approximation puts the corner on the
// fingertip, tens of pixels off. Each side is refitted to the longest
// straight run of outline points along it (a consensus of pairs, so the
// bulge's points do not pull the line) and the corners become the refitted
// sides' intersections.
Quad RefineSides(const Quad& q, const std::vector<cv::Point>& contour) {
  std::array<std::pair<cv::Point2f, cv::Point2f>, 4> lines;  // Point, dir.
  for (int i = 0; i < 4; ++i) {
    const cv::Point2f a = q[i], b = q[(i + 1) % 4];
    const double len = Length(a, b);
    if (len < 8) return q;
    const cv::Point2f dir = (b - a) * static_cast<float>(1.0 / len);
    const double band = std::max(3.0, 0.08 * len);
    std::vector<cv::Point2f> near;
    for (const cv::Point& c : contour) {
      const cv::Point2f p(c);
      const double t = (p - a).dot(dir) / len;
      if (t > 0.03 && t < 0.97 && LineDistance(p, a, dir) < band) {
        near.push_back(p);
      }
    }
    lines[i] = {a, dir};
    if (static_cast<double>(near.size()) < 0.25 * len) continue;
    // Candidate lines through pairs of a fixed subsample; the one most
    // points lie within 1.5 px of wins.
    constexpr size_t kSamples = 24;
    constexpr double kInlier = 1.5;
    const size_t stride = std::max<size_t>(1, near.size() / kSamples);
    size_t best_count = 0;
    std::pair<cv::Point2f, cv::Point2f> best = lines[i];
    for (size_t x = 0; x < near.size(); x += stride) {
      for (size_t y = x + stride; y < near.size(); y += stride) {
        const cv::Point2f d = near[y] - near[x];
        const double n = cv::norm(d);
        if (n < 0.2 * len) continue;
        const cv::Point2f u = d * static_cast<float>(1.0 / n);
        size_t count = 0;
        for (const cv::Point2f& p : near) {
          if (LineDistance(p, near[x], u) < kInlier) ++count;
        }
        if (count > best_count) best_count = count, best = {near[x], u};
      }
    }
    if (static_cast<double>(best_count) < 0.2 * len) continue;
    std::vector<cv::Point2f> inliers;
    for (const cv::Point2f& p : near) {
      if (LineDistance(p, best.first, best.second) < kInlier) {
        inliers.push_back(p);
      }
    }
    cv::Vec4f fit;
    cv::fitLine(inliers, fit, cv::DIST_L2, 0, 0.01, 0.01);
    lines[i] = {cv::Point2f(fit[2], fit[3]), cv::Point2f(fit[0], fit[1])};
  }
  Quad out;
  double shortest = 1e18;
  for (int i = 0; i < 4; ++i) {
    shortest = std::min(shortest, Length(q[i], q[(i + 1) % 4]));
  }
  for (int i = 0; i < 4; ++i) {
    const auto& prev = lines[(i + 3) % 4];
    const auto& next = lines[i];
    auto p = Intersect(prev.first, prev.first + prev.second, next.first,
                       next.first + next.second);
    // A refit that moves a corner further than a bulge could is a
    // misfit (a side hidden too much to fit); keep the outline's corner.
    if (!p.has_value() || Length(*p, q[i]) > 0.15 * shortest) return q;
    out[i] = *p;
  }
  std::vector<cv::Point2f> v(out.begin(), out.end());
  if (!cv::isContourConvex(v)) return q;
  return out;
}

// How many corners lie on the frame's edge (within a couple of work-scale
// pixels) or beyond it. A document the edge cuts has two there: its outline
// runs along the edge between them.
int CornersOnEdge(const Quad& quad, cv::Size frame) {
  constexpr float kMargin = 2.0f;
  int n = 0;
  for (const auto& p : quad) {
    if (p.x <= kMargin || p.y <= kMargin || p.x >= frame.width - 1 - kMargin ||
        p.y >= frame.height - 1 - kMargin) {
      ++n;
    }
  }
  return n;
}

// Whether every point of `outline` lies within a small share of the quad's
// size from one of its sides. A paper's outline does, even where the frame
// edge cuts it; a round blob that four vertices happen to approximate does
// not (its arcs bulge off the chords).
bool HugsSides(const std::vector<cv::Point>& outline, const Quad& q) {
  constexpr double kMaxOffSide = 0.03;
  const double tolerance = kMaxOffSide * std::sqrt(QuadArea(q));
  for (const cv::Point& point : outline) {
    const cv::Point2f p(point);
    double nearest = std::numeric_limits<double>::max();
    for (int i = 0; i < 4; ++i) {
      const cv::Point2f a = q[i], b = q[(i + 1) % 4];
      const double length = Length(a, b);
      if (length < 1e-6) continue;
      const cv::Point2f dir = (b - a) * static_cast<float>(1.0 / length);
      nearest = std::min(nearest, LineDistance(p, a, dir));
    }
    if (nearest > tolerance) return false;
  }
  return true;
}

}  // namespace

Quad TurnQuad(const Quad& quad, int quarter_turns) {
  const int k = ((quarter_turns % 4) + 4) % 4;
  Quad out;
  for (int i = 0; i < 4; ++i) out[i] = quad[(i + k) % 4];
  return out;
}

absl::StatusOr<std::optional<FoundDocument>> FindDocument(
    const cv::Mat& photo, const FinderOptions& options) {
  if (photo.empty()) return absl::InvalidArgumentError("the photo is empty");
  if (photo.depth() != CV_8U ||
      (photo.channels() != 1 && photo.channels() != 3)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "document finding needs an 8-bit grey or BGR photo; got type ",
        cv::typeToString(photo.type())));
  }
  try {
    const double scale =
        std::min(1.0, static_cast<double>(options.work_long_side) /
                          std::max(photo.cols, photo.rows));
    cv::Mat small;
    cv::resize(photo, small, {}, scale, scale, cv::INTER_AREA);
    // Edges in every colour channel: a pale card on a pale table of another
    // hue has almost no edge in grey.
    std::vector<cv::Mat> channels;
    cv::split(small, channels);
    cv::Mat edges = cv::Mat::zeros(small.size(), CV_8U);
    for (cv::Mat& channel : channels) {
      cv::GaussianBlur(channel, channel, {5, 5}, 0);
      cv::Mat e;
      // Low thresholds: the largest-quad rule discards the clutter this
      // lets in.
      cv::Canny(channel, e, 20, 60);
      edges |= e;
    }
    cv::dilate(edges, edges, cv::getStructuringElement(cv::MORPH_RECT, {3, 3}));
    // Clear the outermost ring so that a document cut by the frame edge
    // leaves an open outline; its convex hull then runs along the edge and
    // the corners there mark it as cut off.
    cv::rectangle(edges, cv::Rect(0, 0, edges.cols, edges.rows), cv::Scalar(0),
                  1);
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(edges, contours, cv::RETR_LIST, cv::CHAIN_APPROX_NONE);

    const double frame_area = static_cast<double>(small.cols) * small.rows;
    std::optional<FoundDocument> best;
    for (const auto& contour : contours) {
      // Open outlines (a cut-off card) enclose no area themselves; their
      // hull does.
      if (cv::boundingRect(contour).area() <
          options.min_area_fraction * frame_area) {
        continue;
      }
      std::vector<cv::Point> hull;
      cv::convexHull(contour, hull);
      const double hull_area = cv::contourArea(hull);
      if (hull_area < options.min_area_fraction * frame_area) continue;
      std::vector<cv::Point> approx;
      cv::approxPolyDP(hull, approx, 0.02 * cv::arcLength(hull, true), true);
      std::vector<cv::Point2f> corners;
      bool straight_sided = true;
      if (approx.size() == 4) {
        for (const auto& p : approx) corners.emplace_back(p);
      } else if (auto sides = FromLongestSides(approx, hull_area);
                 sides.has_value()) {
        corners.assign(sides->begin(), sides->end());
      } else {
        // Rounded or clipped corners: fall back to the enclosing rotated
        // rectangle if the outline fills it.
        straight_sided = false;
        const cv::RotatedRect box = cv::minAreaRect(hull);
        if (hull_area < kMinRectangularity * box.size.area()) continue;
        cv::Point2f p[4];
        box.points(p);
        corners.assign(p, p + 4);
      }
      Quad q = OrderCorners(corners);
      const double aspect = QuadAspect(q);
      if ((aspect < kMinAspect || aspect > kMaxAspect) &&
          !(options.accept_cut_off && straight_sided && aspect <= kMaxAspect &&
            CornersOnEdge(q, small.size()) >= 2 && HugsSides(hull, q))) {
        continue;
      }
      const double area = QuadArea(q);
      if (best.has_value() && area <= best->area_fraction * frame_area) {
        continue;
      }
      FoundDocument doc;
      doc.quad = RefineSides(q, contour);
      doc.area_fraction = area / frame_area;
      doc.shape = options.expect.value_or(
          aspect > kShapeSplit ? DocumentShape::kIdCard : DocumentShape::kPage);
      best = doc;
    }
    if (!best.has_value()) return std::optional<FoundDocument>();
    best->touches_edge = CornersOnEdge(best->quad, small.size()) > 0;
    const float inv = static_cast<float>(1.0 / scale);
    for (auto& p : best->quad) p *= inv;
    if (best->shape == DocumentShape::kPage) {
      // Pages are read portrait: undo OrderCorners' long-edge-first turn, so
      // an upright page starts at its top-left corner.
      best->quad = TurnQuad(best->quad, 3);
    }
    return best;
  } catch (const cv::Exception& e) {
    return absl::InternalError(
        absl::StrCat("document finding failed: ", e.what()));
  }
}

absl::StatusOr<cv::Mat> Rectify(const cv::Mat& photo, const Quad& quad,
                                cv::Size size) {
  if (photo.empty() || size.width <= 0 || size.height <= 0) {
    return absl::InvalidArgumentError("nothing to rectify");
  }
  if (QuadArea(quad) < 16.0) {
    return absl::InvalidArgumentError(
        "the document outline is degenerate (no area)");
  }
  try {
    const std::array<cv::Point2f, 4> dst = {
        cv::Point2f(0, 0), cv::Point2f(static_cast<float>(size.width), 0),
        cv::Point2f(static_cast<float>(size.width),
                    static_cast<float>(size.height)),
        cv::Point2f(0, static_cast<float>(size.height))};
    const cv::Mat h = cv::getPerspectiveTransform(quad.data(), dst.data());
    cv::Mat out;
    cv::warpPerspective(photo, out, h, size, cv::INTER_AREA,
                        cv::BORDER_REPLICATE);
    return out;
  } catch (const cv::Exception& e) {
    return absl::InternalError(absl::StrCat("rectifying failed: ", e.what()));
  }
}

Quad MapToPhoto(const Quad& quad, cv::Size rectified_size,
                const cv::Rect& box) {
  const std::array<cv::Point2f, 4> src = {
      cv::Point2f(0, 0),
      cv::Point2f(static_cast<float>(rectified_size.width), 0),
      cv::Point2f(static_cast<float>(rectified_size.width),
                  static_cast<float>(rectified_size.height)),
      cv::Point2f(0, static_cast<float>(rectified_size.height))};
  const cv::Mat h = cv::getPerspectiveTransform(src.data(), quad.data());
  std::vector<cv::Point2f> in = {
      cv::Point2f(static_cast<float>(box.x), static_cast<float>(box.y)),
      cv::Point2f(static_cast<float>(box.br().x), static_cast<float>(box.y)),
      cv::Point2f(static_cast<float>(box.br().x),
                  static_cast<float>(box.br().y)),
      cv::Point2f(static_cast<float>(box.x), static_cast<float>(box.br().y))};
  std::vector<cv::Point2f> out;
  cv::perspectiveTransform(in, out, h);
  return {out[0], out[1], out[2], out[3]};
}

Quad CardQuadFromQr(const std::array<cv::Point2f, 4>& qr_corners) {
  return CardQuadFromQr(qr_corners, card_layout::kQr);
}

Quad CardQuadFromQr(const std::array<cv::Point2f, 4>& qr_corners,
                    const cv::Rect& qr_box) {
  // The symbol fills the layout's QR box less its quiet zone (about 3% of
  // the box on each side for a version-10 code with a 2-module margin).
  const cv::Rect2f box(qr_box);
  const float inset = box.width * 0.03f;
  const std::array<cv::Point2f, 4> symbol = {
      cv::Point2f(box.x + inset, box.y + inset),
      cv::Point2f(box.x + box.width - inset, box.y + inset),
      cv::Point2f(box.x + box.width - inset, box.y + box.height - inset),
      cv::Point2f(box.x + inset, box.y + box.height - inset)};
  const cv::Mat h =
      cv::getPerspectiveTransform(symbol.data(), qr_corners.data());
  const float w = static_cast<float>(card_layout::kCanonicalSize.width);
  const float hh = static_cast<float>(card_layout::kCanonicalSize.height);
  std::vector<cv::Point2f> in = {{0, 0}, {w, 0}, {w, hh}, {0, hh}};
  std::vector<cv::Point2f> out;
  cv::perspectiveTransform(in, out, h);
  return {out[0], out[1], out[2], out[3]};
}

}  // namespace cdkv::ocr
