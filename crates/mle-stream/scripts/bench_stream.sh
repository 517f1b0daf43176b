#!/bin/sh
# Streaming fits of generated logistic data (y, x1..x20) at n = 10^7 and, when the disk has
# room (~17 GB), n = 10^8: passes, wall time, peak RSS. The files are not committed and are
# deleted afterwards. Usage: crates/mle-stream/scripts/bench_stream.sh [DIR] [SIZES...]
set -eu
dir=${1:-target/stream-bench}
shift || true
sizes=${*:-10000000 100000000}
mkdir -p "$dir"
cargo build --release -p mle-stream --examples
for n in $sizes; do
  f="$dir/logistic-$n.parquet"
  target/release/examples/gen_parquet "$f" "$n" 20 1000000
  ls -l "$f"
  target/release/examples/stream_fit "$f" binomial
  target/release/examples/stream_fit "$f" binomial 1000000
  rm -f "$f"
done
