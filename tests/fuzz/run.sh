#!/bin/sh
# tests/fuzz/run.sh TARGET: runs one libFuzzer target as a test (make check
# calls it for tests/fuzz/TARGET.fuzz; TARGET may also be given as NAME or
# fuzz_NAME). From the build directory:
#   1. every input of the committed corpus tests/fuzz/corpus/NAME, one by
#      one (regressions: a crash names its file);
#   2. fresh inputs for LNS_FUZZ_SECONDS seconds (default 24; 0 skips),
#      grown from that corpus; new inputs go to a scratch directory, never
#      into the committed corpus.
# Options for the target come from tests/fuzz/NAME.fuzz (one a line, # for
# comments, $srcdir for the source tree). A crash, leak, sanitizer report
# or timeout is saved as tests/fuzz/out/NAME-crash-* (or -leak-, -timeout-)
# in the build directory, with how to reproduce and minimize it.
set -u
[ $# -ge 1 ] || { echo "usage: $0 TARGET" >&2; exit 2; }
name=$(basename "$1" .fuzz)
name=${name#fuzz_}
srcdir=$(cd "${top_srcdir:-$(dirname "$0")/../..}" && pwd)
bin=${LNS_FUZZ_BIN:-./tests/fuzz/fuzz_$name}
corpus=$srcdir/tests/fuzz/corpus/$name
secs=${LNS_FUZZ_SECONDS:-24}
out=${LNS_FUZZ_OUT:-./tests/fuzz/out}

[ -x "$bin" ] || { echo "SKIP: $bin is not built (configure with CC=clang --enable-fuzzing)"; exit 77; }
[ -d "$corpus" ] || { echo "FAIL: no corpus $corpus"; exit 1; }

opts=
if [ -f "$srcdir/tests/fuzz/$name.fuzz" ]; then
	opts=$(sed -e 's/#.*//' -e "s|\$srcdir|$srcdir|g" "$srcdir/tests/fuzz/$name.fuzz" | tr '\n' ' ')
fi
mkdir -p "$out"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/levelns-fuzz-$name.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export LNS_FUZZ_SRCDIR="$srcdir"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$srcdir/tests/fuzz/lsan.supp:print_suppressions=0}"
common="-rss_limit_mb=2048 -timeout=10 -artifact_prefix=$out/$name- -print_final_stats=1"

fail() {
	echo "FAIL: fuzz_$name: $1"
	for f in "$out/$name"-crash-* "$out/$name"-leak-* "$out/$name"-timeout-* "$out/$name"-oom-*; do
		[ -f "$f" ] || continue
		echo "  input saved: $f"
		echo "  reproduce:   LNS_FUZZ_SRCDIR=$srcdir $bin $opts $f"
		echo "  minimize:    LNS_FUZZ_SRCDIR=$srcdir $bin $opts -minimize_crash=1 -runs=20000 $f"
		echo "  then fix it and commit the minimized input to tests/fuzz/corpus/$name/"
	done
	exit 1
}

n=$(find "$corpus" -type f | wc -l)
echo "== fuzz_$name: $n committed inputs"
# shellcheck disable=SC2086
find "$corpus" -type f -print0 | xargs -0 "$bin" $opts $common >"$scratch/replay.log" 2>&1 ||
	{ tail -60 "$scratch/replay.log"; fail "a committed input fails"; }
grep -c '^Executed ' "$scratch/replay.log" | sed 's/^/   replayed: /'

[ "$secs" -gt 0 ] 2>/dev/null || { echo "PASS: corpus only (LNS_FUZZ_SECONDS=$secs)"; exit 0; }
echo "== fuzz_$name: fresh inputs for $secs s"
mkdir -p "$scratch/new"
# shellcheck disable=SC2086
"$bin" $opts $common -max_total_time="$secs" "$scratch/new" "$corpus" >"$scratch/fuzz.log" 2>&1
rc=$?
grep -E '^(#[0-9]+ +(INITED|DONE)|stat::number_of_executed_units|stat::peak_rss_mb|Done )' "$scratch/fuzz.log" | sed 's/^/   /'
if [ $rc -ne 0 ]; then
	tail -80 "$scratch/fuzz.log"
	fail "fuzzing found a failure (exit $rc)"
fi
echo "   new inputs: $(find "$scratch/new" -type f | wc -l) (not kept; bench/fuzz keeps them)"
echo "PASS: fuzz_$name"
