#include "services/domain/catalog.h"

#include <algorithm>
#include <utility>

namespace cdkv::domain {
namespace {

template <typename T, typename IndexT>
void IndexByCode(const std::vector<T>& items, IndexT& index) {
  for (const T& item : items) index.emplace(item.code, &item);
}

template <typename IndexT>
auto Lookup(const IndexT& index, absl::string_view code) ->
    typename IndexT::mapped_type {
  auto it = index.find(code);
  return it == index.end() ? nullptr : it->second;
}

}  // namespace

absl::string_view ProcedureFieldName(ProcedureField field) {
  switch (field) {
    case ProcedureField::kCivilStatus:
      return "ho_tich";
    case ProcedureField::kCertification:
      return "chung_thuc";
    case ProcedureField::kResidence:
      return "cu_tru";
    case ProcedureField::kLand:
      return "dat_dai";
  }
  return "unknown";
}

absl::string_view LevelName(Level level) {
  switch (level) {
    case Level::kCommune:
      return "commune";
    case Level::kDistrict:
      return "district";
  }
  return "unknown";
}

absl::string_view FormFieldTypeName(FormFieldType type) {
  switch (type) {
    case FormFieldType::kText:
      return "text";
    case FormFieldType::kDate:
      return "date";
    case FormFieldType::kIdNumber:
      return "id_number";
    case FormFieldType::kSex:
      return "sex";
    case FormFieldType::kEnum:
      return "enum";
  }
  return "unknown";
}

// The indexes point into data_, which never changes after construction.
Catalog::Catalog(CatalogData data) : data_(std::move(data)) {
  IndexByCode(data_.procedures, procedures_);
  IndexByCode(data_.communes, communes_);
  IndexByCode(data_.districts, districts_);
  IndexByCode(data_.desks, desks_);
  IndexByCode(data_.bundles, bundles_);
  for (const District& district : data_.districts) {
    if (district.province_code.empty() ||
        std::any_of(provinces_.begin(), provinces_.end(),
                    [&](const Province& p) {
                      return p.code == district.province_code;
                    })) {
      continue;
    }
    provinces_.push_back({district.province_code, district.province_vi});
  }
  // Indexed only once provinces_ stops growing, so the pointers stay valid.
  IndexByCode(provinces_, provinces_by_code_);
}

const Procedure* Catalog::FindProcedure(absl::string_view code) const {
  return Lookup(procedures_, code);
}
const Commune* Catalog::FindCommune(absl::string_view code) const {
  return Lookup(communes_, code);
}
const District* Catalog::FindDistrict(absl::string_view code) const {
  return Lookup(districts_, code);
}
const Desk* Catalog::FindDesk(absl::string_view code) const {
  return Lookup(desks_, code);
}
const Bundle* Catalog::FindBundle(absl::string_view code) const {
  return Lookup(bundles_, code);
}
const Province* Catalog::FindProvince(absl::string_view code) const {
  return Lookup(provinces_by_code_, code);
}

std::vector<const Bundle*> Catalog::BundlesContaining(
    absl::string_view procedure_code) const {
  std::vector<const Bundle*> found;
  for (const Bundle& bundle : data_.bundles) {
    for (const BundleMember& member : bundle.members) {
      if (!member.procedure_code.empty() &&
          member.procedure_code == procedure_code) {
        found.push_back(&bundle);
        break;
      }
    }
  }
  return found;
}

}  // namespace cdkv::domain
