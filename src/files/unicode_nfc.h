// Unicode helpers for file names: UTF-8 repair and NFC normalisation of the scripts file names
// actually arrive decomposed in (macOS and some Linux tools send NFD): Hangul (conjoining jamo,
// composed algorithmically), Latin with combining marks (Latin-1 Supplement, Latin Extended-A/B,
// Latin Extended Additional, e.g. Vietnamese) and Japanese kana with (semi-)voiced marks.
// Outside that repertoire text passes through unchanged: this is NFC for the common case, not a
// full implementation (no singleton mappings, no Greek/Cyrillic/Indic compositions).
#pragma once

#include <string>
#include <string_view>

namespace parley::files {

// `s` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string repair_utf8(std::string_view s);

// NFC over the repertoire above. Input must be valid UTF-8 (see repair_utf8).
std::string to_nfc(std::string_view utf8);

}  // namespace parley::files
