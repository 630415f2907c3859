#pragma once

#include <unicode/unistr.h>

namespace qn {

// Text as an uncased tokenizer reads it: lower case, decomposed, combining marks (Mn)
// removed. BERT's basic tokenizer decomposes with NFD; ALBERT's (HuggingFace's
// `keep_accents=False`) with NFKD, which also unfolds compatibility forms (ligatures, full
// width letters): `compatibility` picks it.
icu::UnicodeString uncased(const icu::UnicodeString& text, bool compatibility = false);

}  // namespace qn
