#include "data/uncased_text.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>

#include <stdexcept>

namespace qn {

icu::UnicodeString uncased(const icu::UnicodeString& text, bool compatibility) {
  UErrorCode status = U_ZERO_ERROR;
  const auto* decomposition = compatibility ? icu::Normalizer2::getNFKDInstance(status)
                                            : icu::Normalizer2::getNFDInstance(status);
  icu::UnicodeString lowered = text;
  lowered.toLower();
  const auto decomposed = decomposition->normalize(lowered, status);
  if (U_FAILURE(status)) throw std::runtime_error("ICU cannot normalise text");
  icu::UnicodeString kept;
  for (int32_t i = 0; i < decomposed.length();) {
    const UChar32 c = decomposed.char32At(i);
    if (u_charType(c) != U_NON_SPACING_MARK) kept.append(c);
    i += U16_LENGTH(c);
  }
  return kept;
}

}  // namespace qn
