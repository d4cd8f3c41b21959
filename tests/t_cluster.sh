#!/bin/sh
# Three real levelnsd nodes on 127.0.0.11-13 whose cluster traffic passes
# through tests/relay (127.0.0.21-23): they agree on one master; it dies and
# another takes over; it comes back and takes over again after its hold-down;
# a partition isolates the master; a lossy, duplicating, reordering network;
# forged messages. Checked through every node's HTTP API.
. "$(dirname "$0")/lib.sh"
need curl jq

RELAY="$top_builddir/tests/relay"
CPORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
head -c 48 /dev/urandom | base64 >"$T/cluster.key"
echo "cluster-test-token-0123456789" >"$T/admin.token"
cp "$top_srcdir/zones/example.test.zone" "$T/"

"$RELAY" --node 127.0.0.11@$CPORT=127.0.0.21@$CPORT --node 127.0.0.12@$CPORT=127.0.0.22@$CPORT \
	--node 127.0.0.13@$CPORT=127.0.0.23@$CPORT 2>"$T/relay.log" &
RELAY_PID=$!
BACKENDS="$BACKENDS $RELAY_PID"
for i in $(seq 1 50); do grep -q "relay: ready" "$T/relay.log" && break; sleep 0.1; done
RCTL=$(sed -n 's/.*ready control=\([0-9]*\).*/\1/p' "$T/relay.log")
[ -n "$RCTL" ] || { cat "$T/relay.log"; echo "FAIL: relay did not start"; exit 1; }
relay() { "$RELAY" ctl "$RCTL" "$@" >/dev/null; }

start_backend a 127.0.0.2
start_backend b 127.0.0.3
start_backend dead 127.0.0.4 --mode refuse

# Node i: itself at its real address, its peers at their relay addresses.
# Node 3 probes member a at a dead port: its vantage point differs.
for i in 1 2 3; do
	addr() { [ "$1" = "$i" ] && echo "127.0.0.1$1@$CPORT" || echo "127.0.0.2$1@$CPORT"; }
	probe_a="127.0.0.2@$a_http"
	[ "$i" = 3 ] && probe_a="127.0.0.4@$dead_http"
	cat >"$T/ns$i.conf" <<CONF
server: { node = "ns$i"; workers = 1; };
zones = ( { name = "example.test"; file = "example.test.zone"; } );
pools = ( { name = "www.example.test"; policy = "failover"; probe = { type = "http"; path = "/health"; };
            members = ( { name = "a"; address = "127.0.0.2"; probe = "$probe_a"; priority = 100; },
                        { name = "b"; address = "127.0.0.3@$b_http"; priority = 50; } ); } );
http = { token_file = "admin.token"; };
cluster = { key_file = "cluster.key"; state_dir = "state$i"; hold_down_ms = 1000;
  nodes = ( { name = "ns1"; address = "$(addr 1)"; priority = 100; },
            { name = "ns2"; address = "$(addr 2)"; priority = 50; },
            { name = "ns3"; address = "$(addr 3)"; priority = 10; } ); };
CONF
done

FAKETIME_LIB=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 2>/dev/null | head -1)
echo "+0" >"$T/faketime"
# node_start I: starts node I with DNS and API ports of its own, picked at
# random (again, when taken); sets PIDi and PORTi (its API is on PORTi + 1).
node_start() {
	i=$1
	for attempt in 1 2 3 4 5 6 7 8; do
		DNS=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
		: >"$T/ns$i.try"
		# Node 3 runs with a wall clock the test can jump (libfaketime), its
		# monotonic clock untouched, as on a real machine. (clang's ASan,
		# linked in, would reach libfaketime from inside its allocator and
		# deadlock: its release-to-OS clock is turned off.)
		if [ "$i" = 3 ] && [ -n "$FAKETIME_LIB" ]; then
			env LD_PRELOAD="$FAKETIME_LIB" FAKETIME_TIMESTAMP_FILE="$T/faketime" FAKETIME_NO_CACHE=1 \
				FAKETIME_DONT_FAKE_MONOTONIC=1 \
				ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0:allocator_release_to_os_interval_ms=-1" \
				"$LEVELNSD" -c "$T/ns$i.conf" -f -a "127.0.0.1@$DNS" --http "127.0.0.1@$((DNS + 1))" 2>"$T/ns$i.try" &
		else
			"$LEVELNSD" -c "$T/ns$i.conf" -f -a "127.0.0.1@$DNS" --http "127.0.0.1@$((DNS + 1))" 2>"$T/ns$i.try" &
		fi
		eval "PID$i=$! PORT$i=$DNS"
		BACKENDS="$BACKENDS $!" # killed at exit if still there
		for k in $(seq 1 100); do
			if grep -q "ready:" "$T/ns$i.try"; then
				cat "$T/ns$i.try" >>"$T/ns$i.log"
				return 0
			fi
			grep -q "in use" "$T/ns$i.try" && break
			sleep 0.1
		done
		cat "$T/ns$i.try" >>"$T/ns$i.log"
		eval "wait \$PID$i" 2>/dev/null
		grep -q "in use" "$T/ns$i.try" || break
	done
	cat "$T/ns$i.log"
	echo "FAIL: ns$i did not start"
	exit 1
}
api_port() { eval "echo \$((PORT$1 + 1))"; }
master_of() { curl -sf "http://127.0.0.1:$(api_port "$1")/api/v1/master" | jq -r "$2"; }
all_agree() { # all_agree MASTER NODE...
	want=$1
	shift
	for n in "$@"; do [ "$(master_of "$n" .master)" = "$want" ] || return 1; done
}
not_master() { [ "$(master_of "$1" .is_master)" = "false" ]; }

node_start 1
node_start 2
node_start 3
check "three nodes agree: ns1, the highest priority, is master" eventually 15 all_agree ns1 1 2 3
t1=$(master_of 2 .term)

# A jump of node 3's wall clock, forwards then backwards: timers and leases
# run on CLOCK_MONOTONIC, so nothing happens.
if [ -n "$FAKETIME_LIB" ]; then
	echo "+3600" >"$T/faketime"
	sleep 1.5
	echo "-7200" >"$T/faketime"
	sleep 1.5
	expect "wall clock jumps change no term" "$t1 $t1 $t1" "$(master_of 1 .term) $(master_of 2 .term) $(master_of 3 .term)"
	check "nor the master" all_agree ns1 1 2 3
	echo "+0" >"$T/faketime"
else
	echo "SKIP: the wall clock jump (the faketime package is not installed)"
fi
out=$(curl -s -X POST -H "Authorization: Bearer cluster-test-token-0123456789" "http://127.0.0.1:$(api_port 2)/api/v1/election")
expect "a client asking for an election is told the live master" "ns1" "$(echo "$out" | jq -r .master)"
expect "POST /election without the token: 401" "401" \
	"$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$(api_port 2)/api/v1/election")"
nodes=$(curl -s "http://127.0.0.1:$(api_port 1)/api/v1/nodes")
expect "the master sees every node reachable" "true true true" "$(echo "$nodes" | jq -r '[.nodes[].reachable] | join(" ")')"
expect "and runs the same configuration" "true true true" "$(echo "$nodes" | jq -r '[.nodes[].config_match] | join(" ")')"

# Multi-vantage health: node 3's own probes see member a down, the quorum up.
answer_of() { eval "p=\$PORT$1"; dig +short +tries=1 +time=2 @127.0.0.1 -p "$p" www.example.test A; }
every_node_answers() { for n in 1 2 3; do [ "$(answer_of $n)" = "$1" ] || return 1; done; }
own_state() { curl -s "http://127.0.0.1:$(api_port "$1")/api/v1/health" | jq -r '.pools[0].members[0].state'; }
own_down() { [ "$(own_state "$1")" = down ]; }
check "node 3 sees member a down with its own probes" eventually 10 own_down 3
check "yet every node answers a, as the quorum's verdict says" eventually 10 every_node_answers 127.0.0.2
backend_ctl a mode refuse
check "member a dies: no node answers it" eventually 10 every_node_answers 127.0.0.3
backend_ctl a mode up
check "a recovers: every node answers it again" eventually 10 every_node_answers 127.0.0.2

# Drains are the master's decisions: posted to a follower, they reach every node.
TOK="Authorization: Bearer cluster-test-token-0123456789"
post_drain() { curl -s -o /dev/null -w '%{http_code}' -X POST -H "$TOK" "http://127.0.0.1:$(api_port "$1")/api/v1/members/www.example.test/a/$2"; }
expect "a drain posted to a follower is accepted" "200" "$(post_drain 3 drain)"
check "the master decides it: no node answers the drained member" eventually 10 every_node_answers 127.0.0.3

# The master dies: the next in priority takes over; the followers count the
# heartbeats they missed meanwhile (/metrics).
missed() { curl -sf "http://127.0.0.1:$(api_port "$1")/metrics" | awk '$1 == "levelns_cluster_heartbeats_missed_total" { print $2 }'; }
missed3=$(missed 3)
kill -9 "$PID1"
wait "$PID1" 2>/dev/null
check "master killed: ns2 takes over on every live node" eventually 10 all_agree ns2 2 3
m=$(missed 3)
check "a follower counted missed heartbeats ($missed3 -> $m)" [ "${m:-0}" -gt "${missed3:-0}" ]
t2=$(master_of 2 .term)
check "a new term ($t1 -> $t2)" [ "$t2" -gt "$t1" ]

# It comes back: after its hold-down it is master again, in a newer term.
node_start 1
check "ns1 back: master again after its hold-down" eventually 15 all_agree ns1 1 2 3
t3=$(master_of 3 .term)
check "terms never go backwards ($t2 -> $t3)" [ "$t3" -gt "$t2" ]
check "the drain outlived the master's death and return" every_node_answers 127.0.0.3
expect "undrain through another follower" "200" "$(post_drain 2 undrain)"
check "every node answers the member again" eventually 10 every_node_answers 127.0.0.2

# A follower crashes and comes back: the master and its term stay.
tf=$(master_of 1 .term)
kill -9 "$PID3"
wait "$PID3" 2>/dev/null
sleep 1
check "follower killed: the master stays" all_agree ns1 1 2
expect "and so does its term" "$tf $tf" "$(master_of 1 .term) $(master_of 2 .term)"
node_start 3
check "the follower restarts and follows the same master" eventually 10 all_agree ns1 1 2 3
expect "in the same term" "$tf" "$(master_of 3 .term)"

# A partition isolates a follower: the others go on; it notices, and rejoins.
relay isolate 3
stale3() { [ "$(master_of 3 .stale)" = "true" ]; }
check "an isolated follower marks its view stale" eventually 10 stale3
check "while the master and the other follower go on" all_agree ns1 1 2
expect "in the same term" "$tf $tf" "$(master_of 1 .term) $(master_of 2 .term)"
relay heal
check "healed: the follower follows the master again" eventually 10 all_agree ns1 1 2 3
fresh3() { [ "$(master_of 3 .stale)" = "false" ]; }
check "and is no longer stale" eventually 10 fresh3

# A partition isolates the master: the majority elects ns2; ns1 stops acting as master.
relay isolate 1
check "isolated master: the majority elects ns2" eventually 10 all_agree ns2 2 3
check "the isolated old master no longer acts as master" eventually 5 not_master 1
expect "and says its view is stale" "true" "$(master_of 1 .stale)"
relay heal
check "healed: one master for all three" eventually 15 all_agree ns1 1 2 3

# A bad network: loss, duplicates, reordering, delay. One master per term throughout.
relay drop 15
relay dup 20
relay reorder 20
relay delay 2 10
: >"$T/seen"
end=$(($(date +%s) + 6))
while [ "$(date +%s)" -lt "$end" ]; do
	for n in 1 2 3; do
		master_of "$n" '"\(.term) \(.master) \(.is_master) \(.node)"' >>"$T/seen"
	done
done
relay reset
bad=$(awk '$3 == "true" { m[$1] = m[$1] " " $4 } END { for (t in m) { split(m[t], a, " "); n = 0; delete u; for (k in a) if (!(a[k] in u)) { u[a[k]] = 1; n++ } if (n > 1) print t } }' "$T/seen")
expect "never two nodes acting as master in one term" "" "$bad"
check "after the bad network, one master for all three" eventually 15 all_agree ns1 1 2 3

# No majority: with two nodes cut off, a client asking for an election gets 503.
relay partition 1 2 3
code=0
check "no majority: POST /election answers 503 with a reason" eventually 10 sh -c \
	"curl -s -o '$T/el.out' -w '%{http_code}' -X POST -H 'Authorization: Bearer cluster-test-token-0123456789' http://127.0.0.1:$(api_port 3)/api/v1/election | grep -q 503"
contains "the reason" "error" "$(cat "$T/el.out")"
relay heal
check "healed again: one master for all three" eventually 15 all_agree ns1 1 2 3

# Forged and garbage messages are dropped and counted, never acted on.
bash -c "printf 'LNSC garbage' >/dev/udp/127.0.0.12/$CPORT; printf 'hello' >/dev/udp/127.0.0.12/$CPORT"
forged=$(head -c 120 /dev/urandom | od -An -tx1 | tr -d ' \n')
bash -c "printf 'LNSC\001\005\000\000%0160d' 0 >/dev/udp/127.0.0.12/$CPORT"
dropped_ge() { [ "$(curl -s "http://127.0.0.1:$(api_port 2)/api/v1/nodes" | jq '.dropped.malformed + .dropped.bad_mac')" -ge "$1" ]; }
check "garbage is counted as dropped" eventually 5 dropped_ge 3
check "and the master is unchanged" all_agree ns1 1 2 3

for i in 1 2 3; do
	eval "pid=\$PID$i"
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	check "ns$i exits 0 on SIGTERM" [ "$rc" -eq 0 ]
done
finish
