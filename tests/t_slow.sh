#!/bin/sh
# TCP limits against slow and greedy clients: a connection that sends part
# of a message and stalls (slowloris) is closed within the read timeout,
# however slowly its bytes trickle in, while a client that waits between
# whole messages is not; over the per-source cap the next connection is
# reset while another source is still answered; after tcp_max_queries
# answers a connection is closed, its answers delivered. Counters in
# /metrics, one log line per kind.
. "$(dirname "$0")/lib.sh"
need dig curl

FLOODQ="$top_builddir/tests/floodq"
E=example.test
cp "$top_srcdir/zones/example.test.zone" "$T/"
cat >"$T/slow.conf" <<CONF
server: { node = "ns1"; tcp_max_connections = 20; tcp_max_per_source = 4; tcp_read_timeout_ms = 1000;
          tcp_idle_timeout_ms = 4000; tcp_max_queries = 5; };
zones = ( { name = "$E"; file = "example.test.zone"; } );
CONF
start_ns "$T/slow.conf" 127.0.0.1 --http 127.0.0.1@HTTPPORT

field() { # NAME LINE
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}
secs_between() { # X LOW HIGH (decimals)
	awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x >= lo && x <= hi) }'
}
metric() {
	curl -sf --max-time 5 "http://127.0.0.1:$HTTP_PORT/metrics" | awk -v s="$1" '$1 == s { print $2 }'
}

# Slowloris: 4 connections send one byte of a length prefix, then nothing.
# They are closed after the 1 s read timeout, not the 4 s idle timeout.
out=$("$FLOODQ" -b 127.0.0.7 slow 127.0.0.1 "$PORT" 4 15)
expect "slowloris: every connection closed ($out)" "4" "$(field closed "$out")"
check "slowloris: not before the read timeout ($out)" secs_between "$(field first "$out")" 0.9 99
check "slowloris: within the read timeout, not the idle one ($out)" secs_between "$(field last "$out")" 0.9 3
# A query sent a byte every 200 ms takes 7 s: closed at about 1 s.
out=$("$FLOODQ" -b 127.0.0.7 trickle 127.0.0.1 "$PORT" static.$E 200)
case "$out" in "closed after "*) secs=$(echo "$out" | cut -d' ' -f3) ;; *) secs=-1 ;; esac
check "trickling bytes does not reset the read timeout ($out)" secs_between "$secs" 0.9 3
# A byte every 20 ms: the 38-byte message is in within 0.8 s and answered.
out=$("$FLOODQ" -b 127.0.0.7 trickle 127.0.0.1 "$PORT" static.$E 20)
contains "a message trickled in within the read timeout is answered" "answered after" "$out"
# Waiting 1.5 s between whole messages is being idle, not slow: answered.
expect "pauses between messages (under the idle timeout) are fine" "answers=3 closed=no" \
	"$("$FLOODQ" -b 127.0.0.7 gap 127.0.0.1 "$PORT" static.$E 3 1500)"
check "the read timeout is logged" grep -q "tcp: 127.0.0.7: a message not complete within 1000 ms (server.tcp_read_timeout_ms): closed" "$T/ns.log"
check "metrics: read timeouts counted" [ "$(metric 'levelns_tcp_limit_total{limit="read_timeout"}')" -ge 5 ]

# Per source: 127.0.0.8 holds 4 connections; 6 more are reset at once.
"$FLOODQ" -b 127.0.0.8 conns 127.0.0.1 "$PORT" 10 20 >"$T/conns.out" &
HOLDER=$!
check "per-source cap: the holder has its connections" eventually 10 grep -q "open=" "$T/conns.out"
expect "per-source cap: 4 kept, 6 reset" "open=4 closed=6" "$(cat "$T/conns.out")"
out=$(dig +tcp +tries=1 +time=3 -b 127.0.0.8 @127.0.0.1 -p "$PORT" static.$E A 2>&1)
check "per-source cap: one more from the same source gets no answer" [ "$(echo "$out" | grep -c 'status: NOERROR')" -eq 0 ]
expect "per-source cap: another source is answered over TCP" "192.0.2.80" \
	"$(dig +tcp +short +tries=1 +time=5 -b 127.0.0.9 @127.0.0.1 -p "$PORT" static.$E A)"
expect "per-source cap: the capped source is answered over UDP" "192.0.2.80" \
	"$(dig +short +tries=1 +time=5 -b 127.0.0.8 @127.0.0.1 -p "$PORT" static.$E A)"
check "per-source cap: logged" grep -q "tcp: 127.0.0.8 has 4 connections open (server.tcp_max_per_source): refusing more" "$T/ns.log"
kill "$HOLDER"
wait "$HOLDER" 2>/dev/null
check "per-source cap: once they close, the source is answered again" eventually 10 \
	sh -c "dig +tcp +short +tries=1 +time=2 -b 127.0.0.8 @127.0.0.1 -p $PORT static.$E A | grep -q 192.0.2.80"
check "metrics: per-source refusals counted" [ "$(metric 'levelns_tcp_limit_total{limit="per_source"}')" -ge 7 ]

# Queries per connection: 5 answers, then the connection is closed; the
# answers arrive whole (a graceful close, not a reset).
expect "query cap: 20 pipelined, 5 answered, then closed" "answers=5 closed=yes" \
	"$("$FLOODQ" pipe 127.0.0.1 "$PORT" static.$E 20)"
expect "query cap: 5 one after another, then closed" "answers=5 closed=yes" \
	"$("$FLOODQ" gap 127.0.0.1 "$PORT" static.$E 8 10)"
expect "query cap: 4 leave the connection open" "answers=4 closed=no" \
	"$("$FLOODQ" gap 127.0.0.1 "$PORT" static.$E 4 10)"
check "metrics: capped connections counted" [ "$(metric 'levelns_tcp_limit_total{limit="max_queries"}')" -ge 2 ]
check "query cap: logged" grep -q "answers on one connection (server.tcp_max_queries): closing it" "$T/ns.log"

# Idle: a silent connection is closed after the idle timeout (4 s), not the read timeout.
out=$("$RAWQ" idle 127.0.0.1 "$PORT" 20)
secs=$(echo "$out" | sed -n 's/^closed after \([0-9.]*\) s$/\1/p')
check "idle connection closed at the idle timeout ($out)" secs_between "${secs:-0}" 3.8 8
check "metrics: idle closes counted" [ "$(metric 'levelns_tcp_limit_total{limit="idle"}')" -ge 1 ]

# Many slowloris sources at once cannot hold the server: with every slot
# taken, the slots come free within the read timeout and a real client is
# answered well within its patience.
SLOW=
for i in 1 2 3 4 5; do
	"$FLOODQ" -b 127.0.1.$i slow 127.0.0.1 "$PORT" 4 10 >/dev/null &
	SLOW="$SLOW $!"
done
sleep 0.3
out=$("$RAWQ" wait 127.0.0.1 "$PORT" 10 "0001 0000 0001 0000 0000 0000 06737461746963076578616d706c6504746573740000 0001 0001")
contains "all slots held by slowloris: a real query still answered" "answered after" "$out"
check "all slots held: the limit was reached" [ "$(metric 'levelns_tcp_limit_total{limit="full"}')" -ge 1 ]
for pid in $SLOW; do wait "$pid"; done
stop_ns
finish
