// The upload rules of the contract (§5.3, and §2.2 for profile images): which client content
// types are allowed with which extensions, the per-kind size limits, original-name sanitising
// and the stored-name format, with the contract's exact Korean texts. Pure functions, no I/O:
// the streaming upload (files/upload.h) applies them as the multipart parts arrive.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace parley::files {

inline constexpr uint64_t kMiB = 1024 * 1024;

struct UploadLimits {
  // The whole request; beyond it 413. The contract says 50 MB, and a 50 MiB video (its own
  // limit) must fit, so the default leaves 64 KiB on top of 50 MiB for the multipart framing.
  uint64_t request_bytes = 50 * kMiB + 64 * 1024;
  uint64_t image_bytes = 10 * kMiB;
  uint64_t video_bytes = 50 * kMiB;
  uint64_t audio_bytes = 20 * kMiB;
  uint64_t document_bytes = 20 * kMiB;  // application/*
  uint64_t profile_image_bytes = 5 * kMiB;
};

enum class Kind { image, video, audio, document };

// What is being uploaded: a chat attachment (field "file") or a profile image ("profileImage").
enum class Purpose { attachment, profile_image };

namespace text {
inline constexpr std::string_view kFileEmpty = "파일이 비어있습니다.";
inline constexpr std::string_view kBadName = "파일명이 올바르지 않습니다.";
inline constexpr std::string_view kNameTooLong = "파일명이 너무 깁니다.";
inline constexpr std::string_view kUnsupportedType = "지원하지 않는 파일 형식입니다.";
inline constexpr std::string_view kNoImage = "이미지가 제공되지 않았습니다.";
inline constexpr std::string_view kImagesOnly = "이미지 파일만 업로드할 수 있습니다.";
// The 413 for a whole request over the cap: the contract keeps Java's (misleading) 5MB text.
inline constexpr std::string_view kRequestTooLarge = "파일 크기는 5MB를 초과할 수 없습니다.";
}  // namespace text

// The mime type of a Content-Type value: parameters dropped, trimmed, lowercased.
std::string normalize_mime(std::string_view content_type);
// Is `mime` (normalised) one of the contract's allowed client types? Sets `kind` when it is.
bool allowed_mime(std::string_view mime, Kind& kind);
// Does `extension` (any case) belong to the allowed type `mime`?
bool extension_matches(std::string_view mime, std::string_view extension);
// The text after the last '.', or "" when there is none.
std::string_view extension_of(std::string_view name);
// "이미지" | "동영상" | "오디오" | "문서"
std::string_view kind_label(Kind kind);
uint64_t kind_limit(Kind kind, const UploadLimits& limits);
// "<label> 파일은 <N>MB를 초과할 수 없습니다."
std::string size_limit_text(Kind kind, uint64_t limit);

// The client's file name as stored and shown: '/' and '\\' removed (and control characters,
// which would otherwise reach response headers), invalid UTF-8 repaired, NFC-normalised.
std::string sanitize_original_name(std::string_view raw);

// "<epochMs>_<16 lowercase hex>.<extension as given>"
std::string make_stored_name(std::string_view extension, int64_t epoch_ms);

// The verdict on a part's headers, before any of its bytes arrive.
struct AcceptedPart {
  std::string originalname;  // sanitised
  std::string mimetype;      // normalised client type
  std::string extension;     // as given
  uint64_t max_bytes = 0;    // the size limit for this part
  std::string too_large_text;
  std::string_view empty_text;  // for a part that turns out empty
};
// Checks the name, type and extension rules in the contract's order for `purpose`. Fails with
// Error::invalid whose detail is the exact client-facing text.
Result<AcceptedPart> check_part(Purpose purpose, std::string_view raw_filename,
                                std::string_view content_type, const UploadLimits& limits);

// The text for a request that carries no file part at all.
std::string_view missing_file_text(Purpose purpose);

}  // namespace parley::files
