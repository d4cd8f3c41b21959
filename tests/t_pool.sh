#!/bin/sh
# Generic names answered from health probes, end to end: real backends on
# 127.0.0.x switched up, refusing, blackholed and garbage; answers checked
# with dig and with a c-ares client; the health table over HTTP.
. "$(dirname "$0")/lib.sh"
need dig curl jq

start_backend a 127.0.0.2
start_backend b 127.0.0.3
start_backend c 127.0.0.4
start_backend dead 127.0.0.5 --mode refuse

sed 's/^alias           CNAME static/alias           CNAME static\nwww-alias       CNAME www/' \
	"$top_srcdir/zones/example.test.zone" >"$T/example.test.zone"
echo "test-token-0123456789abcdef" >"$T/admin.token"
cat >"$T/pool.conf" <<CONF
server: { node = "ns1"; workers = 2; resolvers = [ "127.0.0.2@$a_dns" ]; };
http = { token_file = "admin.token"; };
zones = ( { name = "example.test"; file = "example.test.zone"; } );
pools = (
  { name = "www.example.test"; policy = "failover"; ttl = 5;
    probe = { type = "http"; path = "/health"; };
    members = ( { name = "a"; address = "127.0.0.2@$a_http"; priority = 100; },
                { name = "b"; address = "127.0.0.3@$b_http"; priority = 50; } ); },
  { name = "rr.example.test"; policy = "round-robin"; probe = { type = "tcp"; };
    members = ( { name = "a"; address = "127.0.0.2@$a_tcp"; }, { name = "b"; address = "127.0.0.3@$b_tcp"; },
                { name = "c"; address = "127.0.0.4@$c_tcp"; } ); },
  { name = "near.example.test"; policy = "affinity"; probe = { type = "tcp"; };
    members = ( { name = "a"; address = "127.0.0.2@$a_tcp"; }, { name = "b"; address = "127.0.0.3@$b_tcp"; },
                { name = "c"; address = "127.0.0.4@$c_tcp"; } ); },
  { name = "sf.example.test"; all_down = "servfail"; probe = { type = "tcp"; };
    members = ( { name = "x"; address = "127.0.0.5@$dead_tcp"; } ); },
  { name = "fb.example.test"; all_down = [ "192.0.2.99" ]; probe = { type = "tcp"; };
    members = ( { name = "x"; address = "127.0.0.5@$dead_tcp"; } ); },
  { name = "busy.example.test"; probe = { type = "tcp"; min_interval_ms = 100; max_interval_ms = 800; busy_qps = 5; };
    members = ( { name = "a"; address = "127.0.0.2@$a_tcp"; } ); },
  { name = "named.example.test"; probe = { type = "http"; path = "/health"; };
    members = ( { name = "h"; address = "be.hosts.test@$a_http"; } ); },
  { name = "six.example.test"; answers = 2; probe = { type = "none"; };
    members = ( { name = "v4"; address = "192.0.2.60"; }, { name = "v6"; address = "2001:db8::60"; } ); }
);
CONF

out=$("$LEVELNSD" -c "$T/pool.conf" --check-config)
contains "--check-config counts the pools" "8 pools" "$out"
contains "--check-config prints the worst-case detection times" \
	"pool www.example.test: failover, 2 members, http probe; worst case to stop answering a dead member: refusing" "$out"

start_ns "$T/pool.conf"
E=example.test
api() { curl -sf "http://127.0.0.1:$HTTP_PORT/api/v1/$1"; }
answer() { d +short "$@" | sort | tr '\n' ' ' | sed 's/ $//'; }
answers_is() { want=$1; shift; [ "$(answer "$@")" = "$want" ]; }
member_state() { api health | jq -r ".pools[] | select(.name == \"$1\") | .members[] | select(.name == \"$2\") | .state"; }
member_field() { api health | jq -r ".pools[] | select(.name == \"$1\") | .members[] | select(.name == \"$2\") | .$3"; }
state_is() { [ "$(member_state "$1" "$2")" = "$3" ]; }

check "failover: the first member answers" eventually 10 answers_is 127.0.0.2 www.$E A
expect "the pool's TTL" "5" "$(d +noall +answer www.$E A | awk '{print $2}')"
check "the health table shows both up" eventually 10 state_is www.$E b up
expect "the pool API shows the answer" '["127.0.0.2"]' "$(api pools | jq -c '.pools[] | select(.name == "www.example.test") | .answer')"
out=$("$top_builddir/tests/cares_resolve" -s "127.0.0.1@$PORT" www.$E)
expect "a c-ares client resolves the generic name" "127.0.0.2" "$out"
out=$(d +noall +answer www-alias.$E A | awk '{print $4, $5}' | tr '\n' ' ')
expect "a static CNAME to a pool name is chased to the pool's choice" "CNAME www.example.test. A 127.0.0.2 " "$out"
expect "other types at a pool name: NODATA" "" "$(d +short www.$E MX)"
expect "no IPv6 member: AAAA is NODATA" "" "$(d +short www.$E AAAA)"
expect "answers = 2 gives one per family to A" "192.0.2.60" "$(answer six.$E A)"
expect "and AAAA the IPv6 member" "2001:db8::60" "$(answer six.$E AAAA)"

# A member given by host name: resolved through c-ares (here from backend a's
# DNS, TTL 5), probed at its address, and re-resolved when the TTL runs out.
check "a host-name member is resolved and answered" eventually 10 answers_is 127.0.0.2 named.$E A
check "and probed at the resolved address" eventually 10 state_is named.$E h up
expect "the health table names its host" "be.hosts.test" "$(member_field named.$E h host)"
backend_ctl a answer 127.0.0.9
check "a new address is picked up when the TTL runs out" eventually 15 answers_is 127.0.0.9 named.$E A
backend_ctl a answer default

# Refused: a goes down, b answers; back up, a answers again.
backend_ctl a mode refuse
check "refusing member: no longer answered" eventually 10 answers_is 127.0.0.3 www.$E A
check "refusing member: down in the health table" eventually 5 state_is www.$E a down
contains "with its reason" "refused" "$(member_field www.$E a reason)"
contains "and in its history" "down" "$(api health | jq -c '.pools[0].members[0].history')"
backend_ctl a mode up
check "recovered member: answered again" eventually 10 answers_is 127.0.0.2 www.$E A

# Blackholed: connections accepted, never answered.
backend_ctl a mode blackhole-http
check "blackholed member: no longer answered" eventually 10 answers_is 127.0.0.3 www.$E A
contains "timeout is the reason" "timeout" "$(member_field www.$E a reason)"
backend_ctl a mode up
check "back again" eventually 10 answers_is 127.0.0.2 www.$E A

# Garbage instead of HTTP.
backend_ctl a mode garbage
check "a member answering garbage goes down" eventually 10 state_is www.$E a down
check "and is not answered" eventually 5 answers_is 127.0.0.3 www.$E A
backend_ctl a mode status 503
reason_has() { member_field www.$E a reason | grep -q "$1"; }
check "status 503 keeps it down, with the status as reason" eventually 5 reason_has 503
check "still down" state_is www.$E a down
backend_ctl a mode up
check "up again" eventually 10 state_is www.$E a up

# Drain through the API: never answered while drained, probes go on.
post() { curl -s -o "$T/post.out" -w '%{http_code}' -X POST "$@"; }
TOKEN="Authorization: Bearer test-token-0123456789abcdef"
URL="http://127.0.0.1:$HTTP_PORT/api/v1/members/www.example.test"
expect "drain without a token: 401" "401" "$(post "$URL/a/drain")"
expect "drain with a wrong token: 401" "401" "$(post -H "Authorization: Bearer nope" "$URL/a/drain")"
expect "drain of an unknown member: 404" "404" "$(post -H "$TOKEN" "$URL/zz/drain")"
contains "which it names" "no member 'zz'" "$(cat "$T/post.out")"
expect "drain of an unknown pool: 404" "404" "$(post -H "$TOKEN" "http://127.0.0.1:$HTTP_PORT/api/v1/members/nope.example.test/a/drain")"
expect "a bad body: 400" "400" "$(post -H "$TOKEN" -d '{"until": "tomorrow"}' "$URL/a/drain")"
expect "a body over 4 KiB: 413" "413" "$(post -H "$TOKEN" -d "$(head -c 5000 /dev/zero | tr '\0' x)" "$URL/a/drain")"
expect "GET on a write: 405" "405" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/a/drain")"
expect "drain: 200" "200" "$(post -H "$TOKEN" "$URL/a/drain")"
check "a drained member is not answered" eventually 5 answers_is 127.0.0.3 www.$E A
check "it shows as drained" state_is www.$E a drained
probes1=$(member_field www.$E a probes)
sleep 1
probes2=$(member_field www.$E a probes)
check "probes go on while drained ($probes1 -> $probes2)" [ "$probes2" -gt "$probes1" ]
expect "undrain: 200" "200" "$(post -H "$TOKEN" "$URL/a/undrain")"
check "undrained: answered again" eventually 5 answers_is 127.0.0.2 www.$E A
until=$(date -u -d '+3 seconds' +%Y-%m-%dT%H:%M:%S.000Z)
expect "drain until a time: 200" "200" "$(post -H "$TOKEN" -d "{\"until\": \"$until\"}" "$URL/a/drain")"
check "drained until then" eventually 5 answers_is 127.0.0.3 www.$E A
check "and answered again once it has passed" eventually 10 answers_is 127.0.0.2 www.$E A

# All down: servfail, fallback.
check "all_down = servfail" eventually 10 sh -c "dig +tries=1 +time=2 @127.0.0.1 -p $PORT sf.$E A | grep -q 'status: SERVFAIL'"
check "all_down = fallback addresses" eventually 10 answers_is 192.0.2.99 fb.$E A

# Round-robin: every member in turn (each worker thread keeps its own turn).
rr=$(for i in $(seq 1 60); do d +short rr.$E A; done | sort | uniq -c | awk '{print $1}' | tr '\n' ' ')
even() { [ $# -eq 3 ] && for n in "$@"; do [ "$n" -ge 14 ] && [ "$n" -le 26 ] || return 1; done; }
check "round-robin spreads evenly over 3 members ($rr)" even $rr

# Affinity: the same subnet always gets the same member; ECS scope /24.
first=$(d +short +subnet=198.51.100.0/24 near.$E A)
same=$(for i in $(seq 1 10); do d +short +subnet=198.51.100.7/24 near.$E A; done | sort -u)
expect "affinity: one subnet, one member" "$first" "$same"
out=$(d +subnet=198.51.100.0/24 near.$E A)
contains "affinity answers carry the scope prefix" "CLIENT-SUBNET: 198.51.100.0/24/24" "$out"
out=$(d +subnet=198.51.100.0/24 static.$E A)
contains "static answers have scope 0" "CLIENT-SUBNET: 198.51.100.0/24/0" "$out"
n=$(for s in $(seq 1 40); do d +short +subnet=10.$s.0.0/16 near.$E A; done | sort -u | wc -l)
check "affinity spreads subnets over the members ($n of 3)" [ "$n" -eq 3 ]

# Adaptive interval: idle, the interval grows to its maximum; busy, it drops to the minimum.
interval_is() { [ "$(member_field busy.$E a interval_ms)" = "$1" ]; }
check "idle pool: interval grows to max_interval_ms" eventually 20 interval_is 800
"$RAWQ" loop 127.0.0.1 "$PORT" busy.$E A 3000 >/dev/null &
loader=$!
check "busy pool: interval drops to min_interval_ms" eventually 10 interval_is 100
wait $loader

# Warm-up: a node that starts while a member is blackholed never answers
# it: pools wait (SERVFAIL, EDE 14 Not Ready) until every member has a state.
backend_ctl a mode blackhole-http
stop_ns
start_ns "$T/pool.conf"
: >"$T/warm.txt"
for i in $(seq 30); do
	d +noall +comments +answer www.$E A | grep -E 'status:|EDE|IN[[:space:]]+A' >>"$T/warm.txt"
	sleep 0.05
done
expect "warm-up: the blackholed member is never answered after a start" "" "$(grep 127.0.0.2 "$T/warm.txt")"
# (it ends by its deadline here: named.example.test's member cannot be
# resolved while a's services are blackholed)
check "warm-up: it ends" eventually 10 grep -q "answering pools" "$T/ns.log"
check "warm-up: the healthy member answers" eventually 10 answers_is 127.0.0.3 www.$E A
grep -q "status: SERVFAIL" "$T/warm.txt" && contains "warm-up: a SERVFAIL says Not Ready" "EDE: 14" "$(cat "$T/warm.txt")"
backend_ctl a mode up

stop_ns
stop_backends

# A pool name that clashes with static records is a config error naming both.
sed 's/name = "www.example.test"; policy = "failover"/name = "static.example.test"; policy = "failover"/' "$T/pool.conf" >"$T/clash.conf"
out=$("$LEVELNSD" -c "$T/clash.conf" --check-config 2>&1)
contains "pool clash: the pool named" "pool 'static.example.test'" "$out"
contains "pool clash: the static records named" "also has static records in" "$out"
finish
