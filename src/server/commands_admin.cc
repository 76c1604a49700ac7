// Informational and administrative commands: version, verbosity, quit,
// shutdown, flush_all, stats and its sub-reports, cache_memlimit, lru,
// lru_crawler, slabs, watch — with memcached 1.6.18's gates, argument
// checks (the parser's deferred_error) and replies.
#include <signal.h>
#include <unistd.h>

#include "cachedump.h"
#include "connection.h"
#include "ringcache/protocol/errors.h"
#include "ringcache/protocol/stats_writer.h"
#include "ringcache/protocol/text_composer.h"
#include "ringcache/server/config_stats.h"
#include "ringcache/server/version.h"
#include "stats_report.h"

namespace ringcache::server {

using protocol::CrawlerOp;
using protocol::ProtocolError;
using protocol::StatsKind;
using protocol::TextCommand;
using protocol::TextReply;

namespace {

void ReplyUnlessNoreply(base::OutBuffer& out, const protocol::TextRequest& req, TextReply reply) {
  if (!req.noreply) protocol::AppendReply(out, reply);
}

void ErrorUnlessNoreply(base::OutBuffer& out, const protocol::TextRequest& req, ProtocolError e) {
  if (!req.noreply) protocol::AppendError(out, e);
}

}  // namespace

void Connection::Admin(io::Connection& conn, const protocol::TextRequest& req) {
  base::OutBuffer& out = conn.out();
  ServerContext& server = worker_.server();
  const Config& config = worker_.config();
  switch (req.command) {
    case TextCommand::kVersion:
      protocol::AppendVersion(out, kMemcachedVersion);
      return;
    case TextCommand::kQuit:
      SetState(ConnState::kClosing);
      conn.CloseAfterFlush();
      return;
    case TextCommand::kShutdown:
      if (!config.shutdown_command) {
        protocol::AppendError(out, ProtocolError::kShutdownNotEnabled);
        return;
      }
      if (req.deferred_error != ProtocolError::kNone) {
        protocol::AppendError(out, req.deferred_error);
        return;
      }
      // memcached raises the signal so shutdown takes the same path as
      // kill: the server's signal thread sees it (a process-directed
      // signal; raise() would target this thread, which blocks it).
      SetState(ConnState::kClosing);
      conn.CloseNow();
      kill(getpid(), req.shutdown_graceful ? SIGUSR1 : SIGINT);
      return;
    case TextCommand::kVerbosity:
      server.logger.set_verbosity(static_cast<int>(req.verbosity_level));
      ReplyUnlessNoreply(out, req, TextReply::kOk);
      return;
    case TextCommand::kFlushAll:
      FlushAll(out, req);
      return;
    case TextCommand::kStats:
      Stats(out, req);
      return;
    case TextCommand::kCacheMemlimit:
      if (server.store.SetMemoryLimit(size_t{req.memlimit_mb} << 20).ok()) {
        ReplyUnlessNoreply(out, req, TextReply::kOk);
      } else {
        ErrorUnlessNoreply(out, req, ProtocolError::kMemlimitAdjustFailed);
      }
      return;
    case TextCommand::kLru: {
      // memcached refuses mode and temp_ttl changes without its maintainer.
      storage::LruTuning tuning = server.store.lru_tuning();
      switch (req.lru.op) {
        case protocol::LruOp::kTune:
          tuning.hot_lru_pct = static_cast<int>(req.lru.hot_pct);
          tuning.warm_lru_pct = static_cast<int>(req.lru.warm_pct);
          tuning.hot_max_factor = req.lru.hot_max_factor;
          tuning.warm_max_factor = req.lru.warm_max_factor;
          break;
        case protocol::LruOp::kModeFlat:
        case protocol::LruOp::kModeSegmented:
          if (!config.lru_maintainer) {
            ErrorUnlessNoreply(out, req, ProtocolError::kError);
            return;
          }
          tuning.segmented = req.lru.op == protocol::LruOp::kModeSegmented;
          break;
        case protocol::LruOp::kTempTtl:
          if (!config.lru_maintainer) {
            ErrorUnlessNoreply(out, req, ProtocolError::kError);
            return;
          }
          tuning.temp_lru = req.lru.temp_ttl >= 0;
          tuning.temporary_ttl =
              req.lru.temp_ttl >= 0 ? static_cast<uint32_t>(req.lru.temp_ttl) : 0;
          break;
      }
      server.store.SetLruTuning(tuning);
      ReplyUnlessNoreply(out, req, TextReply::kOk);
      return;
    }
    case TextCommand::kLruCrawler:
      switch (req.crawler.op) {
        case CrawlerOp::kEnable:
          server.store.SetCrawlerEnabled(true);
          protocol::AppendReply(out, TextReply::kOk);
          return;
        case CrawlerOp::kDisable:
          server.store.SetCrawlerEnabled(false);
          protocol::AppendReply(out, TextReply::kOk);
          return;
        case CrawlerOp::kSleep:
          server.store.SetCrawlerSleep(req.crawler.number);
          protocol::AppendReply(out, TextReply::kOk);
          return;
        case CrawlerOp::kToCrawl:
          server.store.SetCrawlerToCrawl(req.crawler.number);
          protocol::AppendReply(out, TextReply::kOk);
          return;
        case CrawlerOp::kCrawl: {
          if (!server.store.crawler_enabled()) {
            protocol::AppendError(out, ProtocolError::kCrawlerDisabled);
            return;
          }
          if (req.deferred_error != ProtocolError::kNone) {
            protocol::AppendError(out, req.deferred_error);
            return;
          }
          std::vector<int> ids;
          if (!req.crawler.classes.all) {
            for (int id = 1; id < 64; ++id) {
              if ((req.crawler.classes.ids >> id) & 1) ids.push_back(id);
            }
          }
          switch (server.store.StartCrawl(ids)) {
            case storage::CrawlStart::kOk:
              protocol::AppendReply(out, TextReply::kOk);
              return;
            case storage::CrawlStart::kBusy:
              protocol::AppendError(out, ProtocolError::kCrawlerBusy);
              return;
            case storage::CrawlStart::kBadClass:
              protocol::AppendError(out, ProtocolError::kCrawlerBadClass);
              return;
            case storage::CrawlStart::kNotStarted:
              protocol::AppendError(out, ProtocolError::kCrawlerNotStarted);
              return;
            case storage::CrawlStart::kDisabled:
              protocol::AppendError(out, ProtocolError::kCrawlerDisabled);
              return;
          }
          return;
        }
        case CrawlerOp::kMetadump:
          StartMetadump(conn, req);
          return;
      }
      return;
    case TextCommand::kSlabsReassign:
      if (!config.slab_reassign) {
        protocol::AppendError(out, ProtocolError::kSlabReassignDisabled);
        return;
      }
      if (req.deferred_error != ProtocolError::kNone) {
        protocol::AppendError(out, req.deferred_error);
        return;
      }
      // There are no slab pages to move between classes: jemalloc returns
      // freed memory to every size class by itself.
      protocol::AppendError(out, ProtocolError::kReassignNoSpare);
      return;
    case TextCommand::kSlabsAutomove:
      ReplyUnlessNoreply(out, req, TextReply::kOk);
      return;
    case TextCommand::kWatch:
      StartWatch(conn, req);
      return;
    case TextCommand::kExtstore:
      // Debian's memcached knows the command; ringcache has no external
      // storage to tune.
      ErrorUnlessNoreply(out, req, ProtocolError::kError);
      return;
    case TextCommand::kRefreshCerts:
      ErrorUnlessNoreply(out, req, ProtocolError::kTlsNotEnabled);
      return;
    default:
      protocol::AppendError(out, ProtocolError::kError);
      return;
  }
}

void Connection::FlushAll(base::OutBuffer& out, const protocol::TextRequest& req) {
  ServerContext& server = worker_.server();
  worker_.stats().flush_cmds.Add();
  if (!worker_.config().flush_enabled) {
    ErrorUnlessNoreply(out, req, ProtocolError::kFlushNotAllowed);
    return;
  }
  if (req.deferred_error != ProtocolError::kNone) {
    ErrorUnlessNoreply(out, req, req.deferred_error);
    return;
  }
  // memcached: a positive delay flushes at realtime(delay), anything else now.
  const base::RelTime when = req.flush_delay > 0 ? Expiry(req.flush_delay) : now();
  server.store.FlushAll(when, now());
  ReplyUnlessNoreply(out, req, TextReply::kOk);
}

void Connection::Stats(base::OutBuffer& out, const protocol::TextRequest& req) {
  ServerContext& server = worker_.server();
  StatsReport report(server);
  switch (req.stats.kind) {
    case StatsKind::kGeneral:
      report.Write(out, report.General(now()));
      return;
    case StatsKind::kReset:
      report.Reset(now());
      server.prefix_stats.Clear();
      protocol::AppendReply(out, TextReply::kReset);
      return;
    case StatsKind::kSettings: {
      Config live = worker_.config();
      live.verbosity = server.logger.verbosity();
      live.detail_enabled = server.prefix_stats.enabled();
      live.lru_crawler = server.store.crawler_enabled();
      live.max_bytes = server.store.memory_limit();
      storage::StoreStats ss;
      server.store.CollectStats(&ss);
      protocol::StatsWriter w(out);
      for (const SettingStat& s : SettingsStats(live, ss.oldest_live)) w.Add(s.name, s.value);
      w.End();
      return;
    }
    case StatsKind::kItems:
      report.Write(out, report.Items(now()));
      return;
    case StatsKind::kSlabs:
      report.Write(out, report.Slabs(now()));
      return;
    case StatsKind::kSizes: {
      storage::SizesHistogram sizes;
      server.store.CollectSizes(&sizes);
      protocol::StatsWriter w(out);
      if (sizes.status == storage::SizesHistogram::Status::kDisabled) {
        w.Add("sizes_status", "disabled");
      } else {
        for (const auto& [bucket, count] : sizes.buckets) {
          w.Add(std::to_string(bucket), count);
        }
      }
      w.End();
      return;
    }
    case StatsKind::kSizesEnable:
    case StatsKind::kSizesDisable: {
      const storage::SizesHistogram::Status s =
          server.store.EnableSizes(req.stats.kind == StatsKind::kSizesEnable);
      protocol::StatsWriter w(out);
      if (s == storage::SizesHistogram::Status::kCasDisabled) {
        w.Add("sizes_status", "error");
        w.Add("sizes_error", "cas_support_disabled");
      } else {
        w.Add("sizes_status",
              s == storage::SizesHistogram::Status::kEnabled ? "enabled" : "disabled");
      }
      w.End();
      return;
    }
    case StatsKind::kDetailOn:
      server.prefix_stats.set_enabled(true);
      protocol::AppendReply(out, TextReply::kOk);
      return;
    case StatsKind::kDetailOff:
      server.prefix_stats.set_enabled(false);
      protocol::AppendReply(out, TextReply::kOk);
      return;
    case StatsKind::kDetailDump:
      server.prefix_stats.Dump(out);
      return;
    case StatsKind::kCachedump:
      if (!worker_.config().dump_enabled) {
        protocol::AppendError(out, ProtocolError::kCachedumpNotAllowed);
        return;
      }
      if (req.deferred_error != ProtocolError::kNone) {
        protocol::AppendError(out, req.deferred_error);
        return;
      }
      WriteCachedump(worker_.store(), server.clock, now(), req.stats.cachedump_class,
                     req.stats.cachedump_limit, out);
      return;
    case StatsKind::kConns:
      report.Write(out, report.Conns(now()));
      return;
    case StatsKind::kExtstore:
      protocol::AppendError(out, ProtocolError::kError);
      return;
  }
}

}  // namespace ringcache::server
