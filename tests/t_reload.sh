#!/bin/sh
# Reloads (SIGHUP) under a steady query load: every good reload is served at
# once (a name added and removed, a zone added and removed through the
# configuration); a bad zone or configuration is refused with file, line and
# reason while the running data keeps being served; no query is lost or
# answered wrongly throughout.
. "$(dirname "$0")/lib.sh"
need dig

E=example.test
S=second.test
cp "$top_srcdir/zones/example.conf" "$T/one.conf"
sed 's/^\(    allow_transfer = .*; }\)$/\1,\n  { name = "second.test"; file = "second.test.zone"; }/' "$T/one.conf" >"$T/two.conf"
cp "$top_srcdir/tests/data/$S.zone" "$T/$S.zone"
# v1 is the example zone; v2 adds a name and bumps the serial.
cp "$top_srcdir/zones/$E.zone" "$T/v1.zone"
{ sed 's/2026112801 ; serial/2026112802 ; serial/' "$T/v1.zone"; echo 'added           A     192.0.2.123'; } >"$T/v2.zone"
cp "$T/one.conf" "$T/levelns.conf"
cp "$T/v1.zone" "$T/$E.zone"

out=$("$LEVELNSD" -c "$T/two.conf" --check-config 2>&1)
expect "the two-zone configuration is valid" "levelnsd: $T/two.conf: ok, 2 zones, 43 records, 0 pools" "$out"

# eventually SECONDS COMMAND...: true once COMMAND succeeds, false after SECONDS.
eventually() {
	limit=$(($1 * 10))
	shift
	n=0
	while [ $n -lt $limit ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}

# answer NAME TYPE: "STATUS rdata..." as dig sees it.
answer() {
	d "$1" "$2" | awk '
		/^;; ->>HEADER<<-/ { sub(/.*status: /, ""); sub(/,.*/, ""); status = $0 }
		/^;; ANSWER SECTION:/ { an = 1; next }
		/^$/ { an = 0 }
		an && !/^;/ { rdata = rdata " " $5 }
		END { print status rdata }'
}
serves() { [ "$(answer "$1" "$2")" = "$3" ]; }
serial_is() { [ "$(d +short $E SOA | awk '{ print $3 }')" = "$1" ]; }

# waits until the log holds COUNT lines with TEXT
logged() { [ "$(grep -c "$2" "$T/ns.log")" -ge "$1" ]; }

start_ns "$T/levelns.conf"

# Steady load: three clients asking all the time, each counting answers,
# until told to stop (or the test is gone).
for i in 1 2 3; do
	(
		while [ -d "$T" ] && [ ! -e "$T/stop" ]; do
			"$RAWQ" loop 127.0.0.1 "$PORT" static.$E A 300
		done >"$T/loop-$i.out" 2>&1
	) &
	eval "LOOP$i=\$!"
done
check "query loops running" eventually 30 grep -q "ok=" "$T/loop-1.out"

DONE=0
REFUSED=0
# reload VERSION ZONES: the zone file version (1 or 2), the number of zones (1 or 2).
reload() {
	cp "$T/v$1.zone" "$T/$E.zone"
	if [ "$2" -eq 2 ]; then cp "$T/two.conf" "$T/levelns.conf"; else cp "$T/one.conf" "$T/levelns.conf"; fi
	kill -HUP "$NS_PID"
	DONE=$((DONE + 1))
	step="reload $DONE (zone v$1, $2 zones)"
	check "$step: done" eventually 30 logged "$DONE" "reload: done"
	records=$((38 + $1 + ($2 - 1) * 4))
	expect "$step: logged" "reload: done, serving $2 zones ($records records) and 0 pools" \
		"$(grep "reload: done" "$T/ns.log" | tail -1 | sed 's/.*\(reload: done.*\)/\1/')"
	if [ "$1" -eq 2 ]; then
		check "$step: added name answers" eventually 10 serves added.$E A "NOERROR 192.0.2.123"
	else
		check "$step: added name is gone" eventually 10 serves added.$E A "NXDOMAIN"
	fi
	check "$step: serial 202611280$1" eventually 10 serial_is "202611280$1"
	if [ "$2" -eq 2 ]; then
		check "$step: second zone answers" eventually 10 serves www.$S A "NOERROR 192.0.2.154"
	else
		check "$step: second zone is REFUSED" eventually 10 serves www.$S A "REFUSED"
	fi
	check "$step: old data still there" serves static.$E A "NOERROR 192.0.2.80"
	sleep 0.3 # let the load run on this version for a while
}

# refused_reload WHAT EXPECTED: SIGHUP with broken files in place; the log
# holds the refusal with EXPECTED (file:line: reason).
refused_reload() {
	kill -HUP "$NS_PID"
	REFUSED=$((REFUSED + 1))
	check "$1: refused" eventually 30 logged "$REFUSED" "reload: refused"
	contains "$1: refusal names file, line and reason" \
		"reload: refused, keeping the running configuration: $2" "$(grep "reload: refused" "$T/ns.log" | tail -1)"
}

for i in 1 2 3 4 5 6 7 8 9 10; do
	# the zone version alternates; the second zone comes and goes every two reloads
	reload $((1 + i % 2)) $((1 + (i + 1) / 2 % 2))
done
# last good state: zone v1, two zones

# A zone file with a syntax error (and the added name, which must not appear).
sed '29a broken   IN IN IN' "$T/v2.zone" >"$T/$E.zone"
refused_reload "broken zone" "$T/$E.zone:30: Syntax error"
# A configuration with a syntax error, that would also drop the second zone.
cp "$T/v2.zone" "$T/$E.zone"
sed '5a \  workers = ;' "$T/one.conf" >"$T/levelns.conf"
refused_reload "broken configuration" "$T/levelns.conf:6: syntax error"
# A configuration naming a zone file that does not exist.
sed 's/"second.test.zone"/"nothere.zone"/' "$T/two.conf" >"$T/levelns.conf"
refused_reload "missing zone file" "$T/nothere.zone: cannot open zone file"
check "after refused reloads: old zone still served" serves added.$E A "NXDOMAIN"
check "after refused reloads: old serial" serial_is 2026112801
check "after refused reloads: second zone still served" serves www.$S A "NOERROR 192.0.2.154"
expect "no reload done after the refusals" "$DONE" "$(grep -c "reload: done" "$T/ns.log")"

# And a good file again is taken.
reload 2 1

touch "$T/stop"
wait "$LOOP1" "$LOOP2" "$LOOP3"
cat "$T"/loop-?.out >"$T/loops.out"
totals=$(awk -F'[= ]' '/^ok=/ { ok += $2; bad += $4; lost += $6; n++ }
	END { printf "%d %d %d %d", n, ok, bad, lost }' "$T/loops.out")
# shellcheck disable=SC2086 # split on purpose
set -- $totals
echo "query loops: $1 runs, ok=$2 bad=$3 lost=$4"
check "query loops ran (got $1 runs)" [ "$1" -ge 6 ]
expect "query loops: no bad answers" 0 "$3"
expect "query loops: no lost queries" 0 "$4"
check "query loops: every query answered" [ "$2" -eq $(($1 * 300)) ]
grep -v "^ok=" "$T/loops.out" | head -5 # anything else the loops said

stop_ns
contains "stopped cleanly" "levelnsd: stopped after" "$(cat "$T/ns.log")"
finish
