#!/bin/sh
# levelnsctl against a running levelnsd: every command's output, --json
# read back with jq, drains seen through the API and through DNS, reloads,
# and the exit codes: 1 when the daemon refuses (wrong or missing token,
# no token configured, unknown pool or member, a broken reload, an answer
# that is not JSON or too big), 2 for usage errors, 3 when the daemon
# cannot be reached (refused, timed out). The token never reaches the
# output.
. "$(dirname "$0")/lib.sh"
need dig jq

CTL="$top_builddir/levelnsctl"
TOKEN=ctl-test-token-0123456789abcdef
unset LEVELNS_URL LEVELNS_TOKEN_FILE

start_backend a 127.0.0.2
start_backend b 127.0.0.3
start_backend junk 127.0.0.4

cp "$top_srcdir/zones/example.test.zone" "$T/example.test.zone"
echo "$TOKEN" >"$T/admin.token"
echo "not-the-token-0123456789abcdef" >"$T/wrong.token"
write_conf() {
	cat >"$T/ctl.conf" <<CONF
server: { node = "ns1"; workers = 1; };
rrl = { rate = 20; allow = [ "127.0.0.1" ]; };
http = { $1 };
zones = ( { name = "example.test"; file = "example.test.zone"; } );
pools = (
  { name = "www.example.test"; policy = "failover"; ttl = 5;
    probe = { type = "http"; path = "/health"; };
    members = ( { name = "a"; address = "127.0.0.2@$a_http"; priority = 100; },
                { name = "b"; address = "127.0.0.3@$b_http"; priority = 50; } ); },
  { name = "odd.example.test"; policy = "round-robin"; probe = { type = "tcp"; };
    members = ( { name = "eu west#1?"; address = "127.0.0.2@$a_tcp"; },
                { name = "b"; address = "127.0.0.3@$b_tcp"; } ); }
);
CONF
}
write_conf 'token_file = "admin.token";'
start_ns "$T/ctl.conf"
export LEVELNS_URL="http://127.0.0.1:$HTTP_PORT"
E=example.test

# ctl ARG...: runs levelnsctl; sets out, err and rc; keeps everything in all.log.
ctl() {
	"$CTL" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	out=$(cat "$T/out")
	err=$(cat "$T/err")
	{ echo "\$ levelnsctl $*"; cat "$T/out" "$T/err"; } >>"$T/all.log"
}
answer() { d +short "$@" | sort | tr '\n' ' ' | sed 's/ $//'; }
answers_is() { want=$1; shift; [ "$(answer "$@")" = "$want" ]; }
state_is() {
	s=$("$CTL" --json health | jq -r ".pools[] | select(.name == \"$1\") | .members[] | select(.name == \"$2\") | .state")
	[ "$s" = "$3" ]
}

all_up() {
	n=$("$CTL" --json health | jq '[.pools[].members[] | select(.state == "up")] | length')
	[ "$n" = 4 ]
}
check "every member comes up" eventually 20 all_up

# ---- reads ----
ctl health
expect "health: exit 0" 0 "$rc"
contains "health: a header" "POOL              MEMBER      ADDRESS    STATE" "$out"
contains "health: member a up" "www.example.test  a           127.0.0.2  up" "$out"
contains "health: member b up" "www.example.test  b           127.0.0.3  up" "$out"
contains "health: the probe interval" " ms" "$out"
expect "health: nothing on stderr" "" "$err"

ctl pools
expect "pools: exit 0" 0 "$rc"
contains "pools: policy, TTL, members and the answer" "www.example.test  failover       5        2  127.0.0.2" "$out"
contains "pools: the round-robin pool" "odd.example.test  round-robin" "$out"

ctl master
expect "master: exit 0" 0 "$rc"
contains "master: the master" "master:         ns1" "$out"
contains "master: the term" "term:" "$out"
contains "master: this node" "this node:      ns1 (master" "$out"

ctl nodes
expect "nodes: exit 0" 0 "$rc"
contains "nodes: this node" "ns1" "$out"
contains "nodes: elections" "elections:" "$out"

ctl status
expect "status: exit 0" 0 "$rc"
contains "status: master and term" "master:  ns1, term " "$out"
contains "status: the pools and their answers" "  www.example.test  failover     127.0.0.2" "$out"
contains "status: every member up" "members: all members up (4)" "$out"

# --json: the daemon's documents, for jq
expect "--json health" "up" "$("$CTL" --json health | jq -r '.pools[0].members[0].state')"
expect "--json pools" '["127.0.0.2"]' "$("$CTL" --json pools | jq -c '.pools[0].answer')"
expect "--json master" "ns1" "$("$CTL" master --json | jq -r .master)"
expect "--json nodes" "ns1" "$("$CTL" -j nodes | jq -r '.nodes[0].name')"
expect "--json status holds the four documents" '["health","master","nodes","pools"]' \
	"$("$CTL" --json status | jq -c 'keys')"
expect "--json status: the pools' answers" "127.0.0.2" \
	"$("$CTL" --json status | jq -r '.pools.pools[0].answer[0]')"

# A member down shows in status, with its reason.
backend_ctl b mode refuse
status_has() { "$CTL" status | grep -q "$1"; }
check "status: members down" eventually 10 status_has "members: 2 down of 4"
ctl status
contains "status: which member, and why" "www.example.test/b  down  connection refused" "$out"
contains "status: the other pool's member" "odd.example.test/b  down  connection refused" "$out"
ctl health
contains "health: b down" "127.0.0.3  down" "$out"
backend_ctl b mode up
check "status: all up again" eventually 10 status_has "all members up"

# ---- drain and undrain ----
ctl drain www.$E a
expect "drain without a token: exit 1" 1 "$rc"
contains "drain without a token: the daemon's error and status" "(HTTP 401)" "$err"
contains "drain without a token: how to give one" "no token was sent: give --token-file" "$err"
ctl --token-file "$T/wrong.token" drain www.$E a
expect "drain with a wrong token: exit 1" 1 "$rc"
contains "drain with a wrong token: 401" "(HTTP 401)" "$err"
expect "a wrong token changes nothing" "127.0.0.2" "$(answer www.$E A)"
ctl --token-file "$T/missing.token" drain www.$E a
expect "a token file that cannot be read: exit 2" 2 "$rc"
contains "a token file that cannot be read: said so" "cannot read the token file $T/missing.token: No such file" "$err"
: >"$T/empty.token"
ctl --token-file "$T/empty.token" drain www.$E a
expect "an empty token file: exit 2" 2 "$rc"
contains "an empty token file: said so" "bad token file $T/empty.token: its first line is empty" "$err"
printf 'abc\033[2Jdef0123456789\n' >"$T/escape.token"
ctl --token-file "$T/escape.token" drain www.$E a
expect "a token with control characters: exit 2" 2 "$rc"
contains "a token with control characters: said so" "holds control characters" "$err"
printf '%s\r\n' "$TOKEN" >"$T/crlf.token"
ctl --token-file "$T/crlf.token" elect
expect "a token file with CRLF: the token without the CR" 0 "$rc"

ctl --token-file "$T/admin.token" drain nosuch.$E a
expect "drain in an unknown pool: exit 1" 1 "$rc"
contains "drain in an unknown pool: named, with 404" "no pool 'nosuch.example.test' (HTTP 404)" "$err"
ctl --token-file "$T/admin.token" drain www.$E zz
expect "drain of an unknown member: exit 1" 1 "$rc"
contains "drain of an unknown member: named" "has no member 'zz' (HTTP 404)" "$err"

ctl --token-file "$T/admin.token" drain www.$E a
expect "drain: exit 0" 0 "$rc"
expect "drain: what was done" "www.example.test/a drained" "$out"
check "drained: DNS answers the other member" eventually 5 answers_is 127.0.0.3 www.$E A
check "drained: the API shows it" state_is www.$E a drained
ctl status
contains "status: the drain" "www.example.test/a  drained" "$out"
ctl --token-file "$T/admin.token" undrain www.$E a
expect "undrain: exit 0" 0 "$rc"
expect "undrain: what was done" "www.example.test/a undrained" "$out"
check "undrained: DNS answers it again" eventually 5 answers_is 127.0.0.2 www.$E A
check "undrained: the API shows it up" state_is www.$E a up

# The token from $LEVELNS_TOKEN_FILE; --until as a duration and as a time.
LEVELNS_TOKEN_FILE="$T/admin.token" ctl drain www.$E a --until 1h
expect "drain --until 1h: exit 0" 0 "$rc"
contains "drain --until 1h: until when" "www.example.test/a drained until $(date -u +%Y-)" "$out"
until=$("$CTL" --json health | jq -r '.pools[0].members[0].drained_until')
check "drain --until 1h: an hour from now ($until)" \
	[ "$(($(date -u -d "$until" +%s) - $(date +%s)))" -gt 3500 ]
check "drained until then: DNS answers the other member" eventually 5 answers_is 127.0.0.3 www.$E A
until=$(date -u -d '+3 seconds' +%Y-%m-%dT%H:%M:%SZ)
LEVELNS_TOKEN_FILE="$T/admin.token" ctl drain www.$E a --until "$until"
expect "drain --until TIME: exit 0" 0 "$rc"
check "and answered again once that time has passed" eventually 10 answers_is 127.0.0.2 www.$E A
ctl --token-file "$T/admin.token" drain www.$E a --until tomorrow
expect "drain --until nonsense: exit 2" 2 "$rc"
contains "drain --until nonsense: said so" "--until wants an RFC 3339 time" "$err"

# Names that need escaping in the URL ('#', '?', a space).
ctl --token-file "$T/admin.token" drain odd.$E "eu west#1?"
expect "drain of a member whose name needs escaping: exit 0" 0 "$rc"
expect "drain of a member whose name needs escaping: done" "odd.example.test/eu west#1? drained" "$out"
check "it is drained" state_is odd.$E "eu west#1?" drained
check "and not answered" eventually 5 answers_is 127.0.0.3 odd.$E A
ctl --token-file "$T/admin.token" undrain odd.$E "eu west#1?"
expect "undrain of it: exit 0" 0 "$rc"
check "it is up again" state_is odd.$E "eu west#1?" up

# ---- elect ----
ctl --token-file "$T/admin.token" elect
expect "elect: exit 0" 0 "$rc"
contains "elect: the master and the term" "master ns1, term " "$out"
expect "elect --json" "ns1" "$("$CTL" --token-file "$T/admin.token" --json elect | jq -r .master)"

# ---- stats, events, reload (the API's newer endpoints) ----
for i in 1 2 3 4 5; do d +short www.$E A >/dev/null; d +short nxdomain-$i.$E A >/dev/null; done
ctl stats
expect "stats: exit 0" 0 "$rc"
contains "stats: the queries" "queries:" "$out"
contains "stats: queries by rcode" "NXDOMAIN" "$out"
contains "stats: queries by type" "TYPE" "$out"
contains "stats: answers per pool" "www.example.test" "$out"
contains "stats: probes" "probes:" "$out"
check "stats: no limits line before any was hit" [ -z "$(echo "$out" | grep 'rate limit:')" ]
"$top_builddir/tests/floodq" -b 127.0.0.9 burst 127.0.0.1 "$PORT" static.$E 100 >/dev/null
ctl stats
contains "stats: the rate limiting after a burst from 127.0.0.9" "rate limit: dropped " "$out"
total=$("$CTL" --json stats | jq -r '.queries.total')
check "stats --json: the queries counted ($total)" [ "${total:-0}" -ge 10 ]
nx=$("$CTL" --json stats | jq -r '.queries.by_rcode.NXDOMAIN')
check "stats --json: NXDOMAIN counted ($nx)" [ "${nx:-0}" -ge 5 ]

ctl events
expect "events: exit 0" 0 "$rc"
contains "events: a header" "SEQ  TIME" "$out"
contains "events: b went down" "www.example.test/b up -> down (connection refused)" "$out"
contains "events: and came back" "www.example.test/b down -> up" "$out"
contains "events: the drain" "www.example.test/a drained" "$out"
next=$("$CTL" --json events | jq -r .next)
check "events --json: a next sequence number ($next)" [ "${next:-0}" -gt 0 ]
ctl events --since "$next"
expect "events --since NEXT: exit 0" 0 "$rc"
expect "events --since NEXT: nothing newer" "no events" "$out"
ctl events --since -3
expect "events --since nonsense: exit 2" 2 "$rc"
# events -f: new events as they come, one line each
"$CTL" events -f --since "$next" >"$T/follow" 2>&1 &
follower=$!
"$CTL" --token-file "$T/admin.token" drain www.$E b >/dev/null
follow_has() { grep -q "$1" "$T/follow"; }
check "events -f: a new drain shows up" eventually 10 follow_has "drain   www.example.test/b drained"
"$CTL" --token-file "$T/admin.token" undrain www.$E b >/dev/null
check "events -f: and the undrain" eventually 10 follow_has "drain   www.example.test/b undrained"
check "events -f: only what is newer than --since" sh -c "! grep -q 'up -> down' '$T/follow'"
kill "$follower"
wait "$follower" 2>/dev/null

ctl --token-file "$T/admin.token" reload
expect "reload: exit 0" 0 "$rc"
contains "reload: what was loaded" "reloaded: generation" "$out"
contains "reload: the zones and pools" "1 zones, 2 pools" "$out"
cp "$T/ctl.conf" "$T/ctl.conf.good"
echo "pools = ( oops" >>"$T/ctl.conf"
ctl --token-file "$T/admin.token" reload
expect "reload of a broken file: exit 1" 1 "$rc"
contains "reload of a broken file: the file and line" "ctl.conf:" "$err"
contains "reload of a broken file: still serving" "(HTTP 409)" "$err"
expect "still serving after a refused reload" "127.0.0.2" "$(answer www.$E A)"
cp "$T/ctl.conf.good" "$T/ctl.conf"
ctl events
contains "events: the reloads" "reload  ok" "$out"
contains "events: the refused reload" "reload  refused" "$out"

# ---- answers that are not the daemon's ----
ctl -s "http://127.0.0.4:$junk_http" health
expect "a 404 that is not JSON: exit 1" 1 "$rc"
contains "a 404 that is not JSON: the status" "HTTP 404" "$err"
backend_ctl junk mode status 200
ctl -s "http://127.0.0.4:$junk_http" health
expect "a 200 that is not JSON: exit 1" 1 "$rc"
contains "a 200 that is not JSON: said so" "malformed JSON" "$err"
backend_ctl junk mode garbage
ctl -s "http://127.0.0.4:$junk_http" health
expect "an answer that is not HTTP: exit 1" 1 "$rc"
contains "an answer that is not HTTP: said so" "did not answer in HTTP" "$err"
backend_ctl junk mode endless
ctl -s "http://127.0.0.4:$junk_http" health
expect "an endless answer: exit 1" 1 "$rc"
contains "an endless answer: capped" "is larger than 4 MiB" "$err"
backend_ctl junk mode blackhole-http
ctl -s "127.0.0.4:$junk_http" --timeout 1 health
expect "no answer: exit 3" 3 "$rc"
contains "no answer: said so, with the URL" "cannot reach http://127.0.0.4:$junk_http: no answer within 1.000 s" "$err"

# ---- usage ----
ctl
expect "no command: exit 2" 2 "$rc"
contains "no command: said so" "no command given" "$err"
ctl frobnicate
expect "unknown command: exit 2" 2 "$rc"
contains "unknown command: named" "unknown command frobnicate" "$err"
ctl drain www.$E
expect "drain with one argument: exit 2" 2 "$rc"
contains "drain with one argument: its usage" "usage: levelnsctl drain POOL MEMBER [--until T]" "$err"
ctl status extra
expect "an extra argument: exit 2" 2 "$rc"
ctl --bogus status
expect "an unknown option: exit 2" 2 "$rc"
ctl --timeout abc status
expect "a bad timeout: exit 2" 2 "$rc"
ctl --until 1h status
expect "--until without drain: exit 2" 2 "$rc"
ctl -s ftp://127.0.0.1 status
expect "a URL that is not HTTP: exit 2" 2 "$rc"
ctl --help
expect "--help: exit 0" 0 "$rc"
contains "--help: the usage" "usage: levelnsctl [-s URL]" "$out"
ctl -V
expect "-V: exit 0" 0 "$rc"
contains "-V: the version" "levelnsctl " "$out"

# ---- http.read_auth: reads need the token too ----
write_conf 'token_file = "admin.token"; read_auth = true;'
kill -HUP "$NS_PID"
reads_closed() { ! "$CTL" pools >/dev/null 2>&1; }
check "after a reload with http.read_auth, reads need the token" eventually 10 reads_closed
ctl status
expect "read_auth, no token: exit 1" 1 "$rc"
contains "read_auth, no token: 401" "(HTTP 401)" "$err"
contains "read_auth, no token: how to give one" "no token was sent" "$err"
ctl --token-file "$T/wrong.token" health
expect "read_auth, a wrong token: exit 1" 1 "$rc"
LEVELNS_TOKEN_FILE="$T/admin.token" ctl status
expect "read_auth, the token: exit 0" 0 "$rc"
contains "read_auth, the token: the status" "master:  ns1" "$out"

# ---- no token configured: writes refused with how to configure one ----
write_conf ''
kill -HUP "$NS_PID"
no_token() { "$CTL" --token-file "$T/admin.token" drain www.$E a 2>&1 | grep -q "writes are disabled"; }
check "after a reload without http.token_file, writes are refused" eventually 10 no_token
ctl --token-file "$T/admin.token" drain www.$E a
expect "no token configured: exit 1" 1 "$rc"
contains "no token configured: how to configure one" "set http.token_file" "$err"
contains "no token configured: 403" "(HTTP 403)" "$err"
expect "nothing was drained" "127.0.0.2" "$(answer www.$E A)"

# ---- the daemon down ----
port=$HTTP_PORT
stop_ns
ctl status
expect "daemon down: exit 3" 3 "$rc"
expect "daemon down: said so" "levelnsctl: cannot reach http://127.0.0.1:$port: Connection refused" "$err"
ctl --token-file "$T/admin.token" drain www.$E a
expect "daemon down, a write: exit 3" 3 "$rc"

# ---- a cluster of three nodes: status and nodes show every node ----
CPORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
head -c 48 /dev/urandom | base64 >"$T/cluster.key"
for i in 1 2 3; do
	cat >"$T/ns$i.conf" <<CONF
server: { node = "ns$i"; workers = 1; };
zones = ( { name = "example.test"; file = "example.test.zone"; } );
pools = ( { name = "www.example.test"; probe = { type = "http"; path = "/health"; };
            members = ( { name = "a"; address = "127.0.0.2@$a_http"; priority = 100; },
                        { name = "b"; address = "127.0.0.3@$b_http"; priority = 50; } ); } );
http = { token_file = "admin.token"; };
cluster = { key_file = "cluster.key"; state_dir = "state$i";
  nodes = ( { name = "ns1"; address = "127.0.0.11@$CPORT"; priority = 100; },
            { name = "ns2"; address = "127.0.0.12@$CPORT"; priority = 50; },
            { name = "ns3"; address = "127.0.0.13@$CPORT"; priority = 10; } ); };
CONF
done
# node_start I: node I with DNS and API ports of its own (again when taken).
node_start() {
	for attempt in 1 2 3 4 5 6 7 8; do
		p=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
		: >"$T/ns$1.log"
		"$LEVELNSD" -c "$T/ns$1.conf" -f -a "127.0.0.1@$p" --http "127.0.0.1@$((p + 1))" 2>"$T/ns$1.log" &
		eval "PID$1=$! URL$1=http://127.0.0.1:$((p + 1))"
		BACKENDS="$BACKENDS $!" # killed at exit if still there
		for k in $(seq 1 100); do
			grep -q "ready:" "$T/ns$1.log" && return 0
			grep -q "in use" "$T/ns$1.log" && break
			sleep 0.1
		done
		grep -q "in use" "$T/ns$1.log" || break
	done
	cat "$T/ns$1.log"
	echo "FAIL: ns$1 did not start"
	exit 1
}
node_stop() {
	eval "pid=\$PID$1"
	kill -TERM "$pid"
	wait "$pid"
	check "ns$1 exits 0 on SIGTERM" [ $? -eq 0 ]
}
node_start 1
node_start 2
node_start 3
ns1_master() { [ "$("$CTL" -s "$URL2" --json master | jq -r .master)" = ns1 ]; }
check "cluster: ns1 is master, as ns2 sees it" eventually 20 ns1_master
ctl -s "$URL2" status
expect "cluster status: exit 0" 0 "$rc"
contains "cluster status: the master" "master:  ns1, term " "$out"
contains "cluster status: the node asked" "node:    ns2 (follower)" "$out"
contains "cluster status: the nodes" "nodes:" "$out"
contains "cluster status: the master's heartbeat age" "  ns1  master    heartbeat " "$out"
contains "cluster status: ns2 itself" "  ns2  follower  self" "$out"
contains "cluster status: ns3" "  ns3  " "$out"
ctl -s "$URL1" nodes
expect "cluster nodes: exit 0" 0 "$rc"
contains "cluster nodes: a header" "NODE  ADDRESS  " "$out"
contains "cluster nodes: ns2 at its address" "ns2   127.0.0.12@$CPORT" "$out"
contains "cluster nodes: ns1 itself" "self" "$out"
ctl -s "$URL3" --token-file "$T/admin.token" elect
expect "cluster elect: exit 0" 0 "$rc"
contains "cluster elect: the live master" "master ns1, term " "$out"
node_stop 3
ns3_gone() { "$CTL" -s "$URL1" status | grep "  ns3 " | grep -q unreachable; }
check "cluster status: a node stopped shows unreachable" eventually 15 ns3_gone
node_stop 2
node_stop 1

check "the token never reaches the output" sh -c "! grep -q '$TOKEN' '$T/all.log'"
stop_backends
finish
