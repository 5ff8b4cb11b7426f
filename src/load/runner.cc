// In-process and multi-process drivers, status printing and report files.
#include "load/runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>

#include "core/clock.h"
#include "load/client.h"
#include "load/engine.h"
#include "load/report.h"
#include "load/resources.h"
#include "load/score.h"
#include "load/server_metrics.h"
#include "net/fd_limit.h"

namespace parley::load {

namespace json = boost::json;

namespace {

volatile sig_atomic_t g_signal = 0;
void on_signal(int sig) {
  if (g_signal) _exit(130);  // the second Ctrl-C: stop at once
  g_signal = sig;
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Prints the live status: overwritten in place on a terminal, plain lines otherwise.
class Status {
 public:
  Status(const Config& c, const ServerScraper* servers)
      : cfg_(c), servers_(servers), tty_(::isatty(STDERR_FILENO) == 1) {}
  void show(const std::vector<SeriesPoint>& points, const Aggregator& agg) {
    if (cfg_.quiet) return;
    for (const SeriesPoint& p : points) {
      std::string line = status_line(p, agg);
      if (servers_ != nullptr)
        if (std::string s = servers_->status(); !s.empty()) line += " | " + s;
      if (tty_) {
        std::cerr << "\r" << line << "\x1b[K" << std::flush;
        open_ = true;
      } else if (static_cast<double>(p.t) >= next_) {
        std::cerr << line << "\n";
        next_ = static_cast<double>(p.t) + cfg_.status_every_s;
      }
    }
  }
  void end() {
    if (open_) std::cerr << "\n";
    open_ = false;
  }

 private:
  const Config& cfg_;
  const ServerScraper* servers_;
  bool tty_;
  bool open_ = false;
  double next_ = 0;
};

std::string stop_reason(const Config& c, bool interrupted) {
  if (interrupted) return "interrupted";
  return c.ramp.end_s() <= c.duration_s ? "schedule complete" : "duration cap";
}

// The aggregator with the run's rules: the crowd check (sockets are the crowd, except where a
// scenario holds none for long: api never connects one, churn drops its own) and the tool limits.
void configure(const Config& cfg, Aggregator& agg) {
  const bool by_sockets = cfg.scenario != Scenario::api && cfg.scenario != Scenario::churn;
  agg.set_crowd_rule(cfg.timeout_s, by_sockets);
  agg.set_tool_limits(cfg.tool_limits);
}

std::unique_ptr<ServerScraper> make_scraper(const Config& cfg) {
  if (cfg.server_metrics.empty()) return nullptr;
  const int timeout_ms = static_cast<int>(std::min(2.0, cfg.server_metrics_every_s) * 800);
  return std::make_unique<ServerScraper>(cfg.server_metrics, cfg.server_metrics_every_s,
                                         timeout_ms);
}

int finish(const Config& cfg, Aggregator& agg, RunInfo info, Status& status,
           ServerScraper* servers) {
  if (servers != nullptr) {
    servers->stop();
    info.servers = servers->snapshot();
  }
  status.show(agg.flush(), agg);
  status.end();
  const json::value report = build_report(cfg, agg, info);
  std::cout << summary_text(report) << std::flush;
  int code = verdict_exit_code(report);
  if (!cfg.json_file.empty()) {
    std::ofstream f(cfg.json_file);
    f << json::serialize(report) << "\n";
    if (!f) {
      std::cerr << "parley-load: cannot write " << cfg.json_file << "\n";
      code = 2;
    }
  }
  if (!cfg.html_file.empty()) {
    std::ofstream f(cfg.html_file);
    f << html_report(report);
    if (!f) {
      std::cerr << "parley-load: cannot write " << cfg.html_file << "\n";
      code = 2;
    }
  }
  return code;
}

int run_in_process(const Config& cfg) {
  Aggregator agg(1);
  configure(cfg, agg);
  auto servers = make_scraper(cfg);
  Status status(cfg, servers.get());
  RunInfo info;
  int64_t started = 0;
  Engine engine(cfg, 0, 1, [&](const Sample& s) { status.show(agg.add(0, s), agg); });
  engine.run([&]() {
    started = mono_ns();
    info.started_at = iso8601(now_ms());
    if (servers) servers->start(started);
  });
  info.elapsed_s = static_cast<double>(mono_ns() - started) / 1e9;
  info.stop_reason = stop_reason(cfg, engine.interrupted());
  info.tool_cpu_s = self_usage().cpu_s();
  info.peak_rss_kb = peak_rss_kb();
  return finish(cfg, agg, info, status, servers.get());
}

[[noreturn]] void run_worker(const Config& cfg, int index, int out_fd, int go_fd) {
  int code = 0;
  {
    Engine engine(cfg, index, cfg.procs, [out_fd](const Sample& s) {
      write_all(out_fd, json::serialize(s.to_json()) + "\n");
    });
    engine.run([&]() {
      write_all(out_fd, "{\"ready\":true}\n");
      char go = 0;
      while (::read(go_fd, &go, 1) < 0 && errno == EINTR) {
      }
    });
  }
  ::close(out_fd);
  std::cout.flush();
  std::cerr.flush();
  ::_exit(code);
}

int run_procs(const Config& cfg) {
  const int n = cfg.procs;
  int go[2];
  if (::pipe(go) != 0) {
    std::cerr << "parley-load: pipe: " << std::strerror(errno) << "\n";
    return 2;
  }
  std::vector<pid_t> pids;
  std::vector<int> fds;
  for (int i = 0; i < n; ++i) {
    int p[2];
    if (::pipe(p) != 0) {
      std::cerr << "parley-load: pipe: " << std::strerror(errno) << "\n";
      return 2;
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
      std::cerr << "parley-load: fork: " << std::strerror(errno) << "\n";
      return 2;
    }
    if (pid == 0) {
      ::close(p[0]);
      ::close(go[1]);
      for (int fd : fds)
        ::close(fd);
      run_worker(cfg, i, p[1], go[0]);
    }
    ::close(p[1]);
    pids.push_back(pid);
    fds.push_back(p[0]);
  }
  ::close(go[0]);
  // Ctrl-C reaches the workers through the terminal's process group; a signal sent to the parent
  // alone is forwarded. Either way the workers wind down and send their final samples.
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);

  Aggregator agg(n);
  configure(cfg, agg);
  auto servers = make_scraper(cfg);
  Status status(cfg, servers.get());
  RunInfo info;
  int64_t started = mono_ns();
  std::vector<std::string> buf(n);
  std::vector<bool> open(n, true), got_final(n, false);
  std::vector<bool> was_ready(n, false);
  int ready = 0, alive = n;
  bool forwarded = false, go_sent = false;
  // Every worker is ready (or dead): start all clocks together.
  auto release_one = [&]() {
    if (++ready < n || go_sent) return;
    go_sent = true;
    started = mono_ns();
    info.started_at = iso8601(now_ms());
    if (servers) servers->start(started);
    const std::string bytes(static_cast<size_t>(n), 'g');
    write_all(go[1], bytes);
  };
  while (alive > 0) {
    if (g_signal && !forwarded) {
      forwarded = true;
      for (pid_t pid : pids)
        ::kill(pid, SIGTERM);
    }
    std::vector<pollfd> pfds;
    std::vector<int> who;
    for (int i = 0; i < n; ++i) {
      if (!open[i]) continue;
      pollfd p{};
      p.fd = fds[i];
      p.events = POLLIN;
      pfds.push_back(p);
      who.push_back(i);
    }
    const int rc = ::poll(pfds.data(), pfds.size(), 1000);
    if (rc < 0 && errno != EINTR) break;
    for (size_t k = 0; rc > 0 && k < pfds.size(); ++k) {
      if (!(pfds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const int i = who[k];
      char chunk[65536];
      const ssize_t got = ::read(fds[i], chunk, sizeof chunk);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        open[i] = false;
        ::close(fds[i]);
        --alive;
        if (!got_final[i]) status.show(agg.drop(i), agg);
        if (!was_ready[i]) release_one();  // a worker that died early must not hold the rest
        continue;
      }
      buf[i].append(chunk, static_cast<size_t>(got));
      size_t nl;
      while ((nl = buf[i].find('\n')) != std::string::npos) {
        const std::string line = buf[i].substr(0, nl);
        buf[i].erase(0, nl + 1);
        boost::system::error_code ec;
        const json::value v = json::parse(line, ec);
        if (ec) continue;
        if (v.is_object() && v.get_object().contains("ready")) {
          was_ready[i] = true;
          release_one();
          continue;
        }
        auto sample = Sample::from_json(v);
        if (!sample) continue;
        if (sample->final) got_final[i] = true;
        status.show(agg.add(i, std::move(*sample)), agg);
      }
    }
  }
  ::close(go[1]);
  for (pid_t pid : pids) {
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
  }
  info.elapsed_s = static_cast<double>(mono_ns() - started) / 1e9;
  info.stop_reason = stop_reason(cfg, g_signal != 0);
  info.tool_cpu_s = self_usage().cpu_s() + children_usage().cpu_s();
  info.peak_rss_kb = agg.peak_rss_kb() + rss_kb();
  return finish(cfg, agg, info, status, servers.get());
}

}  // namespace

int run_load(const Config& cfg) {
  ::signal(SIGPIPE, SIG_IGN);
  net::raise_fd_limit();
  if (cfg.procs <= 1) return run_in_process(cfg);
  return run_procs(cfg);
}

}  // namespace parley::load
