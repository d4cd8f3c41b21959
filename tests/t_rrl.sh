#!/bin/sh
# Response rate limiting: a burst over the rate from a source outside the
# allow-list gets its first second's worth of answers, then some answers
# truncated (slip) and the others dropped, and the counters in /metrics
# move; an allow-listed source is never limited; TCP never is; other
# prefixes keep their own rate; a reload changes the settings; RRL off
# limits nothing.
. "$(dirname "$0")/lib.sh"
need curl

FLOODQ="$top_builddir/tests/floodq"
E=example.test
cp "$top_srcdir/zones/example.test.zone" "$T/"

cat >"$T/rrl.conf" <<CONF
server: { node = "ns1"; workers = 2; };
zones = ( { name = "$E"; file = "example.test.zone"; } );
rrl = { enabled = true; rate = 20; slip = 2; window = 5; allow = [ "127.0.0.1", "127.0.1.0/24" ]; };
CONF
start_ns "$T/rrl.conf" 127.0.0.1 --http 127.0.0.1@HTTPPORT

field() { # NAME LINE: the value of NAME=... in LINE
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}
between() { # N LOW HIGH
	[ "$1" -ge "$2" ] && [ "$1" -le "$3" ]
}
metric() { # SERIES: its value in /metrics
	curl -sf --max-time 5 "http://127.0.0.1:$HTTP_PORT/metrics" | awk -v s="$1" '$1 == s { print $2 }'
}

# 200 queries at once from 127.0.0.9: 20 answered in full (a second's
# worth), the other 180 limited: every second one truncated, the rest dropped.
out=$("$FLOODQ" -b 127.0.0.9 burst 127.0.0.1 "$PORT" static.$E 200)
full=$(field full "$out")
tc=$(field truncated "$out")
lost=$(field lost "$out")
check "burst over the rate: about a second's worth answered in full ($out)" between "$full" 20 24
check "burst over the rate: some answers truncated ($out)" between "$tc" 80 92
check "burst over the rate: the others dropped ($out)" between "$lost" 80 92
expect "metrics: the dropped ones counted" "$lost" "$(metric 'levelns_rrl_limited_total{action="dropped"}')"
expect "metrics: the truncated ones counted" "$tc" "$(metric 'levelns_rrl_limited_total{action="slipped"}')"
check "the onset was logged" grep -q "rrl: 127.0.0.0/24 over 20 answers/s: limiting it (slip 2, window 5 s)" "$T/ns.log"

# A truncated answer is what dig shows as TC, with the question and no records.
# (slip 2: about one in two limited queries is answered truncated, so a
# few tries find one)
out=
for i in 1 2 3 4 5 6; do
	out="$out
$(dig +tries=1 +time=1 +norec +ignore -b 127.0.0.9 @127.0.0.1 -p "$PORT" static.$E A)"
	case "$out" in *"flags: qr aa tc;"*) break ;; esac
done
contains "while limited, dig gets a truncated answer" "flags: qr aa tc; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 1" "$out"
# The same prefix over TCP: never limited.
expect "TCP from the limited source: answered" "192.0.2.80" \
	"$(dig +tcp +short +tries=1 +time=5 -b 127.0.0.9 @127.0.0.1 -p "$PORT" static.$E A)"
out=$("$FLOODQ" -b 127.0.0.9 pipe 127.0.0.1 "$PORT" static.$E 100)
expect "TCP from the limited source: 100 pipelined queries, 100 answers" "100" "$(field answers "$out")"

# Another prefix has its own account; the allow-listed source and prefix are never limited.
dropped=$(metric 'levelns_rrl_limited_total{action="dropped"}')
out=$("$FLOODQ" -b 127.0.2.1 burst 127.0.0.1 "$PORT" static.$E 15)
expect "another /24 below the rate: all answered in full" "sent=15 full=15 truncated=0 lost=0" "$out"
out=$("$FLOODQ" -b 127.0.0.1 burst 127.0.0.1 "$PORT" static.$E 1000)
expect "allow-listed address: 1,000 at once, all answered in full" "sent=1000 full=1000 truncated=0 lost=0" "$out"
out=$("$FLOODQ" -b 127.0.1.7 burst 127.0.0.1 "$PORT" static.$E 1000)
expect "allow-listed prefix: 1,000 at once, all answered in full" "sent=1000 full=1000 truncated=0 lost=0" "$out"
expect "metrics: nothing more limited" "$dropped" "$(metric 'levelns_rrl_limited_total{action="dropped"}')"

# The window: 5 s after the flood the prefix is answered again.
sleep 6
out=$("$FLOODQ" -b 127.0.0.9 burst 127.0.0.1 "$PORT" static.$E 10)
expect "after the window: answered again" "sent=10 full=10 truncated=0 lost=0" "$out"

# A reload to slip 1 (every limited answer truncated) and a rate of 50.
sed 's/rate = 20; slip = 2;/rate = 50; slip = 1;/' "$T/rrl.conf" >"$T/rrl2.conf"
mv "$T/rrl2.conf" "$T/rrl.conf"
kill -HUP "$NS_PID"
check "reload taken" eventually 10 grep -q "reload: done" "$T/ns.log"
sleep 1
out=$("$FLOODQ" -b 127.0.3.3 burst 127.0.0.1 "$PORT" static.$E 200)
full=$(field full "$out")
check "after the reload: rate 50 ($out)" between "$full" 50 55
expect "after the reload: slip 1 truncates every limited answer ($out)" "0" "$(field lost "$out")"
stop_ns

# RRL off: nothing is limited.
sed 's/enabled = true;/enabled = false;/' "$T/rrl.conf" >"$T/off.conf"
start_ns "$T/off.conf" 127.0.0.1 --http 127.0.0.1@HTTPPORT
out=$("$FLOODQ" -b 127.0.0.9 burst 127.0.0.1 "$PORT" static.$E 1000)
expect "rrl off: 1,000 at once from anywhere, all answered" "sent=1000 full=1000 truncated=0 lost=0" "$out"
expect "rrl off: nothing counted" "0" "$(metric 'levelns_rrl_limited_total{action="dropped"}')"
stop_ns

# The defaults: on, loopback allow-listed.
cat >"$T/default.conf" <<CONF
server: { node = "ns1"; };
zones = ( { name = "$E"; file = "example.test.zone"; } );
CONF
start_ns "$T/default.conf" 127.0.0.1 --http 127.0.0.1@HTTPPORT
out=$("$FLOODQ" -b 127.0.0.9 burst 127.0.0.1 "$PORT" static.$E 1000)
expect "defaults: loopback is never limited" "sent=1000 full=1000 truncated=0 lost=0" "$out"
stop_ns
finish
