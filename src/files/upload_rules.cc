// See upload_rules.h. The order of checks (a part failing several rules gets the first text):
//   profile image: no file -> not an image (type or extension) -> §5.3 below;
//   attachment:    no file -> blank name -> name over 255 bytes -> type not allowed ->
//                  extension not matching the type;
// then, while the bytes stream in, the size limit, and at the end the empty-file rule. (A
// buffering server would test emptiness first; a streaming one can only know it at the end,
// and rejecting on the headers spares reading a body that is refused anyway.)
#include "files/upload_rules.h"

#include <array>
#include <cctype>

#include "chat/ids.h"
#include "core/ascii.h"
#include "files/unicode_nfc.h"

namespace parley::files {

namespace {

struct TypeRule {
  std::string_view mime;
  Kind kind;
  std::array<std::string_view, 2> extensions;  // "" = unused slot
};

constexpr TypeRule kTypes[] = {
    {"image/jpeg", Kind::image, {"jpg", "jpeg"}},
    {"image/png", Kind::image, {"png", ""}},
    {"image/gif", Kind::image, {"gif", ""}},
    {"image/webp", Kind::image, {"webp", ""}},
    {"video/mp4", Kind::video, {"mp4", ""}},
    {"video/webm", Kind::video, {"webm", ""}},
    {"video/quicktime", Kind::video, {"mov", ""}},
    {"audio/mpeg", Kind::audio, {"mp3", ""}},
    {"audio/wav", Kind::audio, {"wav", ""}},
    {"audio/ogg", Kind::audio, {"ogg", ""}},
    {"application/pdf", Kind::document, {"pdf", ""}},
    {"application/msword", Kind::document, {"doc", ""}},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     Kind::document,
     {"docx", ""}},
};

constexpr std::string_view kProfileExtensions[] = {"jpg", "jpeg", "png", "gif", "webp"};

const TypeRule* find_rule(std::string_view mime) {
  for (const auto& rule : kTypes) {
    if (rule.mime == mime) return &rule;
  }
  return nullptr;
}

bool is_blank(std::string_view s) {
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string megabytes(uint64_t bytes) {
  if (bytes % kMiB == 0) return std::to_string(bytes / kMiB);
  const uint64_t tenths = (bytes * 10 + kMiB / 2) / kMiB;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10);
}

}  // namespace

std::string normalize_mime(std::string_view content_type) {
  std::string_view v = content_type.substr(0, content_type.find(';'));
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front())))
    v.remove_prefix(1);
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back())))
    v.remove_suffix(1);
  return ascii::to_lower(v);
}

bool allowed_mime(std::string_view mime, Kind& kind) {
  const TypeRule* rule = find_rule(mime);
  if (!rule) return false;
  kind = rule->kind;
  return true;
}

bool extension_matches(std::string_view mime, std::string_view extension) {
  const TypeRule* rule = find_rule(mime);
  if (!rule || extension.empty()) return false;
  for (auto ext : rule->extensions) {
    if (!ext.empty() && ascii::iequals(ext, extension)) return true;
  }
  return false;
}

std::string_view extension_of(std::string_view name) {
  const size_t dot = name.rfind('.');
  return dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
}

std::string_view kind_label(Kind kind) {
  switch (kind) {
    case Kind::image:
      return "이미지";
    case Kind::video:
      return "동영상";
    case Kind::audio:
      return "오디오";
    case Kind::document:
      return "문서";
  }
  return "문서";
}

uint64_t kind_limit(Kind kind, const UploadLimits& limits) {
  switch (kind) {
    case Kind::image:
      return limits.image_bytes;
    case Kind::video:
      return limits.video_bytes;
    case Kind::audio:
      return limits.audio_bytes;
    case Kind::document:
      return limits.document_bytes;
  }
  return limits.document_bytes;
}

std::string size_limit_text(Kind kind, uint64_t limit) {
  return std::string(kind_label(kind)) + " 파일은 " + megabytes(limit) + "MB를 초과할 수 없습니다.";
}

std::string sanitize_original_name(std::string_view raw) {
  std::string kept;
  kept.reserve(raw.size());
  for (char c : raw) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '/' || c == '\\' || u < 0x20 || u == 0x7f) continue;
    kept.push_back(c);
  }
  return to_nfc(repair_utf8(kept));
}

std::string make_stored_name(std::string_view extension, int64_t epoch_ms) {
  std::string name = std::to_string(epoch_ms) + "_" + chat::random_hex(8);
  if (!extension.empty()) {
    name += '.';
    name += extension;
  }
  return name;
}

std::string_view missing_file_text(Purpose purpose) {
  return purpose == Purpose::profile_image ? text::kNoImage : text::kFileEmpty;
}

Result<AcceptedPart> check_part(Purpose purpose, std::string_view raw_filename,
                                std::string_view content_type, const UploadLimits& limits) {
  // A file input left empty arrives as a part with filename="" (and no bytes): no file.
  if (raw_filename.empty()) return Error::invalid(std::string(missing_file_text(purpose)));
  AcceptedPart part;
  part.originalname = sanitize_original_name(raw_filename);
  part.mimetype = normalize_mime(content_type);
  part.extension = std::string(extension_of(part.originalname));
  part.empty_text = missing_file_text(purpose);
  if (purpose == Purpose::profile_image) {
    bool image_ext = false;
    for (auto ext : kProfileExtensions)
      image_ext = image_ext || ascii::iequals(ext, part.extension);
    if (!part.mimetype.starts_with("image/") || !image_ext)
      return Error::invalid(std::string(text::kImagesOnly));
  }
  if (is_blank(part.originalname)) return Error::invalid(std::string(text::kBadName));
  if (part.originalname.size() > 255) return Error::invalid(std::string(text::kNameTooLong));
  Kind kind;
  if (!allowed_mime(part.mimetype, kind))
    return Error::invalid(std::string(text::kUnsupportedType));
  if (!extension_matches(part.mimetype, part.extension))
    return Error::invalid(std::string(kind_label(kind)) + " 확장자가 올바르지 않습니다.");
  part.max_bytes = kind_limit(kind, limits);
  part.too_large_text = size_limit_text(kind, part.max_bytes);
  if (purpose == Purpose::profile_image && limits.profile_image_bytes < part.max_bytes) {
    part.max_bytes = limits.profile_image_bytes;
    part.too_large_text = "파일 크기는 " + megabytes(part.max_bytes) + "MB를 초과할 수 없습니다.";
  }
  return part;
}

}  // namespace parley::files
