#!/bin/sh
# The admin API end to end with curl: every endpoint and every error status
# (400, 401, 403, 404, 405, 409, 413, 503) with its JSON error and no change
# of state; /metrics through `promtool check metrics`; and counters that
# move: queries by transport, RCODE and QTYPE after dig queries, a member's
# state series after its backend refuses, probes sent, reloads and the
# generation after POST /api/v1/reload, the rate limiting counters after
# a burst, and the events that list it all.
# http.read_auth: reads need the token, the dashboard's files do not.
. "$(dirname "$0")/lib.sh"
need dig curl jq promtool bash

start_backend a 127.0.0.2
start_backend b 127.0.0.3

TOKEN=api-test-token-0123456789abcdef
echo "$TOKEN" >"$T/admin.token"
cp "$top_srcdir/zones/example.test.zone" "$T/"
pool_conf() {
	cat <<CONF
  { name = "www.example.test"; policy = "failover"; ttl = 5;
    probe = { type = "tcp"; min_interval_ms = 100; max_interval_ms = 400; recheck_ms = 50; rise = 2; fall = 2; };
    members = ( { name = "a"; address = "127.0.0.2@$a_tcp"; priority = 100; },
                { name = "b"; address = "127.0.0.3@$b_tcp"; priority = 50; } ); }
CONF
}
# write_conf FILE HTTP_GROUP [EXTRA_POOL]
write_conf() {
	cat >"$1" <<CONF
server: { node = "ns1"; workers = 2; };
rrl = { rate = 20; allow = [ "127.0.0.1" ]; };
http = { $2 };
zones = ( { name = "example.test"; file = "example.test.zone"; } );
pools = (
$(pool_conf)${3:+,
$3}
);
CONF
}
write_conf "$T/api.conf" 'token_file = "admin.token";'
cp "$T/api.conf" "$T/good.conf"
start_ns "$T/api.conf"

URL=http://127.0.0.1:$HTTP_PORT
AUTH="Authorization: Bearer $TOKEN"
E=example.test
# req ARGS...: the status code; the body in $T/body, the headers in $T/head.
req() { curl -s -o "$T/body" -D "$T/head" -w '%{http_code}' "$@"; }
body() { cat "$T/body"; }
header() { tr -d '\r' <"$T/head" | sed -n "s/^$1: //Ip" | head -1; }
api() { curl -sf -H "$AUTH" "$URL/api/v1/$1"; }
metrics() { curl -sf -H "$AUTH" "$URL/metrics"; }
# metric SERIES: its value, or nothing (the series name with its labels, exactly).
metric() { metrics | awk -v s="$1" '$1 == s { print $2 }'; }
# grew SERIES BEFORE: true when SERIES is now above BEFORE.
grew() { v=$(metric "$1"); [ -n "$v" ] && awk -v a="$v" -v b="$2" 'BEGIN { exit !(a > b) }'; }
is_json_error() { jq -e '.error | type == "string" and length > 0' "$T/body" >/dev/null; }
jqt() { jq -e "$@" >/dev/null; } # jqt FILTER FILE: true when FILTER holds
member_series() { echo "levelns_member_state{pool=\"www.example.test\",member=\"$1\",state=\"$2\"}"; }
series_is() { [ "$(metric "$1")" = "$2" ]; }
answers_is() { [ "$(dig +short +norec @127.0.0.1 -p "$PORT" "$1" A | tr '\n' ' ' | sed 's/ $//')" = "$2" ]; }

check "both members come up" eventually 15 series_is "$(member_series b up)" 1
check "a answers" eventually 10 answers_is www.$E 127.0.0.2

# ---- every read endpoint: 200 with JSON, HEAD without a body ----
for p in health pools master nodes stats events; do
	expect "GET /api/v1/$p" 200 "$(req "$URL/api/v1/$p")"
	check "GET /api/v1/$p is a JSON object" jqt 'type == "object"' "$T/body"
	expect "GET /api/v1/$p: content type" "application/json" "$(header Content-Type)"
	expect "HEAD /api/v1/$p" 200 "$(req -I "$URL/api/v1/$p")"
done
expect "GET /metrics" 200 "$(req "$URL/metrics")"
expect "GET /metrics: content type" "text/plain; version=0.0.4; charset=utf-8" "$(header Content-Type)"
out=$(promtool check metrics <"$T/body" 2>&1)
rc=$?
check "promtool check metrics passes (status $rc): $out" [ "$rc" -eq 0 ] && [ -z "$out" ]
for s in levelns_queries_total levelns_responses_total levelns_responses_by_qtype_total levelns_pool_answers_total \
	levelns_member_up levelns_member_state levelns_member_rtt_seconds levelns_member_probe_interval_seconds \
	levelns_probes_total levelns_probes_failed_total levelns_cluster_elections_total levelns_cluster_term \
	levelns_cluster_master levelns_cluster_heartbeats_sent_total levelns_cluster_heartbeats_missed_total \
	levelns_cluster_dropped_messages_total levelns_uptime_seconds levelns_config_generation levelns_reloads_total; do
	check "/metrics has $s" grep -q "^# TYPE $s " "$T/body"
done
expect "the master series names this node" 1 "$(metric 'levelns_cluster_master{node="ns1"}')"
rtt=$(awk '$1 == "levelns_member_rtt_seconds{pool=\"www.example.test\",member=\"a\"}" { print $2 }' "$T/body")
check "RTT of a member in seconds ($rtt)" awk -v v="$rtt" 'BEGIN { exit !(v + 0 > 0 && v + 0 < 1) }'
expect "the dashboard at /" 200 "$(req "$URL/")"
contains "the dashboard is HTML" "text/html" "$(header Content-Type)"
contains "the dashboard's CSP" "default-src 'self'" "$(header Content-Security-Policy)"

# ---- stats and metrics move ----
stats() { api stats | jq -r "$1"; }
q0=$(stats .queries.total)
udp0=$(metric 'levelns_queries_total{proto="udp"}')
tcp0=$(metric 'levelns_queries_total{proto="tcp"}')
nx0=$(metric 'levelns_responses_total{rcode="NXDOMAIN"}')
aaaa0=$(metric 'levelns_responses_by_qtype_total{qtype="AAAA"}')
mx0=$(stats .queries.by_type.MX)
www0=$(metric 'levelns_pool_answers_total{pool="www.example.test"}')
probes0=$(metric levelns_probes_total)
for i in 1 2 3 4 5; do dig +short @127.0.0.1 -p "$PORT" www.$E A >/dev/null; done
dig +short @127.0.0.1 -p "$PORT" nope.$E A >/dev/null
dig +short @127.0.0.1 -p "$PORT" $E AAAA >/dev/null
dig +short @127.0.0.1 -p "$PORT" $E MX >/dev/null
dig +short +tcp @127.0.0.1 -p "$PORT" static.$E A >/dev/null
check "UDP queries grow by 8 ($udp0)" grew 'levelns_queries_total{proto="udp"}' $((udp0 + 7))
check "TCP queries grow ($tcp0)" grew 'levelns_queries_total{proto="tcp"}' "$tcp0"
check "NXDOMAIN answers grow ($nx0)" grew 'levelns_responses_total{rcode="NXDOMAIN"}' "$nx0"
check "AAAA answers grow ($aaaa0)" grew 'levelns_responses_by_qtype_total{qtype="AAAA"}' "$aaaa0"
check "the pool's answers grow by 5 ($www0)" grew 'levelns_pool_answers_total{pool="www.example.test"}' $((www0 + 4))
check "probes sent grow ($probes0)" eventually 5 grew levelns_probes_total "$probes0"
check "/stats: total queries grow by 9 ($q0)" [ "$(stats .queries.total)" -ge $((q0 + 9)) ]
check "/stats: MX by type grows" [ "$(stats .queries.by_type.MX)" -gt "$mx0" ]
check "/stats: answers of the pool" [ "$(stats '.pools["www.example.test"].answers')" -ge 5 ]
check "/stats: probes sent" [ "$(stats .probes.sent)" -gt 0 ]
expect "/stats: the master" ns1 "$(stats .cluster.master)"
expect "/stats: generation 1" 1 "$(stats .generation)"
check "/stats: uptime" [ "$(stats .uptime_s)" -ge 0 ]
expect "/stats: by_rcode and by_type are objects" "object object" "$(api stats | jq -r '[.queries.by_rcode, .queries.by_type] | map(type) | join(" ")')"
# The limits: a burst from 127.0.0.9 (not allow-listed) over rrl.rate.
expect "/stats: the limits' counters" "dropped slipped evicted full per_source idle read_timeout max_queries" \
	"$(api stats | jq -r '.limits | [.rrl, .tcp | keys_unsorted[]] | join(" ")')"
out=$("$top_builddir/tests/floodq" -b 127.0.0.9 burst 127.0.0.1 "$PORT" static.$E 200)
check "/stats: rrl dropped some of the burst ($out)" [ "$(stats .limits.rrl.dropped)" -gt 0 ]
check "/stats: rrl slipped some of the burst ($out)" [ "$(stats .limits.rrl.slipped)" -gt 0 ]
expect "/stats and /metrics agree on rrl dropped" "$(metric 'levelns_rrl_limited_total{action="dropped"}')" \
	"$(stats .limits.rrl.dropped)"

# A member's state series follows its backend; the events list the change.
next=$(api events | jq .next)
failed0=$(metric levelns_probes_failed_total)
backend_ctl a mode refuse
check "a's state series turns down" eventually 10 series_is "$(member_series a down)" 1
expect "and up is 0" 0 "$(metric "$(member_series a up)")"
expect "levelns_member_up of a is 0" 0 "$(metric 'levelns_member_up{pool="www.example.test",member="a"}')"
check "failed probes grow" grew levelns_probes_failed_total "$failed0"
check "b answers" eventually 5 answers_is www.$E 127.0.0.3
api "events?since=$next" >"$T/ev"
expect "the events since $next list a going down" "up down" \
	"$(jq -r '[.events[] | select(.kind == "member" and .pool == "www.example.test" and .member == "a")][0] | "\(.from) \(.to)"' "$T/ev")"
check "with the probe's reason" jqt '[.events[] | select(.kind == "member" and .member == "a")][0].reason | length > 0' "$T/ev"
check "events have seq and time" jqt '.events | all(.seq > 0 and (.time | test("Z$")))' "$T/ev"
check "next is the newest seq" jqt '.next == (.events | map(.seq) | max)' "$T/ev"
backend_ctl a mode up
check "a comes back up" eventually 10 series_is "$(member_series a up)" 1

# ---- POST /api/v1/reload ----
gen0=$(metric levelns_config_generation)
ok0=$(metric 'levelns_reloads_total{result="ok"}')
next=$(api events | jq .next)
expect "reload: 200" 200 "$(req -X POST -H "$AUTH" "$URL/api/v1/reload")"
expect "reload: its answer" "true 2 1 1" "$(jq -r '"\(.reloaded) \(.generation) \(.zones) \(.pools)"' "$T/body")"
expect "the generation grows" $((gen0 + 1)) "$(metric levelns_config_generation)"
expect "reloads ok grow" $((ok0 + 1)) "$(metric 'levelns_reloads_total{result="ok"}')"
expect "/stats: reloads" "1 0 2" "$(stats '"\(.reloads.ok) \(.reloads.failed) \(.generation)"')"
expect "the reload is an event" "true" "$(api "events?since=$next" | jq -r '[.events[] | select(.kind == "reload")][0].ok')"
check "the pool's answers are kept across the reload" [ "$(stats '.pools["www.example.test"].answers')" -ge 5 ]

# A bad file: 409 with file:line, nothing changes, DNS goes on.
echo 'bogus = 1;' >>"$T/api.conf"
expect "a refused reload: 409" 409 "$(req -X POST -H "$AUTH" "$URL/api/v1/reload")"
is_json_error && contains "409 says file:line and that the old one serves" \
	"reload refused: $T/api.conf:" "$(jq -r .error "$T/body")" || check "409 is a JSON error" false
contains "409: still serving" "still serving the previous configuration" "$(jq -r .error "$T/body")"
expect "the generation stays" $((gen0 + 1)) "$(metric levelns_config_generation)"
expect "reloads failed: 1" 1 "$(metric 'levelns_reloads_total{result="failed"}')"
expect "the refusal is an event" "false" "$(api "events?since=$next" | jq -r '[.events[] | select(.kind == "reload")][-1].ok')"
check "DNS still answers" answers_is www.$E 127.0.0.2
cp "$T/good.conf" "$T/api.conf"

# ---- errors: a JSON error, and nothing changes ----
gen=$(metric levelns_config_generation)
err() { # err WHAT STATUS ARGS...: the status and a JSON error
	what=$1 want=$2
	shift 2
	expect "$what: $want" "$want" "$(req "$@")"
	check "$what: a JSON error ($(body))" is_json_error
	expect "$what: content type" "application/json" "$(header Content-Type)"
}
err "unknown path" 404 "$URL/api/v1/nope"
err "unknown path, other method" 404 -X PUT "$URL/api/v2/health"
err "wrong method" 405 -X DELETE "$URL/api/v1/pools"
expect "405 says what is allowed" "GET, HEAD" "$(header Allow)"
err "GET on reload" 405 "$URL/api/v1/reload"
expect "405 on reload allows POST" "POST" "$(header Allow)"
err "POST on /metrics" 405 -X POST "$URL/metrics"
err "a read with a body" 400 -X GET -d 'x=1' "$URL/api/v1/health"
err "a bad since" 400 "$URL/api/v1/events?since=abc"
err "reload with a body" 400 -X POST -H "$AUTH" -d '{}' "$URL/api/v1/reload"
err "a malformed drain body" 400 -X POST -H "$AUTH" -d '{"until": ' "$URL/api/v1/members/www.$E/a/drain"
err "an unknown drain field" 400 -X POST -H "$AUTH" -d '{"for": "1h"}' "$URL/api/v1/members/www.$E/a/drain"
big=$(head -c 5000 /dev/zero | tr '\0' x)
err "a body over 4 KiB" 413 -X POST -H "$AUTH" -d "{\"until\": \"$big\"}" "$URL/api/v1/members/www.$E/a/drain"
err "reload without a token" 401 -X POST "$URL/api/v1/reload"
contains "401 names the header" "Authorization: Bearer" "$(jq -r .error "$T/body")"
err "reload with a wrong token" 401 -X POST -H "Authorization: Bearer not-the-token-0123456789" "$URL/api/v1/reload"
err "another scheme" 401 -X POST -H "Authorization: Basic $TOKEN" "$URL/api/v1/reload"
err "drain without a token" 401 -X POST "$URL/api/v1/members/www.$E/a/drain"
err "drain of an unknown pool" 404 -X POST -H "$AUTH" "$URL/api/v1/members/nope.$E/a/drain"
err "drain of an unknown member" 404 -X POST -H "$AUTH" "$URL/api/v1/members/www.$E/zz/drain"
expect "no error reloaded anything" "$gen" "$(metric levelns_config_generation)"
expect "no error drained anything" 0 "$(metric "$(member_series a drained)")"
expect "no drain event" "0" "$(api events | jq '[.events[] | select(.kind == "drain")] | length')"

# ---- a drain and an undrain: the series and the events ----
next=$(api events | jq .next)
expect "drain: 200" 200 "$(req -X POST -H "$AUTH" "$URL/api/v1/members/www.$E/a/drain")"
check "a's drained series is 1" eventually 5 series_is "$(member_series a drained)" 1
expect "undrain: 200" 200 "$(req -X POST -H "$AUTH" "$URL/api/v1/members/www.$E/a/undrain")"
check "a's up series is 1 again" eventually 5 series_is "$(member_series a up)" 1
expect "the events: drained, undrained" "true false" \
	"$(api "events?since=$next" | jq -r '[.events[] | select(.kind == "drain" and .member == "a") | .drained] | join(" ")')"
# a timed drain: its end travels in the event
next=$(api events | jq .next)
expect "timed drain: 200" 200 "$(req -X POST -H "$AUTH" -d '{"until": "2099-01-02T03:04:05Z"}' "$URL/api/v1/members/www.$E/a/drain")"
check "the drain event carries its end" eventually 5 sh -c "curl -sf '$URL/api/v1/events?since=$next' | jq -e '.events[] | select(.kind == \"drain\" and .drained and .until == \"2099-01-02T03:04:05.000Z\")' >/dev/null"
expect "undrain: 200" 200 "$(req -X POST -H "$AUTH" "$URL/api/v1/members/www.$E/a/undrain")"
check "an undrain event has no end" eventually 5 sh -c "curl -sf '$URL/api/v1/events?since=$next' | jq -e '.events[] | select(.kind == \"drain\" and (.drained | not) and .until == null)' >/dev/null"

# ---- 503: more connections than the limit (64) ----
bash -c 'for i in $(seq 1 64); do exec {fd}<>/dev/tcp/127.0.0.1/'"$HTTP_PORT"'; done; sleep 20' &
holder=$!
check "past the connection limit: 503" eventually 10 sh -c "[ \"\$(curl -s -o '$T/body' -w '%{http_code}' '$URL/api/v1/health')\" = 503 ]"
contains "503 says why" "too many connections" "$(body)"
kill "$holder"
wait "$holder" 2>/dev/null
check "below the limit again: 200" eventually 10 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' '$URL/api/v1/health')\" = 200 ]"

# ---- 403: writes without a token file say how to configure one ----
write_conf "$T/api.conf" ''
expect "reload to a configuration without a token file" 200 "$(req -X POST -H "$AUTH" "$URL/api/v1/reload")"
err "drain without a token file" 403 -X POST -H "$AUTH" "$URL/api/v1/members/www.$E/a/drain"
contains "403 says how" "http.token_file" "$(jq -r .error "$T/body")"
err "reload without a token file" 403 -X POST "$URL/api/v1/reload"
expect "reads stay open" 200 "$(req "$URL/api/v1/stats")"

# ---- http.read_auth ----
write_conf "$T/api.conf" 'token_file = "admin.token"; read_auth = true;'
kill -HUP "$NS_PID"
check "read_auth on after SIGHUP" eventually 10 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' '$URL/api/v1/health')\" = 401 ]"
for p in /api/v1/health /api/v1/pools /api/v1/master /api/v1/nodes /api/v1/stats /api/v1/events /metrics; do
	err "read_auth: $p without the token" 401 "$URL$p"
	expect "read_auth: $p asks for a bearer token" 'Bearer realm="levelns"' "$(header WWW-Authenticate)"
	expect "read_auth: $p with a wrong token" 401 "$(req -H "Authorization: Bearer nope-0123456789abcdef" "$URL$p")"
	expect "read_auth: $p with the token" 200 "$(req -H "$AUTH" "$URL$p")"
done
expect "read_auth: the dashboard needs no token" 200 "$(req "$URL/")"
expect "SIGHUP reloads count too" 3 "$(stats .reloads.ok)"
write_conf "$T/bad.conf" 'read_auth = true;'
out=$("$LEVELNSD" -c "$T/bad.conf" --check-config 2>&1)
contains "read_auth without a token file is refused" "http.read_auth needs http.token_file" "$out"

stop_ns
stop_backends
finish
