// Tests for api/web_client: which requests it takes, files and types, the history-API fallback,
// caching headers, gzip companions, ETags, and refusing paths that leave the root.
#include "api/web_client.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace parley::api {
namespace {

namespace fs = std::filesystem;
namespace http = net::http;

void write(const fs::path& p, const std::string& data) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << data;
}

class WebClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    base_ = fs::temp_directory_path() / ("parley-web-client-" + std::to_string(rd()));
    root_ = base_ / "dist";
    write(root_ / "index.html", "<!doctype html><div id=root></div>");
    write(root_ / "assets" / "index-abc123.js", "console.log('app')");
    write(root_ / "assets" / "index-abc123.js.gz", "GZIPPED-JS");
    write(root_ / "assets" / "index-def456.css", "body{}");
    write(root_ / "assets" / "a b.svg", "<svg/>");
    write(root_ / "favicon.png", "PNG");
    write(root_ / "robots.txt", "User-agent: *");
    write(root_ / "blob.xyz", "?");
    write(base_ / "secret.txt", "TOP SECRET");
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(base_, ec);
  }

  static net::Request get(std::string target, http::verb method = http::verb::get) {
    net::Request req{method, target, 11};
    req.keep_alive(true);
    return req;
  }

  fs::path base_;
  fs::path root_;
};

TEST_F(WebClientTest, DisabledWithoutARootOrAnIndex) {
  WebClient none{""};
  EXPECT_FALSE(none.enabled());
  EXPECT_FALSE(none.serve(get("/")).has_value());

  WebClient missing{(base_ / "nope").string()};
  EXPECT_FALSE(missing.enabled());
  EXPECT_FALSE(missing.serve(get("/")).has_value());

  fs::remove(root_ / "index.html");
  WebClient no_index{root_.string()};
  EXPECT_FALSE(no_index.enabled());
  EXPECT_FALSE(no_index.serve(get("/robots.txt")).has_value());
}

TEST_F(WebClientTest, ServesIndexForTheRoot) {
  WebClient web{root_.string()};
  ASSERT_TRUE(web.enabled());
  EXPECT_EQ(web.file_count(), 8u);
  auto res = web.serve(get("/"));
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->result(), http::status::ok);
  EXPECT_EQ(res->body(), "<!doctype html><div id=root></div>");
  EXPECT_EQ((*res)[http::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ((*res)[http::field::cache_control], "no-cache");
  EXPECT_EQ((*res)[http::field::content_length], std::to_string(res->body().size()));
  EXPECT_FALSE((*res)[http::field::etag].empty());
  EXPECT_TRUE(res->keep_alive());
  EXPECT_EQ(res->version(), 11u);
}

TEST_F(WebClientTest, HistoryFallbackForPathsWithoutExtension) {
  WebClient web{root_.string()};
  for (const char* path : {"/login", "/chat", "/chat/0123456789abcdef01234567", "/profile/",
                           "/chat/new?x=1", "/assets/", "/a//b"}) {
    auto res = web.serve(get(path));
    ASSERT_TRUE(res.has_value()) << path;
    EXPECT_EQ(res->result(), http::status::ok) << path;
    EXPECT_EQ(res->body(), "<!doctype html><div id=root></div>") << path;
    EXPECT_EQ((*res)[http::field::cache_control], "no-cache") << path;
  }
  auto index = web.serve(get("/index.html"));
  ASSERT_TRUE(index.has_value());
  EXPECT_EQ((*index)[http::field::cache_control], "no-cache");
}

TEST_F(WebClientTest, HashedAssetsAreImmutable) {
  WebClient web{root_.string()};
  auto js = web.serve(get("/assets/index-abc123.js?v=2"));
  ASSERT_TRUE(js.has_value());
  EXPECT_EQ(js->result(), http::status::ok);
  EXPECT_EQ(js->body(), "console.log('app')");
  EXPECT_EQ((*js)[http::field::content_type], "text/javascript; charset=utf-8");
  EXPECT_EQ((*js)[http::field::cache_control], "public, max-age=31536000, immutable");
  EXPECT_EQ((*js)["X-Content-Type-Options"], "nosniff");

  auto css = web.serve(get("/assets/index-def456.css"));
  ASSERT_TRUE(css.has_value());
  EXPECT_EQ((*css)[http::field::content_type], "text/css; charset=utf-8");
  EXPECT_EQ((*css)[http::field::cache_control], "public, max-age=31536000, immutable");

  auto svg = web.serve(get("/assets/a%20b.svg"));  // percent-decoded
  ASSERT_TRUE(svg.has_value());
  EXPECT_EQ(svg->result(), http::status::ok);
  EXPECT_EQ((*svg)[http::field::content_type], "image/svg+xml");
}

TEST_F(WebClientTest, OtherFilesAreRevalidated) {
  WebClient web{root_.string()};
  auto png = web.serve(get("/favicon.png"));
  ASSERT_TRUE(png.has_value());
  EXPECT_EQ((*png)[http::field::content_type], "image/png");
  EXPECT_EQ((*png)[http::field::cache_control], "no-cache");
  auto txt = web.serve(get("/robots.txt"));
  ASSERT_TRUE(txt.has_value());
  EXPECT_EQ((*txt)[http::field::content_type], "text/plain; charset=utf-8");
  auto blob = web.serve(get("/blob.xyz"));
  ASSERT_TRUE(blob.has_value());
  EXPECT_EQ((*blob)[http::field::content_type], "application/octet-stream");
}

TEST_F(WebClientTest, UnknownFilesWithAnExtensionAre404) {
  WebClient web{root_.string()};
  for (const char* path : {"/assets/index-000000.js", "/missing.png", "/chat/x.json"}) {
    auto res = web.serve(get(path));
    ASSERT_TRUE(res.has_value()) << path;
    EXPECT_EQ(res->result(), http::status::not_found) << path;
  }
}

TEST_F(WebClientTest, LeavesApiSocketIoAndOtherMethodsAlone) {
  WebClient web{root_.string()};
  for (const char* path : {"/api", "/api/", "/api/health", "/api/rooms?page=0", "/socket.io",
                           "/socket.io/?EIO=4&transport=polling", "/%61pi/health"}) {
    EXPECT_FALSE(web.serve(get(path)).has_value()) << path;
  }
  EXPECT_FALSE(web.serve(get("/", http::verb::post)).has_value());
  EXPECT_FALSE(web.serve(get("/index.html", http::verb::put)).has_value());
  EXPECT_FALSE(web.serve(get("/", http::verb::delete_)).has_value());
  EXPECT_FALSE(web.serve(get("/", http::verb::options)).has_value());
  // Not an API prefix, only a look-alike.
  auto res = web.serve(get("/apiary"));
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->result(), http::status::ok);
}

TEST_F(WebClientTest, HeadHasTheHeadersOfGet) {
  WebClient web{root_.string()};
  auto g = web.serve(get("/assets/index-abc123.js"));
  auto h = web.serve(get("/assets/index-abc123.js", http::verb::head));
  ASSERT_TRUE(g.has_value());
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->result(), http::status::ok);
  for (auto field : {http::field::content_type, http::field::content_length,
                     http::field::cache_control, http::field::etag}) {
    EXPECT_EQ((*h)[field], (*g)[field]);
  }
}

TEST_F(WebClientTest, RejectsPathTraversal) {
  WebClient web{root_.string()};
  for (const char* path :
       {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt",
        "/assets/..%2f..%2fsecret.txt", "/..%5csecret.txt", "/assets\\..\\..\\secret.txt",
        "/./index.html", "/index.html%00.png", "/%zz", "/%2"}) {
    auto res = web.serve(get(path));
    ASSERT_TRUE(res.has_value()) << path;
    EXPECT_EQ(res->result(), http::status::bad_request) << path;
    EXPECT_EQ(res->body().find("TOP SECRET"), std::string::npos) << path;
  }
}

TEST_F(WebClientTest, GzipCompanionWhenAccepted) {
  WebClient web{root_.string()};
  auto req = get("/assets/index-abc123.js");
  req.set(http::field::accept_encoding, "gzip, deflate, br");
  auto gz = web.serve(req);
  ASSERT_TRUE(gz.has_value());
  EXPECT_EQ(gz->body(), "GZIPPED-JS");
  EXPECT_EQ((*gz)[http::field::content_encoding], "gzip");
  EXPECT_EQ((*gz)[http::field::content_type], "text/javascript; charset=utf-8");
  EXPECT_EQ((*gz)[http::field::vary], "Accept-Encoding");

  auto plain = web.serve(get("/assets/index-abc123.js"));
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->body(), "console.log('app')");
  EXPECT_TRUE((*plain)[http::field::content_encoding].empty());
  EXPECT_EQ((*plain)[http::field::vary], "Accept-Encoding");
  EXPECT_NE((*plain)[http::field::etag], (*gz)[http::field::etag]);

  req.set(http::field::accept_encoding, "br, gzip;q=0");
  auto refused = web.serve(req);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->body(), "console.log('app')");

  req.set(http::field::accept_encoding, "GZIP ; q=0.5");
  EXPECT_EQ(web.serve(req)->body(), "GZIPPED-JS");

  // No companion: the plain file, no Vary.
  auto css = get("/assets/index-def456.css");
  css.set(http::field::accept_encoding, "gzip");
  auto res = web.serve(css);
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->body(), "body{}");
  EXPECT_TRUE((*res)[http::field::vary].empty());
}

TEST_F(WebClientTest, IfNoneMatchGives304) {
  WebClient web{root_.string()};
  auto first = web.serve(get("/"));
  ASSERT_TRUE(first.has_value());
  const std::string etag{(*first)[http::field::etag]};
  auto req = get("/");
  req.set(http::field::if_none_match, "\"other\", W/" + etag);
  auto again = web.serve(req);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->result(), http::status::not_modified);
  EXPECT_TRUE(again->body().empty());
  EXPECT_EQ((*again)[http::field::etag], etag);

  req.set(http::field::if_none_match, "\"stale\"");
  EXPECT_EQ(web.serve(req)->result(), http::status::ok);
}

TEST_F(WebClientTest, FilesAreReadOnceAtConstruction) {
  WebClient web{root_.string()};
  write(root_ / "index.html", "changed");
  write(root_ / "late.js", "late");
  EXPECT_EQ(web.serve(get("/"))->body(), "<!doctype html><div id=root></div>");
  EXPECT_EQ(web.serve(get("/late.js"))->result(), http::status::not_found);
}

TEST(ContentType, ByExtension) {
  EXPECT_EQ(content_type_for("a.HTML"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("x/y.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("m.json"), "application/json; charset=utf-8");
  EXPECT_EQ(content_type_for("f.woff2"), "font/woff2");
  EXPECT_EQ(content_type_for("i.webp"), "image/webp");
  EXPECT_EQ(content_type_for("i.jpeg"), "image/jpeg");
  EXPECT_EQ(content_type_for("i.ico"), "image/x-icon");
  EXPECT_EQ(content_type_for("noext"), "application/octet-stream");
  EXPECT_EQ(content_type_for(".hidden"), "application/octet-stream");
}

}  // namespace
}  // namespace parley::api
