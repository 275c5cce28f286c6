#ifndef CDKV_TESTS_WORKERS_QR_PHOTO_H_
#define CDKV_TESTS_WORKERS_QR_PHOTO_H_

#include <string>

namespace cdkv::workers {

inline constexpr char kCardPayload[] =
    "087090001234||Nguyễn Văn An|01021990|Nam|"
    "Ấp 1, xã Tân Mỹ, huyện Lấp Vò, Đồng Tháp|15082021";

// A PNG "photo": a grey background with the QR code of `payload` (UTF-8)
// drawn at (kQrLeft, kQrTop), kModulePixels per module.
inline constexpr int kQrLeft = 200;
inline constexpr int kQrTop = 150;
inline constexpr int kModulePixels = 6;
std::string QrPhotoPng(const std::string& payload);

}  // namespace cdkv::workers

#endif  // CDKV_TESTS_WORKERS_QR_PHOTO_H_
