#include "ringcache/protocol/errors.h"

namespace ringcache::protocol {
namespace {

// Each line carries its "\r\n" so ErrorLine() is a view into a constant and
// appending an error is a single copy.
#define RC_LINE(text) std::string_view(text "\r\n", sizeof(text "\r\n") - 1)

std::string_view Line(ProtocolError error) {
  switch (error) {
    case ProtocolError::kNone:
      return {};
    case ProtocolError::kError:
      return RC_LINE("ERROR");
    case ProtocolError::kBadCommandLineFormat:
      return RC_LINE("CLIENT_ERROR bad command line format");
    case ProtocolError::kBadCommandLine:
      return RC_LINE("CLIENT_ERROR bad command line");
    case ProtocolError::kBadDataChunk:
      return RC_LINE("CLIENT_ERROR bad data chunk");
    case ProtocolError::kInvalidExptime:
      return RC_LINE("CLIENT_ERROR invalid exptime argument");
    case ProtocolError::kInvalidDelta:
      return RC_LINE("CLIENT_ERROR invalid numeric delta argument");
    case ProtocolError::kNonNumeric:
      return RC_LINE("CLIENT_ERROR cannot increment or decrement non-numeric value");
    case ProtocolError::kDeleteUsage:
      return RC_LINE("CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]");
    case ProtocolError::kTooLarge:
      return RC_LINE("SERVER_ERROR object too large for cache");
    case ProtocolError::kOutOfMemoryStoring:
      return RC_LINE("SERVER_ERROR out of memory storing object");
    case ProtocolError::kOutOfMemory:
      return RC_LINE("SERVER_ERROR out of memory");
    case ProtocolError::kOutOfMemoryReading:
      return RC_LINE("SERVER_ERROR out of memory reading request");
    case ProtocolError::kOutOfMemoryWritingGet:
      return RC_LINE("SERVER_ERROR out of memory writing get response");
    case ProtocolError::kOutOfMemoryWritingStats:
      return RC_LINE("SERVER_ERROR out of memory writing stats");
    case ProtocolError::kOutOfMemoryDuringRead:
      return RC_LINE("SERVER_ERROR Out of memory during read");
    case ProtocolError::kUnhandledStorageType:
      return RC_LINE("SERVER_ERROR Unhandled storage type.");
    case ProtocolError::kMetaDuplicateFlag:
      return RC_LINE("CLIENT_ERROR duplicate flag");
    case ProtocolError::kMetaInvalidFlag:
      return RC_LINE("CLIENT_ERROR invalid flag");
    case ProtocolError::kMetaBadToken:
      return RC_LINE("CLIENT_ERROR bad token in command line format");
    case ProtocolError::kMetaKeyDecode:
      return RC_LINE("CLIENT_ERROR error decoding key");
    case ProtocolError::kMetaModeLength:
      return RC_LINE("CLIENT_ERROR incorrect length for M token");
    case ProtocolError::kMetaInvalidInitial:
      return RC_LINE("CLIENT_ERROR invalid numeric initial value");
    case ProtocolError::kMetaInvalidDelta:
      return RC_LINE("CLIENT_ERROR invalid numeric delta value");
    case ProtocolError::kMetaGetFlagsTooLong:
      return RC_LINE("CLIENT_ERROR options flags are too long");
    case ProtocolError::kMetaFlagsTooLong:
      return RC_LINE("CLIENT_ERROR options flags too long");
    case ProtocolError::kMetaInvalidSetMode:
      return RC_LINE("CLIENT_ERROR invalid mode for ms M token");
    case ProtocolError::kMetaInvalidArithMode:
      return RC_LINE("CLIENT_ERROR invalid mode for ma M token");
    case ProtocolError::kMetaOpaqueTooLong:
      return RC_LINE("CLIENT_ERROR opaque token too long");
    case ProtocolError::kMetaInvalidOrDuplicate:
      return RC_LINE("CLIENT_ERROR invalid or duplicate flag");
    case ProtocolError::kMetaRefcountOverflow:
      return RC_LINE("SERVER_ERROR refcount overflow during fetch");
    case ProtocolError::kMetaOutOfMemoryVivify:
      return RC_LINE("SERVER_ERROR Out of memory allocating new item");
    case ProtocolError::kStatsDetailUsage:
      return RC_LINE("CLIENT_ERROR usage: stats detail on|off|dump");
    case ProtocolError::kCachedumpNotAllowed:
      return RC_LINE("CLIENT_ERROR stats cachedump not allowed");
    case ProtocolError::kIllegalSlabId:
      return RC_LINE("CLIENT_ERROR Illegal slab id");
    case ProtocolError::kFlushNotAllowed:
      return RC_LINE("CLIENT_ERROR flush_all not allowed");
    case ProtocolError::kShutdownNotEnabled:
      return RC_LINE("ERROR: shutdown not enabled");
    case ProtocolError::kInvalidShutdownMode:
      return RC_LINE("CLIENT_ERROR invalid shutdown mode");
    case ProtocolError::kWatchNotAllowed:
      return RC_LINE("CLIENT_ERROR watch commands not allowed");
    case ProtocolError::kWatchPipelined:
      return RC_LINE("ERROR cannot pipeline other commands before watch");
    case ProtocolError::kWatcherTooMany:
      return RC_LINE("WATCHER_TOO_MANY log watcher limit reached");
    case ProtocolError::kWatcherFailed:
      return RC_LINE("WATCHER_FAILED failed to add log watcher");
    case ProtocolError::kMemlimitTooSmall:
      return RC_LINE("MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m");
    case ProtocolError::kMemlimitNotMegabytes:
      return RC_LINE("MEMLIMIT_ADJUST_FAILED input value is megabytes not bytes");
    case ProtocolError::kMemlimitAdjustFailed:
      return RC_LINE("MEMLIMIT_ADJUST_FAILED out of bounds or unable to adjust");
    case ProtocolError::kLruPercentTooHigh:
      return RC_LINE("ERROR hot and warm pcts must not exceed 80");
    case ProtocolError::kLruFactorNotPositive:
      return RC_LINE("ERROR hot/warm age factors must be greater than 0");
    case ProtocolError::kSlabReassignDisabled:
      return RC_LINE("CLIENT_ERROR slab reassignment disabled");
    case ProtocolError::kReassignBusy:
      return RC_LINE("BUSY currently processing reassign request");
    case ProtocolError::kReassignBadClass:
      return RC_LINE("BADCLASS invalid src or dst class id");
    case ProtocolError::kReassignNoSpare:
      return RC_LINE("NOSPARE source class has no spare pages");
    case ProtocolError::kReassignSame:
      return RC_LINE("SAME src and dst class are identical");
    case ProtocolError::kCrawlerDisabled:
      return RC_LINE("CLIENT_ERROR lru crawler disabled");
    case ProtocolError::kCrawlerBusy:
      return RC_LINE("BUSY currently processing crawler request");
    case ProtocolError::kCrawlerBadClass:
      return RC_LINE("BADCLASS invalid class id");
    case ProtocolError::kCrawlerNotStarted:
      return RC_LINE("NOTSTARTED no items to crawl");
    case ProtocolError::kCrawlerUnknownError:
      return RC_LINE("ERROR an unknown error happened");
    case ProtocolError::kMetadumpNotAllowed:
      return RC_LINE("ERROR metadump not allowed");
    case ProtocolError::kMetadumpPipelined:
      return RC_LINE("ERROR cannot pipeline other commands before metadump");
    case ProtocolError::kCrawlerSleepTooLong:
      return RC_LINE("CLIENT_ERROR sleep must be one second or less");
    case ProtocolError::kCrawlerStartFailed:
      return RC_LINE("ERROR failed to start lru crawler thread");
    case ProtocolError::kCrawlerStopFailed:
      return RC_LINE("ERROR failed to stop lru crawler thread");
    case ProtocolError::kTlsNotEnabled:
      return RC_LINE("Error TLS not enabled");
    case ProtocolError::kUnauthenticated:
      return RC_LINE("CLIENT_ERROR unauthenticated");
    case ProtocolError::kAuthTokenFormat:
      return RC_LINE("CLIENT_ERROR bad authentication token format");
    case ProtocolError::kAuthFailure:
      return RC_LINE("CLIENT_ERROR authentication failure");
    case ProtocolError::kAuthTermination:
      return RC_LINE("CLIENT_ERROR bad command line termination");
  }
  return RC_LINE("SERVER_ERROR unknown error");
}

#undef RC_LINE

}  // namespace

std::string_view ErrorLine(ProtocolError error) { return Line(error); }

std::string_view ErrorText(ProtocolError error) {
  std::string_view line = Line(error);
  if (line.size() >= 2) line.remove_suffix(2);
  return line;
}

}  // namespace ringcache::protocol
