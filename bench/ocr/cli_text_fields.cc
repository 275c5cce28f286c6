#include "bench/ocr/cli_text_fields.h"

#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <regex>
#include <sstream>
#include <vector>

#include "ocr/id_number.h"
#include "ocr/mrz.h"
#include "ocr/text_utf8.h"

namespace cdkv::bench {
namespace {

std::string Title(const std::string& text) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(text);
  u.toLower(icu::Locale("vi"));
  u.toTitle(nullptr, icu::Locale("vi"));
  std::string out;
  u.toUTF8String(out);
  return out;
}

bool IsMrzLine(const std::string& line) {
  if (line.size() < 25) return false;
  for (char c : line) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '<' ||
          c == ' ')) {
      return false;
    }
  }
  return line.find('<') != std::string::npos;
}

}  // namespace

TextFields FieldsFromPageText(std::string_view text, const ocr::Date& today) {
  TextFields f;
  std::vector<std::string> lines;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  std::vector<std::string> mrz;
  for (const auto& line : lines) {
    if (IsMrzLine(line)) mrz.push_back(line);
  }
  if (mrz.size() >= 3) {
    const std::string block =
        mrz[mrz.size() - 3] + "\n" + mrz[mrz.size() - 2] + "\n" + mrz.back();
    if (auto td1 = ocr::ParseTd1(block, today); td1.ok()) {
      if (td1->citizen_id.has_value()) f.id_number = td1->citizen_id->value;
      if (td1->birth_date.has_value()) {
        f.birth_date = ocr::FormatDate(*td1->birth_date);
      }
      if (td1->sex.has_value()) {
        f.sex = *td1->sex == ocr::Sex::kMale ? "Nam" : "Nữ";
      }
      std::string name = td1->surname;
      for (const auto& g : td1->given_names) name += " " + g;
      if (!td1->surname.empty()) f.full_name = name;
      return f;
    }
  }
  const std::regex id_re("\\b([0-9]{12})\\b");
  const std::regex date_re("([0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{4})");
  std::smatch m;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (!f.id_number && std::regex_search(line, m, id_re) &&
        ocr::ParseCitizenId(m[1].str()).ok()) {
      f.id_number = m[1].str();
    }
    if (!f.birth_date && line.find("sinh") != std::string::npos &&
        std::regex_search(line, m, date_re)) {
      if (auto d = ocr::ParsePrintedDate(m[1].str()); d.ok()) {
        f.birth_date = ocr::FormatDate(*d);
      }
    }
    if (!f.sex && line.find("tính") != std::string::npos) {
      if (line.find("Nữ") != std::string::npos) {
        f.sex = "Nữ";
      } else if (line.find("Nam") != std::string::npos) {
        f.sex = "Nam";
      }
    }
    if (!f.full_name && line.find("Full name") != std::string::npos &&
        i + 1 < lines.size()) {
      f.full_name = Title(lines[i + 1]);
    }
  }
  return f;
}

}  // namespace cdkv::bench
