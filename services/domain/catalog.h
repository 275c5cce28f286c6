#ifndef CDKV_SERVICES_DOMAIN_CATALOG_H_
#define CDKV_SERVICES_DOMAIN_CATALOG_H_

// The procedure catalog and the administrative units that receive filings,
// as plain values. catalog_loader.h builds a Catalog from the JSON files in
// data/catalog/ and validates it; this file only looks things up.

#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace cdkv::domain {

// Lĩnh vực: the area of law a procedure belongs to.
enum class ProcedureField { kCivilStatus, kCertification, kResidence, kLand };

// Cấp có thẩm quyền: the level whose office decides the procedure.
enum class Level { kCommune, kDistrict };

enum class FormFieldType { kText, kDate, kIdNumber, kSex, kEnum };

struct RequiredDocument {
  std::string kind;  // e.g. "id_card", "birth_notice"
  bool required = true;
  std::string label_vi;
};

struct FormField {
  std::string key;  // e.g. "child.full_name"
  std::string label_vi;
  FormFieldType type = FormFieldType::kText;
  bool required = true;
  std::vector<std::string> enum_values;  // only for kEnum
  // Where OCR normally reads the value: a document kind listed in the
  // procedure and a field of that document. Empty when typed by hand.
  std::string source_document;
  std::string source_field;
};

// Legal processing time (thời hạn giải quyết).
struct ProcessingTime {
  // Working days after the day the filing counts as received; 0 means the
  // result is due the same working day.
  int working_days = 0;
  // Longer limit the law allows when the office must verify facts (xác
  // minh); 0 when there is no such extension. Never below working_days.
  int verification_working_days = 0;
  // For procedures filed at the commune but decided by the district: working
  // days the commune has to forward the dossier, added to the deadline.
  int forwarding_working_days = 0;
  std::string source;
};

// What the paper process cost, so the savings can be computed per filing.
struct TimeBaseline {
  double citizen_form_minutes = 0;
  double officer_form_minutes = 0;
  int trips_avoided = 0;
  double minutes_per_trip = 0;
  bool estimate = true;
  std::string source;
};

struct Procedure {
  std::string code;
  std::string name_vi;
  ProcedureField field = ProcedureField::kCivilStatus;
  Level level = Level::kCommune;
  std::string competent_agency_vi;
  std::vector<RequiredDocument> documents;
  std::vector<FormField> form_fields;
  ProcessingTime processing;
  TimeBaseline baseline;
};

// A member of a liên thông bundle. Members decided by another agency (police
// residence registration, social insurance) are not in this catalog.
struct BundleMember {
  std::string procedure_code;  // set when the procedure is in the catalog
  std::string name_vi;
  std::string agency_vi;
};

struct Bundle {
  std::string code;
  std::string name_vi;
  std::string condition_vi;  // e.g. "trẻ em dưới 6 tuổi"
  std::vector<BundleMember> members;
  std::string source;
};

struct OpeningHours {
  int weekday = 1;      // 1 = Monday … 7 = Sunday (ISO 8601)
  int open_minute = 0;  // minutes after local midnight
  int close_minute = 0;
};

struct Desk {
  std::string code;
  std::string name_vi;
  std::string address_vi;
  std::vector<OpeningHours> hours;
  std::string source;
};

struct District {
  std::string code;
  std::string name_vi;
  std::string province_vi;
  std::string desk_code;
  // The province's administrative unit code (e.g. "87" for Đồng Tháp), which
  // a province supervisor's scope names.
  std::string province_code;
};

// A province, as named by the districts that belong to it.
struct Province {
  std::string code;
  std::string name_vi;
};

struct Commune {
  std::string code;
  std::string official_code;  // GSO code when verified, else empty
  std::string name_vi;
  std::string district_code;
  std::string desk_code;
};

struct CatalogData {
  std::vector<Procedure> procedures;
  std::vector<Bundle> bundles;
  std::vector<District> districts;
  std::vector<Commune> communes;
  std::vector<Desk> desks;
};

absl::string_view ProcedureFieldName(ProcedureField field);
absl::string_view LevelName(Level level);
absl::string_view FormFieldTypeName(FormFieldType type);

// Read-only lookups over validated catalog data. Pointers stay valid for the
// life of the Catalog.
class Catalog {
 public:
  explicit Catalog(CatalogData data);

  // The indexes point into data_'s vectors: moving keeps those buffers,
  // copying would not.
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;
  Catalog(Catalog&&) = default;
  Catalog& operator=(Catalog&&) = default;

  const Procedure* FindProcedure(absl::string_view code) const;
  const Commune* FindCommune(absl::string_view code) const;
  const District* FindDistrict(absl::string_view code) const;
  const Desk* FindDesk(absl::string_view code) const;
  const Bundle* FindBundle(absl::string_view code) const;
  // A province that at least one district of the catalog belongs to.
  const Province* FindProvince(absl::string_view code) const;
  const std::vector<Province>& provinces() const { return provinces_; }
  // Bundles that include the procedure, so the app can offer them.
  std::vector<const Bundle*> BundlesContaining(
      absl::string_view procedure_code) const;

  const CatalogData& data() const { return data_; }

 private:
  template <typename T>
  using Index = std::map<std::string, const T*, std::less<>>;

  CatalogData data_;
  Index<Procedure> procedures_;
  Index<Commune> communes_;
  Index<District> districts_;
  Index<Desk> desks_;
  Index<Bundle> bundles_;
  // Derived from the districts (the loader checks that every district of a
  // province gives it the same name).
  std::vector<Province> provinces_;
  Index<Province> provinces_by_code_;
};

}  // namespace cdkv::domain

#endif  // CDKV_SERVICES_DOMAIN_CATALOG_H_
