// Google Benchmarks of ringload's per-request work: everything a request
// costs the tool in user space besides the kernel's send and receive.
// Budget: 2.5M requests/s on one core leaves 400 ns per request for all of
// it, kernel included, so each piece here should take a few nanoseconds to a
// few tens.

#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"

#include "connection.h"
#include "histogram.h"
#include "key_space.h"
#include "options.h"
#include "ringcache/protocol/client/reply_parser.h"
#include "ringcache/protocol/client/request.h"
#include "rng.h"
#include "value_codec.h"
#include "workload.h"
#include "zipf.h"

namespace ringcache::ringload {
namespace {

using protocol::client::ParseReply;
using protocol::client::Protocol;
using protocol::client::Reply;

void BM_HistogramRecord(benchmark::State& state) {
  Histogram h;
  Rng rng(1);
  std::vector<uint64_t> values(4096);
  for (uint64_t& v : values) v = 1000 + rng.Below(1'000'000);
  size_t i = 0;
  for (auto _ : state) {
    h.Record(values[i++ & 4095]);
  }
  benchmark::DoNotOptimize(h.count());
}
BENCHMARK(BM_HistogramRecord);

void BM_UniformKey(benchmark::State& state) {
  KeyChooser chooser(Distribution::kUniform, 1'000'000, 0.99, 0);
  Rng rng(2);
  for (auto _ : state) benchmark::DoNotOptimize(chooser.Next(rng));
}
BENCHMARK(BM_UniformKey);

void BM_ZipfKey(benchmark::State& state) {
  const ZipfSampler zipf(static_cast<uint64_t>(state.range(0)), 0.99);
  Rng rng(3);
  for (auto _ : state) benchmark::DoNotOptimize(zipf.Sample(rng));
}
BENCHMARK(BM_ZipfKey)->Arg(1'000)->Arg(1'000'000)->Arg(1'000'000'000);

void BM_KeyFormat(benchmark::State& state) {
  const KeySpace space = *KeySpace::Create("k", 12, 1'000'000);
  char name[12];
  uint64_t i = 0;
  for (auto _ : state) {
    space.Format(i++ % 1'000'000, name);
    benchmark::DoNotOptimize(name);
  }
}
BENCHMARK(BM_KeyFormat);

// A GET hit of a 12-byte key and 32-byte value, as each protocol returns it.
std::string GetHit(Protocol p) {
  const std::string value(32, 'v');
  switch (p) {
    case Protocol::kText:
      return "VALUE k00000000042 0 32\r\n" + value + "\r\nEND\r\n";
    case Protocol::kMeta:
      return "VA 32 f0\r\n" + value + "\r\n";
    case Protocol::kBinary: {
      std::string h(24, '\0');
      h[0] = static_cast<char>(0x81);
      h[4] = 4;
      h[11] = 36;
      return h + std::string(4, '\0') + value;
    }
  }
  return "";
}

void BM_ParseGetHit(benchmark::State& state) {
  const Protocol p = static_cast<Protocol>(state.range(0));
  // Sixteen pipelined replies, parsed as one receive buffer is.
  std::string stream;
  for (int i = 0; i < 16; ++i) stream += GetHit(p);
  for (auto _ : state) {
    size_t off = 0;
    Reply r;
    while (off < stream.size()) {
      off += ParseReply(p, std::string_view{stream}.substr(off), &r).size;
      benchmark::DoNotOptimize(r.kind);
    }
  }
  state.SetItemsProcessed(state.iterations() * 16);
  state.SetLabel(std::string(protocol::client::ProtocolName(p)));
}
BENCHMARK(BM_ParseGetHit)->Arg(0)->Arg(1)->Arg(2);

// The whole per-request compose step: op, key, bytes, outstanding entry.
void BM_ComposeNext(benchmark::State& state) {
  Options options = *ParseOptions({"--ratio", state.range(1) ? "9:1" : "1:0", "--keys", "1M"});
  options.protocol = static_cast<Protocol>(state.range(0));
  const KeySpace keys = *KeySpace::Create("k", 12, options.keys);
  const KeySpace counters = *KeySpace::Create("n", 12, options.keys);
  Workload workload(options, &keys, &counters, nullptr, 0, 1);
  Connection c(-1, 0, 64 * 1024, 1024, 1024);
  for (auto _ : state) {
    if (!workload.ComposeNext(c, 0)) {
      state.PauseTiming();
      c.BeginSend();
      c.SendProgress(c.SendProgress(0).size());  // as if the send completed
      while (!c.pending().empty()) c.pending().Pop();
      state.ResumeTiming();
    }
    if (c.pending().full()) c.pending().Clear();
  }
  state.SetLabel(absl::StrFormat("%s %s", protocol::client::ProtocolName(options.protocol),
                                 state.range(1) ? "9:1" : "gets"));
}
BENCHMARK(BM_ComposeNext)->Args({0, 0})->Args({1, 0})->Args({2, 0})->Args({0, 1});

void BM_VerifyCheck(benchmark::State& state) {
  const ValueCodec codec;
  std::string value(static_cast<size_t>(state.range(0)), '\0');
  codec.Fill("k00000000042", 7, value.data(), value.size());
  for (auto _ : state) benchmark::DoNotOptimize(codec.Check("k00000000042", value));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_VerifyCheck)->Arg(32)->Arg(1024);

}  // namespace
}  // namespace ringcache::ringload

BENCHMARK_MAIN();
