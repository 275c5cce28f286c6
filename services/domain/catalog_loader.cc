#include "services/domain/catalog_loader.h"

#include <algorithm>
#include <fstream>
#include <initializer_list>
#include <map>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"

namespace cdkv::domain {
namespace {

using nlohmann::json;

// Reads values out of JSON objects while remembering the first problem, so
// the parsing code reads straight through and reports one precise error.
class Reader {
 public:
  bool ok() const { return status_.ok(); }
  absl::Status status() const { return status_; }

  void Fail(const std::string& path, absl::string_view message) {
    if (status_.ok()) {
      status_ = absl::InvalidArgumentError(absl::StrCat(path, ": ", message));
    }
  }

  // Returns the member, or nullptr after recording an error when a required
  // member is missing.
  const json* Member(const json& object, absl::string_view key,
                     const std::string& path, bool required) {
    if (!object.is_object()) {
      Fail(path, "must be an object");
      return nullptr;
    }
    auto it = object.find(std::string(key));
    if (it == object.end() || it->is_null()) {
      if (required) Fail(absl::StrCat(path, ".", key), "is missing");
      return nullptr;
    }
    return &*it;
  }

  std::string String(const json& object, absl::string_view key,
                     const std::string& path, bool required = true) {
    const json* value = Member(object, key, path, required);
    if (value == nullptr) return "";
    if (!value->is_string()) {
      Fail(absl::StrCat(path, ".", key), "must be a string");
      return "";
    }
    std::string text = value->get<std::string>();
    if (required && text.empty()) {
      Fail(absl::StrCat(path, ".", key), "must not be empty");
    }
    return text;
  }

  bool Bool(const json& object, absl::string_view key, const std::string& path,
            bool fallback) {
    const json* value = Member(object, key, path, /*required=*/false);
    if (value == nullptr) return fallback;
    if (!value->is_boolean()) {
      Fail(absl::StrCat(path, ".", key), "must be true or false");
      return fallback;
    }
    return value->get<bool>();
  }

  double NonNegativeNumber(const json& object, absl::string_view key,
                           const std::string& path, bool required = true) {
    const json* value = Member(object, key, path, required);
    if (value == nullptr) return 0;
    if (!value->is_number()) {
      Fail(absl::StrCat(path, ".", key), "must be a number");
      return 0;
    }
    double number = value->get<double>();
    if (number < 0) {
      Fail(absl::StrCat(path, ".", key), "must not be negative");
      return 0;
    }
    return number;
  }

  int NonNegativeInt(const json& object, absl::string_view key,
                     const std::string& path, bool required = true) {
    const json* value = Member(object, key, path, required);
    if (value == nullptr) return 0;
    if (!value->is_number_integer()) {
      Fail(absl::StrCat(path, ".", key), "must be a whole number");
      return 0;
    }
    long long number = value->get<long long>();
    if (number < 0) {
      Fail(absl::StrCat(path, ".", key), "must not be negative");
      return 0;
    }
    if (number > 3650) {
      Fail(absl::StrCat(path, ".", key), "is implausibly large");
      return 0;
    }
    return static_cast<int>(number);
  }

  // The array member (empty if missing and optional).
  const json& Array(const json& object, absl::string_view key,
                    const std::string& path, bool required = true) {
    static const json kEmpty = json::array();
    const json* value = Member(object, key, path, required);
    if (value == nullptr) return kEmpty;
    if (!value->is_array()) {
      Fail(absl::StrCat(path, ".", key), "must be an array");
      return kEmpty;
    }
    return *value;
  }

  // A misspelt optional key would otherwise be ignored silently, dropping
  // e.g. a procedure's forwarding time.
  void KnownKeys(const json& object, const std::string& path,
                 std::initializer_list<absl::string_view> keys) {
    if (!object.is_object()) return;
    for (auto it = object.begin(); it != object.end(); ++it) {
      if (std::find(keys.begin(), keys.end(), it.key()) == keys.end()) {
        Fail(absl::StrCat(path, ".", it.key()),
             absl::StrCat("unknown key; expected one of ",
                          absl::StrJoin(keys, ", ")));
        return;
      }
    }
  }

  // Records an error if `code` was already seen in this list.
  void Unique(std::set<std::string>& seen, const std::string& code,
              const std::string& path) {
    if (!code.empty() && !seen.insert(code).second) {
      Fail(path, absl::StrCat("duplicate code \"", code, "\""));
    }
  }

 private:
  absl::Status status_;
};

std::string Item(const std::string& path, absl::string_view key, size_t i) {
  return absl::StrCat(path, ".", key, "[", i, "]");
}

ProcedureField ParseField(Reader& r, const std::string& value,
                          const std::string& path) {
  if (value == "ho_tich") return ProcedureField::kCivilStatus;
  if (value == "chung_thuc") return ProcedureField::kCertification;
  if (value == "cu_tru") return ProcedureField::kResidence;
  if (value == "dat_dai") return ProcedureField::kLand;
  r.Fail(path, absl::StrCat("unknown field \"", value,
                            "\"; expected ho_tich, chung_thuc, cu_tru or "
                            "dat_dai"));
  return ProcedureField::kCivilStatus;
}

Level ParseLevel(Reader& r, const std::string& value, const std::string& path) {
  if (value == "commune") return Level::kCommune;
  if (value == "district") return Level::kDistrict;
  r.Fail(path, absl::StrCat("unknown level \"", value,
                            "\"; expected commune or district"));
  return Level::kCommune;
}

FormFieldType ParseType(Reader& r, const std::string& value,
                        const std::string& path) {
  if (value == "text") return FormFieldType::kText;
  if (value == "date") return FormFieldType::kDate;
  if (value == "id_number") return FormFieldType::kIdNumber;
  if (value == "sex") return FormFieldType::kSex;
  if (value == "enum") return FormFieldType::kEnum;
  r.Fail(path, absl::StrCat("unknown type \"", value,
                            "\"; expected text, date, id_number, sex or "
                            "enum"));
  return FormFieldType::kText;
}

std::vector<RequiredDocument> ParseDocuments(Reader& r, const json& procedure,
                                             const std::string& path) {
  std::vector<RequiredDocument> documents;
  std::set<std::string> kinds;
  const json& array = r.Array(procedure, "documents", path);
  for (size_t i = 0; i < array.size() && r.ok(); ++i) {
    std::string item = Item(path, "documents", i);
    r.KnownKeys(array[i], item, {"kind", "required", "label_vi"});
    RequiredDocument document;
    document.kind = r.String(array[i], "kind", item);
    document.required = r.Bool(array[i], "required", item, true);
    document.label_vi = r.String(array[i], "label_vi", item);
    r.Unique(kinds, document.kind, item + ".kind");
    documents.push_back(std::move(document));
  }
  if (r.ok() && documents.empty()) {
    r.Fail(path + ".documents", "must list at least one document");
  }
  return documents;
}

std::vector<FormField> ParseFormFields(
    Reader& r, const json& procedure, const std::string& path,
    const std::vector<RequiredDocument>& documents) {
  std::vector<FormField> fields;
  std::set<std::string> keys;
  const json& array = r.Array(procedure, "form_fields", path);
  for (size_t i = 0; i < array.size() && r.ok(); ++i) {
    std::string item = Item(path, "form_fields", i);
    r.KnownKeys(array[i], item,
                {"key", "label_vi", "type", "required", "enum_values", "from"});
    FormField field;
    field.key = r.String(array[i], "key", item);
    r.Unique(keys, field.key, item + ".key");
    field.label_vi = r.String(array[i], "label_vi", item);
    field.type = ParseType(r, r.String(array[i], "type", item), item + ".type");
    field.required = r.Bool(array[i], "required", item, true);
    const json& values = r.Array(array[i], "enum_values", item, false);
    for (size_t j = 0; j < values.size() && r.ok(); ++j) {
      if (!values[j].is_string()) {
        r.Fail(Item(item, "enum_values", j), "must be a string");
      } else {
        field.enum_values.push_back(values[j].get<std::string>());
      }
    }
    if (field.type == FormFieldType::kEnum && field.enum_values.empty()) {
      r.Fail(item + ".enum_values", "an enum field must list its values");
    }
    if (const json* source = r.Member(array[i], "from", item, false)) {
      std::string source_path = item + ".from";
      r.KnownKeys(*source, source_path, {"document", "field"});
      field.source_document = r.String(*source, "document", source_path);
      field.source_field = r.String(*source, "field", source_path);
      bool listed = false;
      for (const RequiredDocument& document : documents) {
        listed = listed || document.kind == field.source_document;
      }
      if (r.ok() && !listed) {
        r.Fail(source_path + ".document",
               absl::StrCat("document kind \"", field.source_document,
                            "\" is not among this procedure's documents"));
      }
    }
    fields.push_back(std::move(field));
  }
  return fields;
}

Procedure ParseProcedure(Reader& r, const json& object,
                         const std::string& path) {
  r.KnownKeys(object, path,
              {"code", "name_vi", "field", "level", "competent_agency_vi",
               "documents", "form_fields", "processing", "baseline"});
  Procedure procedure;
  procedure.code = r.String(object, "code", path);
  procedure.name_vi = r.String(object, "name_vi", path);
  procedure.field =
      ParseField(r, r.String(object, "field", path), path + ".field");
  procedure.level =
      ParseLevel(r, r.String(object, "level", path), path + ".level");
  procedure.competent_agency_vi = r.String(object, "competent_agency_vi", path);
  procedure.documents = ParseDocuments(r, object, path);
  procedure.form_fields = ParseFormFields(r, object, path, procedure.documents);

  std::string processing_path = path + ".processing";
  if (const json* processing = r.Member(object, "processing", path, true)) {
    r.KnownKeys(*processing, processing_path,
                {"working_days", "verification_working_days",
                 "forwarding_working_days", "source"});
    procedure.processing.working_days =
        r.NonNegativeInt(*processing, "working_days", processing_path);
    procedure.processing.verification_working_days = r.NonNegativeInt(
        *processing, "verification_working_days", processing_path, false);
    procedure.processing.forwarding_working_days = r.NonNegativeInt(
        *processing, "forwarding_working_days", processing_path, false);
    procedure.processing.source =
        r.String(*processing, "source", processing_path);
  }
  if (r.ok() && procedure.processing.verification_working_days != 0 &&
      procedure.processing.verification_working_days <
          procedure.processing.working_days) {
    r.Fail(processing_path + ".verification_working_days",
           "must not be shorter than working_days");
  }
  if (r.ok() && procedure.level == Level::kCommune &&
      procedure.processing.forwarding_working_days != 0) {
    r.Fail(processing_path + ".forwarding_working_days",
           "only a district-level procedure is forwarded");
  }

  std::string baseline_path = path + ".baseline";
  if (const json* baseline = r.Member(object, "baseline", path, true)) {
    r.KnownKeys(*baseline, baseline_path,
                {"citizen_form_minutes", "officer_form_minutes",
                 "trips_avoided", "minutes_per_trip", "estimate", "source"});
    TimeBaseline& b = procedure.baseline;
    b.citizen_form_minutes =
        r.NonNegativeNumber(*baseline, "citizen_form_minutes", baseline_path);
    b.officer_form_minutes =
        r.NonNegativeNumber(*baseline, "officer_form_minutes", baseline_path);
    b.trips_avoided =
        r.NonNegativeInt(*baseline, "trips_avoided", baseline_path);
    b.minutes_per_trip =
        r.NonNegativeNumber(*baseline, "minutes_per_trip", baseline_path);
    b.estimate = r.Bool(*baseline, "estimate", baseline_path, true);
    b.source = r.String(*baseline, "source", baseline_path);
  }
  return procedure;
}

Bundle ParseBundle(Reader& r, const json& object, const std::string& path,
                   const std::set<std::string>& procedure_codes) {
  r.KnownKeys(object, path,
              {"code", "name_vi", "condition_vi", "members", "source"});
  Bundle bundle;
  bundle.code = r.String(object, "code", path);
  bundle.name_vi = r.String(object, "name_vi", path);
  bundle.condition_vi = r.String(object, "condition_vi", path, false);
  bundle.source = r.String(object, "source", path);
  const json& members = r.Array(object, "members", path);
  for (size_t i = 0; i < members.size() && r.ok(); ++i) {
    std::string item = Item(path, "members", i);
    r.KnownKeys(members[i], item, {"procedure", "name_vi", "agency_vi"});
    BundleMember member;
    member.procedure_code = r.String(members[i], "procedure", item, false);
    member.name_vi = r.String(members[i], "name_vi", item);
    member.agency_vi = r.String(members[i], "agency_vi", item);
    if (!member.procedure_code.empty() &&
        !procedure_codes.contains(member.procedure_code)) {
      r.Fail(item + ".procedure",
             absl::StrCat("unknown procedure \"", member.procedure_code, "\""));
    }
    bundle.members.push_back(std::move(member));
  }
  if (r.ok() && bundle.members.size() < 2) {
    r.Fail(path + ".members", "a bundle combines at least two procedures");
  }
  return bundle;
}

int ParseClock(Reader& r, const std::string& text, const std::string& path) {
  int hours = 0;
  int minutes = 0;
  if (text.size() != 5 || text[2] != ':' ||
      !absl::SimpleAtoi(text.substr(0, 2), &hours) ||
      !absl::SimpleAtoi(text.substr(3, 2), &minutes) || hours > 23 ||
      minutes > 59 || hours < 0 || minutes < 0) {
    r.Fail(path, absl::StrCat("\"", text, "\" is not a time like \"07:30\""));
    return 0;
  }
  return hours * 60 + minutes;
}

int ParseWeekday(Reader& r, const json& value, const std::string& path) {
  static constexpr absl::string_view kDays[] = {"mon", "tue", "wed", "thu",
                                                "fri", "sat", "sun"};
  if (value.is_string()) {
    for (int i = 0; i < 7; ++i) {
      if (value.get<std::string>() == kDays[i]) return i + 1;
    }
  }
  r.Fail(path, "must be one of mon, tue, wed, thu, fri, sat, sun");
  return 1;
}

Desk ParseDesk(Reader& r, const json& object, const std::string& path) {
  r.KnownKeys(object, path,
              {"code", "name_vi", "address_vi", "hours", "source"});
  Desk desk;
  desk.code = r.String(object, "code", path);
  desk.name_vi = r.String(object, "name_vi", path);
  desk.address_vi = r.String(object, "address_vi", path);
  desk.source = r.String(object, "source", path);
  const json& sessions = r.Array(object, "hours", path);
  for (size_t i = 0; i < sessions.size() && r.ok(); ++i) {
    std::string item = Item(path, "hours", i);
    r.KnownKeys(sessions[i], item, {"days", "open", "close"});
    int open =
        ParseClock(r, r.String(sessions[i], "open", item), item + ".open");
    int close =
        ParseClock(r, r.String(sessions[i], "close", item), item + ".close");
    if (r.ok() && open >= close) {
      r.Fail(item, "opens at or after it closes");
    }
    const json& days = r.Array(sessions[i], "days", item);
    for (size_t j = 0; j < days.size() && r.ok(); ++j) {
      desk.hours.push_back(
          {ParseWeekday(r, days[j], Item(item, "days", j)), open, close});
    }
  }
  if (r.ok() && desk.hours.empty()) {
    r.Fail(path + ".hours", "a desk must have opening hours");
  }
  return desk;
}

absl::StatusOr<json> ParseJson(absl::string_view text, absl::string_view what) {
  try {
    json document = json::parse(text);
    if (!document.is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": $ must be a JSON object"));
    }
    return document;
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": not valid JSON: ", e.what()));
  }
}

absl::Status WithFile(absl::string_view what, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(what, ": ", status.message()));
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return absl::NotFoundError(
        absl::StrCat("cannot open catalog file \"", path, "\""));
  }
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

}  // namespace

absl::StatusOr<Catalog> ParseCatalog(absl::string_view procedures_json,
                                     absl::string_view units_json) {
  absl::StatusOr<json> procedures_doc =
      ParseJson(procedures_json, "procedures");
  if (!procedures_doc.ok()) return procedures_doc.status();
  absl::StatusOr<json> units_doc = ParseJson(units_json, "units");
  if (!units_doc.ok()) return units_doc.status();

  CatalogData data;
  Reader r;
  r.KnownKeys(*procedures_doc, "$",
              {"version", "notes", "procedures", "bundles"});
  std::set<std::string> procedure_codes;
  const json& procedures = r.Array(*procedures_doc, "procedures", "$");
  for (size_t i = 0; i < procedures.size() && r.ok(); ++i) {
    std::string path = Item("$", "procedures", i);
    data.procedures.push_back(ParseProcedure(r, procedures[i], path));
    r.Unique(procedure_codes, data.procedures.back().code, path + ".code");
  }
  if (r.ok() && data.procedures.empty()) {
    r.Fail("$.procedures", "must list at least one procedure");
  }
  std::set<std::string> bundle_codes;
  const json& bundles = r.Array(*procedures_doc, "bundles", "$", false);
  for (size_t i = 0; i < bundles.size() && r.ok(); ++i) {
    std::string path = Item("$", "bundles", i);
    data.bundles.push_back(ParseBundle(r, bundles[i], path, procedure_codes));
    r.Unique(bundle_codes, data.bundles.back().code, path + ".code");
  }
  if (!r.ok()) return WithFile("procedures", r.status());

  r.KnownKeys(*units_doc, "$",
              {"version", "notes", "districts", "communes", "desks"});
  std::set<std::string> desk_codes;
  const json& desks = r.Array(*units_doc, "desks", "$");
  for (size_t i = 0; i < desks.size() && r.ok(); ++i) {
    std::string path = Item("$", "desks", i);
    data.desks.push_back(ParseDesk(r, desks[i], path));
    r.Unique(desk_codes, data.desks.back().code, path + ".code");
  }
  std::set<std::string> district_codes;
  std::map<std::string, std::string> province_names;
  const json& districts = r.Array(*units_doc, "districts", "$");
  for (size_t i = 0; i < districts.size() && r.ok(); ++i) {
    std::string path = Item("$", "districts", i);
    r.KnownKeys(districts[i], path,
                {"code", "name_vi", "province", "province_vi", "desk"});
    District district;
    district.code = r.String(districts[i], "code", path);
    district.name_vi = r.String(districts[i], "name_vi", path);
    district.province_code = r.String(districts[i], "province", path);
    district.province_vi = r.String(districts[i], "province_vi", path);
    district.desk_code = r.String(districts[i], "desk", path);
    r.Unique(district_codes, district.code, path + ".code");
    // One province, one name: supervisors and reports look provinces up by
    // code and show the name.
    auto [named, inserted] =
        province_names.emplace(district.province_code, district.province_vi);
    if (r.ok() && !inserted && named->second != district.province_vi) {
      r.Fail(
          path + ".province_vi",
          absl::StrCat("province \"", district.province_code, "\" is named \"",
                       named->second, "\" by an earlier district"));
    }
    if (r.ok() && !desk_codes.contains(district.desk_code)) {
      r.Fail(path + ".desk",
             absl::StrCat("unknown desk \"", district.desk_code, "\""));
    }
    data.districts.push_back(std::move(district));
  }
  std::set<std::string> commune_codes;
  const json& communes = r.Array(*units_doc, "communes", "$");
  for (size_t i = 0; i < communes.size() && r.ok(); ++i) {
    std::string path = Item("$", "communes", i);
    r.KnownKeys(communes[i], path,
                {"code", "official_code", "name_vi", "district", "desk"});
    Commune commune;
    commune.code = r.String(communes[i], "code", path);
    commune.official_code =
        r.String(communes[i], "official_code", path, /*required=*/false);
    commune.name_vi = r.String(communes[i], "name_vi", path);
    commune.district_code = r.String(communes[i], "district", path);
    commune.desk_code = r.String(communes[i], "desk", path);
    r.Unique(commune_codes, commune.code, path + ".code");
    if (r.ok() && !district_codes.contains(commune.district_code)) {
      r.Fail(path + ".district",
             absl::StrCat("unknown district \"", commune.district_code, "\""));
    }
    if (r.ok() && !desk_codes.contains(commune.desk_code)) {
      r.Fail(path + ".desk",
             absl::StrCat("unknown desk \"", commune.desk_code, "\""));
    }
    data.communes.push_back(std::move(commune));
  }
  if (r.ok() && data.communes.empty()) {
    r.Fail("$.communes", "must list at least one commune");
  }
  if (!r.ok()) return WithFile("units", r.status());
  return Catalog(std::move(data));
}

absl::StatusOr<Catalog> LoadCatalog(const std::string& procedures_path,
                                    const std::string& units_path) {
  absl::StatusOr<std::string> procedures = ReadFile(procedures_path);
  if (!procedures.ok()) return procedures.status();
  absl::StatusOr<std::string> units = ReadFile(units_path);
  if (!units.ok()) return units.status();
  return ParseCatalog(*procedures, *units);
}

}  // namespace cdkv::domain
