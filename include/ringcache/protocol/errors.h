// Every error and refusal line the text protocol can send, spelled exactly as
// memcached 1.6.18 spells it.
//
// Clients and scripts match these strings (several compare whole lines), so
// they live in one table: parsers report a ProtocolError, the server's
// executor reports one for conditions only it can see (a gate such as
// flush_all being disabled, an allocation failure), and ErrorLine() turns it
// into the bytes to send. No other file spells an error string.
//
// Threading: constants and pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "ringcache/base/out_buffer.h"

namespace ringcache::protocol {

enum class ProtocolError : uint8_t {
  kNone = 0,
  // --- every command ---
  kError,                    // ERROR (unknown command, wrong token count)
  kBadCommandLineFormat,     // CLIENT_ERROR bad command line format
  kBadCommandLine,           // CLIENT_ERROR bad command line (stats arguments)
  kBadDataChunk,             // CLIENT_ERROR bad data chunk
  kInvalidExptime,           // CLIENT_ERROR invalid exptime argument
  kInvalidDelta,             // CLIENT_ERROR invalid numeric delta argument
  kNonNumeric,               // CLIENT_ERROR cannot increment or decrement non-numeric value
  kDeleteUsage,              // CLIENT_ERROR bad command line format.  Usage: delete <key> ...
  kTooLarge,                 // SERVER_ERROR object too large for cache
  kOutOfMemoryStoring,       // SERVER_ERROR out of memory storing object
  kOutOfMemory,              // SERVER_ERROR out of memory (incr/decr)
  kOutOfMemoryReading,       // SERVER_ERROR out of memory reading request
  kOutOfMemoryWritingGet,    // SERVER_ERROR out of memory writing get response
  kOutOfMemoryWritingStats,  // SERVER_ERROR out of memory writing stats
  kOutOfMemoryDuringRead,    // SERVER_ERROR Out of memory during read
  kUnhandledStorageType,     // SERVER_ERROR Unhandled storage type.
  // --- meta commands ---
  kMetaDuplicateFlag,       // CLIENT_ERROR duplicate flag
  kMetaInvalidFlag,         // CLIENT_ERROR invalid flag
  kMetaBadToken,            // CLIENT_ERROR bad token in command line format
  kMetaKeyDecode,           // CLIENT_ERROR error decoding key
  kMetaModeLength,          // CLIENT_ERROR incorrect length for M token
  kMetaInvalidInitial,      // CLIENT_ERROR invalid numeric initial value
  kMetaInvalidDelta,        // CLIENT_ERROR invalid numeric delta value
  kMetaGetFlagsTooLong,     // CLIENT_ERROR options flags are too long (mg)
  kMetaFlagsTooLong,        // CLIENT_ERROR options flags too long (ms, md, ma)
  kMetaInvalidSetMode,      // CLIENT_ERROR invalid mode for ms M token
  kMetaInvalidArithMode,    // CLIENT_ERROR invalid mode for ma M token
  kMetaOpaqueTooLong,       // CLIENT_ERROR opaque token too long
  kMetaInvalidOrDuplicate,  // CLIENT_ERROR invalid or duplicate flag (md, ma)
  kMetaRefcountOverflow,    // SERVER_ERROR refcount overflow during fetch
  kMetaOutOfMemoryVivify,   // SERVER_ERROR Out of memory allocating new item (ma N)
  // --- admin commands ---
  kStatsDetailUsage,      // CLIENT_ERROR usage: stats detail on|off|dump
  kCachedumpNotAllowed,   // CLIENT_ERROR stats cachedump not allowed
  kIllegalSlabId,         // CLIENT_ERROR Illegal slab id
  kFlushNotAllowed,       // CLIENT_ERROR flush_all not allowed
  kShutdownNotEnabled,    // ERROR: shutdown not enabled
  kInvalidShutdownMode,   // CLIENT_ERROR invalid shutdown mode
  kWatchNotAllowed,       // CLIENT_ERROR watch commands not allowed
  kWatchPipelined,        // ERROR cannot pipeline other commands before watch
  kWatcherTooMany,        // WATCHER_TOO_MANY log watcher limit reached
  kWatcherFailed,         // WATCHER_FAILED failed to add log watcher
  kMemlimitTooSmall,      // MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m
  kMemlimitNotMegabytes,  // MEMLIMIT_ADJUST_FAILED input value is megabytes not bytes
  kMemlimitAdjustFailed,  // MEMLIMIT_ADJUST_FAILED out of bounds or unable to adjust
  kLruPercentTooHigh,     // ERROR hot and warm pcts must not exceed 80
  kLruFactorNotPositive,  // ERROR hot/warm age factors must be greater than 0
  kSlabReassignDisabled,  // CLIENT_ERROR slab reassignment disabled
  kReassignBusy,          // BUSY currently processing reassign request
  kReassignBadClass,      // BADCLASS invalid src or dst class id
  kReassignNoSpare,       // NOSPARE source class has no spare pages
  kReassignSame,          // SAME src and dst class are identical
  kCrawlerDisabled,       // CLIENT_ERROR lru crawler disabled
  kCrawlerBusy,           // BUSY currently processing crawler request
  kCrawlerBadClass,       // BADCLASS invalid class id
  kCrawlerNotStarted,     // NOTSTARTED no items to crawl
  kCrawlerUnknownError,   // ERROR an unknown error happened
  kMetadumpNotAllowed,    // ERROR metadump not allowed
  kMetadumpPipelined,     // ERROR cannot pipeline other commands before metadump
  kCrawlerSleepTooLong,   // CLIENT_ERROR sleep must be one second or less
  kCrawlerStartFailed,    // ERROR failed to start lru crawler thread
  kCrawlerStopFailed,     // ERROR failed to stop lru crawler thread
  kTlsNotEnabled,         // Error TLS not enabled (refresh_certs without -Z)
  // --- ascii authentication (-Y) ---
  kUnauthenticated,  // CLIENT_ERROR unauthenticated
  kAuthTokenFormat,  // CLIENT_ERROR bad authentication token format
  kAuthFailure,      // CLIENT_ERROR authentication failure
  kAuthTermination,  // CLIENT_ERROR bad command line termination
};

// The reply line for `error`, including the trailing "\r\n". kNone yields "".
std::string_view ErrorLine(ProtocolError error);

// The line without "\r\n" (tests, logs).
std::string_view ErrorText(ProtocolError error);

inline void AppendError(base::OutBuffer& out, ProtocolError error) {
  if (error != ProtocolError::kNone) out.Append(ErrorLine(error));
}

}  // namespace ringcache::protocol
