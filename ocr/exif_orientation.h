// EXIF Orientation: phones store photos sideways and record how to turn them.
// OCR needs upright text, so the tag is read from the file and applied after
// decoding.
#ifndef CDKV_OCR_EXIF_ORIENTATION_H_
#define CDKV_OCR_EXIF_ORIENTATION_H_

#include <cstdint>
#include <opencv2/core.hpp>
#include <span>

namespace cdkv::ocr {

// Orientation 1..8 from a TIFF-structured EXIF block (starting "II*\0" or
// "MM\0*"); 1 when absent, malformed or out of range. Every offset is
// bounds-checked, so hostile blocks are safe.
int OrientationFromTiff(std::span<const uint8_t> tiff);

// The same for an EXIF block that may be prefixed with "Exif\0\0", as in a
// JPEG APP1 segment body or (from some writers) a WebP EXIF chunk.
int ParseExifOrientation(std::span<const uint8_t> exif);

// Rotates/flips a decoded image so that EXIF `orientation` becomes upright.
// Values outside 2..8 return the image unchanged.
cv::Mat ApplyExifOrientation(const cv::Mat& image, int orientation);

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_EXIF_ORIENTATION_H_
