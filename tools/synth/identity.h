// Random but valid Vietnamese citizens for synthetic ID cards: real province
// codes, century/sex digits consistent with the birth date, real dates,
// common names, and the card's QR payload and TD1 MRZ derived from them.
#ifndef CDKV_TOOLS_SYNTH_IDENTITY_H_
#define CDKV_TOOLS_SYNTH_IDENTITY_H_

#include <array>
#include <random>
#include <string>

#include "ocr/dates.h"
#include "ocr/id_number.h"

namespace cdkv::synth {

struct Identity {
  std::string id;          // 12 digits, PPP G YY NNNNNN.
  std::string old_id;      // 9-digit CMND, or empty.
  std::string full_name;   // NFC, as in the QR ("Nguyễn Văn An").
  std::string name_upper;  // NFC, as printed ("NGUYỄN VĂN AN").
  ocr::Date birth_date;
  ocr::Sex sex = ocr::Sex::kMale;
  std::string hometown;   // Quê quán.
  std::string residence;  // Nơi thường trú.
  ocr::Date issue_date;
  ocr::Date expiry_date;
};

// Deterministic for a given generator state.
Identity RandomIdentity(std::mt19937_64& rng);

// "ID|old ID|name|DDMMYYYY|Nam/Nữ|residence|DDMMYYYY issue".
std::string QrPayload(const Identity& identity);

// The 2024 card's payload: the same fields, then the empty trailing fields
// those cards carry ("...|DDMMYYYY issue||").
std::string QrPayload2024(const Identity& identity);

// "Nam" or "Nữ".
std::string SexWord(ocr::Sex sex);

// The card back's TD1 MRZ in the Vietnamese layout ocr/mrz.h documents.
std::array<std::string, 3> MrzLines(const Identity& identity);

}  // namespace cdkv::synth

#endif  // CDKV_TOOLS_SYNTH_IDENTITY_H_
