#!/bin/sh
# Isolation: a query flood on the master of a three-node cluster must not
# starve its probes or its heartbeats. Node 1 (the master) is flooded with
# UDP queries for the pool's name at full speed for 12 s from two clients
# (tests/floodq; loopback is allow-listed, so every query is answered: the
# most work a flood can cause). Meanwhile member a's backend stops: the
# answer moves to b within 5 s; b is never taken down on any node; the
# master and its term stay; no node starts an election.
. "$(dirname "$0")/lib.sh"
need dig curl jq

RELAY="$top_builddir/tests/relay"
FLOODQ="$top_builddir/tests/floodq"
CPORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
head -c 48 /dev/urandom | base64 >"$T/cluster.key"
cp "$top_srcdir/zones/example.test.zone" "$T/"

"$RELAY" --node 127.0.0.11@$CPORT=127.0.0.21@$CPORT --node 127.0.0.12@$CPORT=127.0.0.22@$CPORT \
	--node 127.0.0.13@$CPORT=127.0.0.23@$CPORT 2>"$T/relay.log" &
BACKENDS="$BACKENDS $!"
for i in $(seq 1 50); do grep -q "relay: ready" "$T/relay.log" && break; sleep 0.1; done
grep -q "relay: ready" "$T/relay.log" || { cat "$T/relay.log"; echo "FAIL: relay did not start"; exit 1; }

start_backend a 127.0.0.2
start_backend b 127.0.0.3

for i in 1 2 3; do
	addr() { [ "$1" = "$i" ] && echo "127.0.0.1$1@$CPORT" || echo "127.0.0.2$1@$CPORT"; }
	cat >"$T/ns$i.conf" <<CONF
server: { node = "ns$i"; };
zones = ( { name = "example.test"; file = "example.test.zone"; } );
pools = ( { name = "www.example.test"; policy = "failover"; probe = { type = "http"; path = "/health"; };
            members = ( { name = "a"; address = "127.0.0.2@$a_http"; priority = 100; },
                        { name = "b"; address = "127.0.0.3@$b_http"; priority = 50; } ); } );
cluster = { key_file = "cluster.key"; state_dir = "state$i"; hold_down_ms = 1000;
  nodes = ( { name = "ns1"; address = "$(addr 1)"; priority = 100; },
            { name = "ns2"; address = "$(addr 2)"; priority = 50; },
            { name = "ns3"; address = "$(addr 3)"; priority = 10; } ); };
CONF
done

# node_start I: node I with DNS and API ports of its own (again when taken); sets PIDi, PORTi.
node_start() {
	i=$1
	for attempt in 1 2 3 4 5 6 7 8; do
		DNS=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
		: >"$T/ns$i.log"
		"$LEVELNSD" -c "$T/ns$i.conf" -f -a "127.0.0.1@$DNS" --http "127.0.0.1@$((DNS + 1))" 2>"$T/ns$i.log" &
		eval "PID$i=$! PORT$i=$DNS"
		BACKENDS="$BACKENDS $!"
		for k in $(seq 1 100); do
			grep -q "ready:" "$T/ns$i.log" && return 0
			grep -q "in use" "$T/ns$i.log" && break
			sleep 0.1
		done
		eval "wait \$PID$i" 2>/dev/null
		grep -q "in use" "$T/ns$i.log" || break
	done
	cat "$T/ns$i.log"
	echo "FAIL: ns$i did not start"
	exit 1
}
api() { eval "p=\$PORT$1"; curl -sf --max-time 5 "http://127.0.0.1:$((p + 1))/api/v1/$2"; }
master_of() { api "$1" master | jq -r "$2"; }
all_agree() { for n in 1 2 3; do [ "$(master_of "$n" .master)" = "$1" ] || return 1; done; }
tcp_answer() { dig +tcp +short +tries=1 +time=2 @127.0.0.1 -p "$PORT1" www.example.test A; }
answers() { [ "$(tcp_answer)" = "$1" ]; }
ms() { echo $(($(date +%s%N) / 1000000)); }

node_start 1
node_start 2
node_start 3
check "three nodes agree: ns1 is master" eventually 20 all_agree ns1
check "node 1 answers member a" eventually 10 answers 127.0.0.2
terms=$(for n in 1 2 3; do master_of "$n" .term; done | tr '\n' ' ')
elections=$(for n in 1 2 3; do grep -c "cluster: ns$n is candidate" "$T/ns$n.log"; done | tr '\n' ' ')
missed() { echo "$(api 2 stats | jq .cluster.heartbeats_missed) $(api 3 stats | jq .cluster.heartbeats_missed)"; }
missed0=$(missed)

# The flood: two clients, 12 s, on the master.
"$FLOODQ" flood 127.0.0.1 "$PORT1" www.example.test 12 >"$T/flood1.out" &
F1=$!
"$FLOODQ" flood 127.0.0.1 "$PORT1" www.example.test 12 >"$T/flood2.out" &
F2=$!
sleep 3
backend_ctl a mode refuse
t0=$(ms)
moved=no
while [ $(($(ms) - t0)) -lt 8000 ]; do
	if answers 127.0.0.3; then
		moved=yes
		break
	fi
	sleep 0.05
done
failover=$(($(ms) - t0))
within() { [ "$moved" = yes ] && [ "$failover" -le 5000 ]; }
check "under the flood, the answer moves to b within 5 s (took $failover ms)" within
wait "$F1"
wait "$F2"
echo "flood: $(cat "$T/flood1.out"); $(cat "$T/flood2.out")"
answered=$(($(sed -n 's/.*answered=\([0-9]*\).*/\1/p' "$T/flood1.out") + $(sed -n 's/.*answered=\([0-9]*\).*/\1/p' "$T/flood2.out")))
check "the flood was one: over 20,000 answers in 12 s ($answered)" [ "$answered" -gt 20000 ]

expect "after the flood: the same term on every node" "$terms" "$(for n in 1 2 3; do master_of "$n" .term; done | tr '\n' ' ')"
check "and the same master" all_agree ns1
expect "no node became a candidate" "$elections" \
	"$(for n in 1 2 3; do grep -c "cluster: ns$n is candidate" "$T/ns$n.log"; done | tr '\n' ' ')"
for n in 1 2 3; do
	check "ns$n never took member b down" [ "$(grep -c 'probe: www.example.test/b .*-> down' "$T/ns$n.log")" -eq 0 ]
	expect "ns$n sees b up" "up" "$(api "$n" health | jq -r '.pools[0].members[1].state')"
done
echo "heartbeats missed on ns2 and ns3 (over 150 ms without one): before the flood $missed0, after $(missed)"

backend_ctl a mode up
check "a recovers: answered again" eventually 10 answers 127.0.0.2
for n in 1 2 3; do
	eval "pid=\$PID$n"
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	check "ns$n exits 0 on SIGTERM" [ "$rc" -eq 0 ]
done
finish
