#!/usr/bin/env bash
# Fuzzes the IAM policy parser (policy/fuzz, target `parse`) for a fixed time, off CI:
# any text must parse or fail cleanly, never panic, never take a second, and what
# parses must print to a text that parses back to the same statements.
#
#   scripts/fuzz.sh              30 minutes (FUZZ_SECONDS=1800), on one core
#
# New inputs that reach new code are kept in policy/fuzz/corpus/parse (committed, so
# each run starts where the last one stopped); policy/fuzz/seeds/parse holds the
# hand-written starting points, policy/fuzz/iam.dict the language's words. A crash or
# an input slower than 1 s stops the run and leaves the input in policy/fuzz/artifacts.
#
# cargo-fuzz needs a nightly compiler's flags; RUSTC_BOOTSTRAP=1 unlocks them on the
# stable toolchain, and `--sanitizer none` avoids AddressSanitizer, which needs a
# nightly standard library (the parser is safe Rust: a panic is what there is to find).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
seconds=${FUZZ_SECONDS:-1800}
mkdir -p policy/fuzz/corpus/parse
cd policy
RUSTC_BOOTSTRAP=1 cargo fuzz run parse --sanitizer none \
  fuzz/corpus/parse fuzz/seeds/parse -- \
  -dict=fuzz/iam.dict -timeout=1 -max_total_time="$seconds" -max_len=4096 \
  -print_final_stats=1
# Keep the corpus small: only inputs that each add coverage.
tmp=$(mktemp -d)
RUSTC_BOOTSTRAP=1 cargo fuzz run parse --sanitizer none "$tmp" fuzz/corpus/parse -- -merge=1 >/dev/null 2>&1
rm -rf fuzz/corpus/parse && mv "$tmp" fuzz/corpus/parse
echo "fuzz: $(ls fuzz/corpus/parse | wc -l) inputs in the corpus"
