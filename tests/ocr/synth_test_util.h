// Synthetic ID card photos for the OCR tests, made in memory with the
// cdkv-synth library so each test states the conditions it needs.
#ifndef CDKV_TESTS_OCR_SYNTH_TEST_UTIL_H_
#define CDKV_TESTS_OCR_SYNTH_TEST_UTIL_H_

#include <cstdint>
#include <vector>

#include "tools/synth/identity.h"
#include "tools/synth/page_render.h"
#include "tools/synth/photograph.h"

namespace cdkv::ocr::testing {

// kFront and kBack are the 2021 chip card's sides.
enum class Side {
  kFront,
  kBack,
  kNothing,
  kFront2024,
  kBack2024,
  kFront2016,
  kBack2016
};

struct SynthPhoto {
  synth::Identity identity;
  synth::Photo photo;
};

// `hide_qr` puts a finger over the QR code of a side that has one.
SynthPhoto MakePhoto(Side side, int level, uint64_t seed,
                     synth::Defect defect = synth::Defect::kNone,
                     int width = 1600, bool hide_qr = false);

// A paper page of `kind` photographed in a portrait frame `width` wide
// (`width` × 4/3 tall), as cdkv-synth makes it.
synth::Photo MakePagePhoto(synth::PageKind kind, int level, uint64_t seed,
                           synth::Defect defect = synth::Defect::kNone,
                           int width = 1200);

// JPEG bytes at the photo's phone quality.
std::vector<uint8_t> Jpeg(const synth::Photo& photo);

}  // namespace cdkv::ocr::testing

#endif  // CDKV_TESTS_OCR_SYNTH_TEST_UTIL_H_
