// Chooses a printed date (DD/MM/YYYY on an ID card) from several OCR
// readings of the same blurred line. At phone-photo blur Tesseract drops or
// confuses a different digit in each reading (a scale, a binarisation, the
// photo at another resolution), so each reading's likely spellings are
// pooled and only real dates vote. When the ID number's digits 5-6 give the
// birth year, dates of other years do not vote, and a reading that kept the
// day and month but lost part of the year still votes for them.
#ifndef CDKV_OCR_DATE_VOTE_H_
#define CDKV_OCR_DATE_VOTE_H_

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "ocr/dates.h"

namespace cdkv::ocr {

// A reading that kept day and month but lost year digits counts this much
// of a whole one: its year comes from the ID, not from the line.
inline constexpr double kPartialDateWeight = 0.5;

struct DateVoteResult {
  Date date;
  double share = 0.0;    // The winner's part of all pooled votes, 0..1.
  double margin = 0.0;   // share minus the runner-up's share.
  int readings_for = 0;  // Readings whose own most likely date it is.
  int readings = 0;      // Readings that voted at all.
};

class DateVote {
 public:
  // `known_year`: the birth year the ID number gives, or nullopt.
  explicit DateVote(std::optional<int> known_year) : known_year_(known_year) {}

  // One reading of the date line: its spellings with their probabilities
  // (TesseractReader's LikelySpellings). Spellings of one reading share one
  // vote of `weight`. Without a known year a spelling votes when its
  // digits, separators ignored, are DDMMYYYY of a real date. With one, a
  // spelling votes for its day and month in that year: fully when the rest
  // is that year, with kPartialDateWeight when the rest lost year digits
  // ("1503/1" for 15/03/1969) or misread at most two ("02/10/1908" for
  // 02/10/1998), not at all for another year. Day and month are taken
  // where the separators put them ("7/08/..." is the 7th), or as the first
  // two pairs of digits where separators were lost.
  void AddReading(std::span<const std::pair<std::string, double>> spellings,
                  double weight = 1.0);

  // One reading of the card's validity line ("Có giá trị đến"). A citizen
  // ID card is valid until the holder's 25th, 40th or 60th birthday (the
  // 2024 card also the 14th; Luật Căn cước công dân 2014 and Luật Căn cước
  // 2023, art. 21), so that line prints the birth date's day and month a
  // second time, in another place the blur treats differently. With a
  // known birth year, a spelling whose year is that year plus one of those
  // ages votes for its day and month in the birth year, weighted as
  // AddReading weighs years. Without one it does not vote: the age is not
  // known.
  void AddValidUntilReading(
      std::span<const std::pair<std::string, double>> spellings,
      double weight = 1.0);

  // The most voted date; nullopt when no reading voted.
  std::optional<DateVoteResult> Best() const;

 private:
  // The date a spelling votes for and the weight of its year's evidence.
  std::optional<std::pair<Date, double>> Interpret(std::string_view text) const;

  // Adds one reading's votes.
  void Add(const std::map<Date, double>& reading, double weight);

  std::optional<int> known_year_;
  std::map<Date, double> pooled_;
  std::map<Date, int> tops_;  // Readings whose most likely date this is.
  int readings_ = 0;
};

// The date a DDMMYYYY digit string spells ("19091997"), separators in the
// text ignored; nullopt unless exactly eight digits make a real date.
std::optional<Date> DateFromEightDigits(std::string_view text);

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_DATE_VOTE_H_
