#!/bin/sh
# The Promela model of the election (election/model.pml), checked with spin:
# for 3 nodes with lost, duplicated, reordered and delayed messages and
# crashes, no term ever has two masters (an exhaustive search); and the same
# model without the persisted vote must give a counterexample, so the check
# is shown to be able to fail. Generated files go to a temporary directory,
# never to the source tree. SPIN_MAXTERM=3 checks more terms (slower).
set -u
top_srcdir=$(cd "${top_srcdir:-$(dirname "$0")/..}" && pwd)
MODEL="$top_srcdir/election/model.pml"
CC=${CC:-gcc}
MAXTERM=${SPIN_MAXTERM:-2}

for tool in spin "$CC"; do
	command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool is not installed (Debian: apt-get install spin)"; exit 77; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/levelns-spin.XXXXXX")
trap 'rm -rf "$T"' EXIT
PASSES=0
FAILS=0

check() {
	what=$1
	shift
	if "$@"; then
		echo "ok: $what"
		PASSES=$((PASSES + 1))
	else
		echo "FAIL: $what"
		FAILS=$((FAILS + 1))
	fi
}

# verify NAME [spin -D options...]: generates, compiles and runs pan in
# $T/NAME; its report is $T/NAME/pan.out.
verify() {
	name=$1
	shift
	dir="$T/$name"
	mkdir -p "$dir"
	cp "$MODEL" "$dir/model.pml"
	(
		cd "$dir" || exit 1
		spin -a -DMAXTERM="$MAXTERM" "$@" model.pml >spin.out 2>&1 || { cat spin.out; exit 1; }
		# -w: pan.c is generated code; its warnings are not ours
		"$CC" -O2 -w -DSAFETY -DNOBOUNDCHECK -DMEMLIM=2048 -o pan pan.c || exit 1
		start=$(date +%s)
		./pan -m100000 >pan.out 2>&1
		echo "time: $(($(date +%s) - start)) s" >>pan.out
		exit 0
	)
}

errors() { sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$T/$1/pan.out" | tail -1; }
states() { sed -n 's/^ *\([0-9.e+]*\) states, stored.*/\1/p' "$T/$1/pan.out" | tail -1; }
elapsed() { sed -n 's/^time: //p' "$T/$1/pan.out"; }
complete() { ! grep -q "max search depth too small\|reached -DMEMLIM bound\|out of memory" "$T/$1/pan.out"; }

echo "spin $(spin -V | sed -n 's/Spin Version \([^ ]*\).*/\1/p'), model $MODEL, 3 nodes, terms up to $MAXTERM"

check "the model compiles into a verifier" verify safe
echo "safe model: $(states safe) states, $(elapsed safe), errors: $(errors safe)"
check "the search is complete (depth and memory within bounds)" complete safe
check "at most one master per term: no error" [ "$(errors safe)" = 0 ]
[ "$(errors safe)" = 0 ] || grep -i "assert\|error" "$T/safe/pan.out"

check "the model without the persisted vote compiles" verify novote -DNO_PERSISTED_VOTE
echo "without the persisted vote: $(states novote) states, $(elapsed novote), errors: $(errors novote)"
check "without the persisted vote spin finds two masters in a term" \
	[ "$(errors novote)" -ge 1 ] 2>/dev/null
check "the counterexample is the one-master assertion" grep -q "assertion violated.*master_of" "$T/novote/pan.out"
if [ -f "$T/novote/model.pml.trail" ]; then
	# the end of the counterexample: who voted what, who is master of which term
	(cd "$T/novote" && spin -t -g -DMAXTERM="$MAXTERM" -DNO_PERSISTED_VOTE model.pml 2>&1) |
		grep -E "^\s+(term|voted|role|master_of)\[" | tail -12 | sed 's/^/    /'
fi

echo "$PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
