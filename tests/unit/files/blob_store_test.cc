// Unit tests for the local blob store and the streaming upload pipeline over it: committed
// uploads land under their key, while rejected, empty and aborted uploads leave no file behind.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "files/local_blob_store.h"
#include "files/upload.h"

namespace parley::files {
namespace {

namespace fs = std::filesystem;

template <class T>
asio::awaitable<void> store_into(asio::awaitable<T> work, std::optional<T>& out) {
  auto value = co_await std::move(work);
  out.emplace(std::move(value));
}

// Runs one coroutine to completion on a private io_context.
template <class T>
T run(asio::awaitable<T> work) {
  asio::io_context io;
  std::optional<T> out;
  std::exception_ptr failure;
  auto done = [&](std::exception_ptr e) { failure = e; };
  asio::co_spawn(io, store_into(std::move(work), out), done);
  io.run();
  if (failure) std::rethrow_exception(failure);
  return std::move(*out);
}

// A request body served from memory in small reads; may "disconnect" after `cut` bytes.
class FakeBody final : public net::BodyStream {
 public:
  FakeBody(std::string data, size_t step, size_t cut = std::string::npos)
      : data_(std::move(data)), step_(step), cut_(cut) {}
  asio::awaitable<Result<size_t>> read_some(asio::mutable_buffer out) override {
    if (pos_ >= cut_) co_return Error::unavailable("connection reset");
    const size_t n = std::min({out.size(), step_, data_.size() - pos_, cut_ - pos_});
    std::memcpy(out.data(), data_.data() + pos_, n);
    pos_ += n;
    co_return n;
  }
  bool too_large() const override { return false; }
  bool complete() const override { return pos_ == data_.size(); }

 private:
  std::string data_;
  size_t step_;
  size_t cut_;
  size_t pos_ = 0;
};

std::string multipart(std::string_view field, std::string_view filename, std::string_view type,
                      const std::string& content) {
  std::string body = "--XyZ\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nvalue\r\n";
  body += "--XyZ\r\nContent-Disposition: form-data; name=\"" + std::string(field) +
          "\"; filename=\"" + std::string(filename) + "\"\r\nContent-Type: " + std::string(type) +
          "\r\n\r\n";
  body += content;
  body += "\r\n--XyZ--\r\n";
  return body;
}

// Every regular file under `root`, relative.
std::vector<std::string> files_under(const fs::path& root) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), root).string());
  }
  return out;
}

class BlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("parley-blob-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    auto opened = LocalBlobStore::make(LocalBlobStore::Options{root_.string(), 2, true});
    ASSERT_TRUE(opened) << opened.error().detail;
    store_ = std::move(opened.value());
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(root_);
  }

  Result<StoredUpload> upload(FakeBody& body, Purpose purpose = Purpose::attachment,
                              UploadLimits limits = {}) {
    UploadRequest req;
    req.purpose = purpose;
    req.field = purpose == Purpose::attachment ? "file" : "profileImage";
    req.content_type = "multipart/form-data; boundary=XyZ";
    req.key_prefix = purpose == Purpose::attachment ? "" : "profiles/";
    req.limits = limits;
    return run(receive_upload(body, std::move(req), *store_));
  }

  fs::path root_;
  std::unique_ptr<LocalBlobStore> store_;
};

TEST_F(BlobStoreTest, CommittedUploadLandsUnderItsKey) {
  std::string content(700 * 1024 + 17, 'x');
  for (size_t i = 0; i < content.size(); ++i)
    content[i] = static_cast<char>(i * 7);
  FakeBody body{multipart("file", "사진.png", "image/png", content), 5000};
  auto r = upload(body);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->size, content.size());
  EXPECT_EQ(r->originalname, "사진.png");
  EXPECT_EQ(r->mimetype, "image/png");
  EXPECT_EQ(r->key, r->filename);
  EXPECT_TRUE(body.complete());
  EXPECT_EQ(files_under(root_), std::vector<std::string>{r->filename});
  std::ifstream in(root_ / r->filename, std::ios::binary);
  std::stringstream got;
  got << in.rdbuf();
  EXPECT_EQ(got.str(), content);

  // Reading it back in ranges.
  auto reader = run(store_->open(r->key));
  ASSERT_TRUE(reader);
  EXPECT_EQ((*reader)->size(), content.size());
  EXPECT_EQ((*reader)->etag().front(), '"');
  auto slice = run((*reader)->read(1000, 10));
  ASSERT_TRUE(slice);
  EXPECT_EQ(slice.value(), content.substr(1000, 10));
  auto tail = run((*reader)->read(content.size() - 3, 100));
  ASSERT_TRUE(tail);
  EXPECT_EQ(tail.value(), content.substr(content.size() - 3));

  ASSERT_TRUE(run(store_->remove(r->key)));
  EXPECT_TRUE(files_under(root_).empty());
  EXPECT_TRUE(run(store_->remove(r->key))) << "removing twice is fine";
  EXPECT_EQ(run(store_->open(r->key)).error().kind, Error::Kind::not_found);
}

TEST_F(BlobStoreTest, ProfileImagesGoUnderProfiles) {
  FakeBody body{multipart("profileImage", "me.JPG", "image/jpeg", "jpegbytes"), 64};
  auto r = upload(body, Purpose::profile_image);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->key, "profiles/" + r->filename);
  EXPECT_TRUE(r->filename.ends_with(".JPG"));
  EXPECT_TRUE(fs::exists(root_ / "profiles" / r->filename));
}

TEST_F(BlobStoreTest, OverTheLimitIsRejectedWhileStreamingAndLeavesNothing) {
  UploadLimits limits;
  limits.document_bytes = 100 * 1024;
  FakeBody body{multipart("file", "big.pdf", "application/pdf", std::string(300 * 1024, 'p')),
                8192};
  auto r = upload(body, Purpose::attachment, limits);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::invalid);
  EXPECT_EQ(r.error().detail, "문서 파일은 0.1MB를 초과할 수 없습니다.");
  EXPECT_FALSE(body.complete()) << "rejected before the whole body was read";
  EXPECT_TRUE(files_under(root_).empty());
}

TEST_F(BlobStoreTest, DisconnectMidUploadLeavesNothing) {
  const std::string full = multipart("file", "v.mp4", "video/mp4", std::string(2 << 20, 'v'));
  FakeBody body{full, 65536, full.size() / 2};
  auto r = upload(body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::unavailable);
  EXPECT_TRUE(files_under(root_).empty());
}

TEST_F(BlobStoreTest, EmptyMissingAndMalformed) {
  FakeBody empty{multipart("file", "e.pdf", "application/pdf", ""), 100};
  EXPECT_EQ(upload(empty).error().detail, "파일이 비어있습니다.");
  FakeBody empty_profile{multipart("profileImage", "e.png", "image/png", ""), 100};
  EXPECT_EQ(upload(empty_profile, Purpose::profile_image).error().detail,
            "이미지가 제공되지 않았습니다.");
  FakeBody other_field{multipart("attachment", "a.pdf", "application/pdf", "x"), 100};
  EXPECT_EQ(upload(other_field).error().detail, "파일이 비어있습니다.");
  FakeBody truncated{
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
      "filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\nabc",
      100};
  EXPECT_EQ(upload(truncated).error().detail, "파일이 비어있습니다.");
  FakeBody wrong_type{multipart("file", "a.exe", "application/x-msdownload", "MZ"), 100};
  EXPECT_EQ(upload(wrong_type).error().detail, "지원하지 않는 파일 형식입니다.");
  EXPECT_TRUE(files_under(root_).empty());
}

TEST_F(BlobStoreTest, UnsafeKeysAreRefused) {
  EXPECT_EQ(run(store_->create("../escape")).error().kind, Error::Kind::invalid);
  EXPECT_EQ(run(store_->open("/etc/passwd")).error().kind, Error::Kind::invalid);
  EXPECT_EQ(run(store_->remove("profiles/../../x")).error().kind, Error::Kind::invalid);
}

TEST_F(BlobStoreTest, AbortedWriterAndStartupSweep) {
  auto writer = run(store_->create("later.pdf"));
  ASSERT_TRUE(writer);
  ASSERT_TRUE(run((*writer)->write("abc")));
  EXPECT_EQ(files_under(root_).size(), 1u) << "the temp file exists while writing";
  run([&]() -> asio::awaitable<int> {
    co_await (*writer)->abort();
    co_return 0;
  }());
  EXPECT_TRUE(files_under(root_).empty());

  // A temp file left by a crash is swept when the store opens.
  std::ofstream(root_ / ".tmp" / "crashed.part") << "partial";
  store_.reset();
  auto reopened = LocalBlobStore::make(LocalBlobStore::Options{root_.string(), 1, false});
  ASSERT_TRUE(reopened);
  EXPECT_TRUE(files_under(root_).empty());
}

}  // namespace
}  // namespace parley::files
