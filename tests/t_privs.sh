#!/bin/sh
# Running without root. Started as root, levelnsd opens its sockets, then
# runs as server.user ("nobody" here): every thread's uids and gids are the
# user's, no capability is left in any thread (the ICMP sockets, raw where
# ping sockets are not allowed, are opened before the drop), and no new
# privileges can be had. It still answers, its tcp and icmp probes still
# work (icmp over the socket opened as root), an icmp pool added by a
# reload comes up too, reloads
# re-read the files as the user, and the cluster's state directory is the
# user's. Without a usable user it refuses to start, unless told to stay
# root. Also: -V names the libraries. Needs root (skipped otherwise).
. "$(dirname "$0")/lib.sh"
need dig setpriv
answers_static() { d +short static.example.test A | grep -q .; }
answers_after_drop() { d +short after-drop.example.test A | grep -q 192.0.2.77; }
[ "$(id -u)" -eq 0 ] || { echo "SKIP: t_privs needs root"; exit 77; }
getent passwd nobody >/dev/null || { echo "SKIP: no user 'nobody'"; exit 77; }

LEVELNSD=$LEVELNSD_BIN # the binary itself: no --allow-root
LISTEN="$top_builddir/tests/notify_listen"
NOBODY_UID=$(id -u nobody)
NOBODY_GID=$(id -g nobody)
# The test's directory is private to root: let the user reach its files.
chmod 755 "$T"

start_backend a 127.0.0.2

cp "$top_srcdir/zones/example.test.zone" "$T/"
cat >"$T/p.conf" <<CONF
server: { node = "p1"; workers = 2; user = "nobody"; };
zones = ( { name = "example.test"; file = "example.test.zone"; } );
pools = (
  { name = "www.example.test"; probe = { type = "tcp"; };
    members = ( { name = "a"; address = "127.0.0.2@$a_tcp"; } ); },
  { name = "ping.example.test"; probe = { type = "icmp"; };
    members = ( { name = "c"; address = "127.0.0.3"; } ); }
);
CONF

# status_field PID|PID/task/TID FIELD: a line of /proc/.../status, tabs as spaces.
status_field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" | tr '\t' ' '; }
logged() { grep -q -- "$1" "$T/ns.log"; }

# ---- the drop ----
: >"$T/listen.log"
"$LISTEN" "$T/notify.sock" 300 >"$T/notify.out" 2>"$T/listen.log" &
BACKENDS="$BACKENDS $!"
LISTEN_PID=$!
for i in $(seq 1 50); do grep -q "notify_listen: ready" "$T/listen.log" && break; sleep 0.1; done
export NOTIFY_SOCKET="$T/notify.sock" # root's socket: reached because it is connected before the drop
start_ns "$T/p.conf"
unset NOTIFY_SOCKET
contains "the drop is logged" "running as user nobody (uid $NOBODY_UID), group" "$(cat "$T/ns.log")"
expect "Uid: real, effective, saved, filesystem" "$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID" \
	"$(status_field "$NS_PID" Uid)"
expect "Gid: real, effective, saved, filesystem" "$NOBODY_GID $NOBODY_GID $NOBODY_GID $NOBODY_GID" \
	"$(status_field "$NS_PID" Gid)"
groups=$(status_field "$NS_PID" Groups)
check "no supplementary group is root's ($groups)" sh -c "! echo ' $groups ' | grep -q ' 0 '"
expect "NoNewPrivs" "1" "$(status_field "$NS_PID" NoNewPrivs)"
# No capability at all in any thread, icmp pools or not, ping sockets
# allowed to nobody's groups or not (ping_group_range is $(cat /proc/sys/net/ipv4/ping_group_range)).
ntask=0
for task in /proc/"$NS_PID"/task/*; do
	tid=${task##*/}
	ntask=$((ntask + 1))
	expect "thread $tid: CapEff" "0000000000000000" "$(status_field "$NS_PID/task/$tid" CapEff)"
	expect "thread $tid: CapPrm" "0000000000000000" "$(status_field "$NS_PID/task/$tid" CapPrm)"
	expect "thread $tid: CapInh" "0000000000000000" "$(status_field "$NS_PID/task/$tid" CapInh)"
	expect "thread $tid: CapAmb" "0000000000000000" "$(status_field "$NS_PID/task/$tid" CapAmb)"
	expect "thread $tid: Uid" "$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID" \
		"$(status_field "$NS_PID/task/$tid" Uid)"
done
check "several threads checked ($ntask)" [ "$ntask" -ge 3 ]
contains "the ICMP sockets are opened before the drop" "ICMP sockets opened before the drop: IPv4 " "$(cat "$T/ns.log")"
check "the IPv4 one is open (ping or raw)" grep -Eq "ICMP sockets opened before the drop: IPv4 (ping|raw)" "$T/ns.log"
check "nothing about CAP_NET_RAW" sh -c "! grep -q 'CAP_NET_RAW' '$T/ns.log'"

check "still answers static names" eventually 10 answers_static
check "the tcp member comes up" eventually 10 logged "www.example.test/a .*-> up"
check "the icmp member comes up (over the socket opened before the drop)" eventually 10 logged "ping.example.test/c .*-> up"
check "no icmp socket error" sh -c "! grep -q 'icmp socket' '$T/ns.log'"
expect "the pool answers its member" "127.0.0.2" "$(d +short www.example.test A)"
expect "the icmp pool answers its member" "127.0.0.3" "$(d +short ping.example.test A)"
backend_ctl a mode refuse
check "probes go on after the drop: the tcp member goes down" eventually 10 logged "www.example.test/a .* up -> down"
backend_ctl a mode up
check "and comes back" eventually 10 logged "www.example.test/a .* down -> up"

# Reloads read the files as the user.
printf 'after-drop\tIN\tA\t192.0.2.77\n' >>"$T/example.test.zone"
kill -HUP "$NS_PID"
check "a reload after the drop" eventually 10 logged "reload: done"
check "the reloaded zone answers" eventually 10 answers_after_drop
chmod 600 "$T/example.test.zone"
kill -HUP "$NS_PID"
check "a zone file the user cannot read: reload refused" eventually 10 logged "reload: refused.*Permission denied"
check "and the previous data still answers" answers_after_drop
chmod 644 "$T/example.test.zone"
check "the manager heard READY=1 after the drop" grep -q "^READY=1|MAINPID=$NS_PID|" "$T/notify.out"
stop_ns
check "STOPPING=1 sent after the drop" grep -q "^STOPPING=1|" "$T/notify.out"
kill -TERM "$LISTEN_PID" 2>/dev/null

# ---- no icmp pool at start, one added by a reload ----
cat >"$T/noicmp.conf" <<CONF
server: { node = "p1"; workers = 1; user = "nobody"; };
zones = ( { name = "example.test"; file = "example.test.zone"; } );
pools = (
  { name = "www.example.test"; probe = { type = "tcp"; };
    members = ( { name = "a"; address = "127.0.0.2@$a_tcp"; } ); }
);
CONF
start_ns "$T/noicmp.conf"
check "no icmp pool: the member comes up" eventually 10 logged "www.example.test/a .*-> up"
contains "the ICMP sockets are opened all the same" "ICMP sockets opened before the drop" "$(cat "$T/ns.log")"
cp "$T/p.conf" "$T/noicmp.conf"
kill -HUP "$NS_PID"
check "a reload adds an icmp pool" eventually 10 logged "reload: done"
check "its member comes up, no capability needed" eventually 10 logged "ping.example.test/c .*-> up"
check "no icmp socket error after the reload" sh -c "! grep -q 'icmp socket' '$T/ns.log'"
for task in /proc/"$NS_PID"/task/*; do
	tid=${task##*/}
	expect "after the reload, thread $tid: CapPrm" "0000000000000000" "$(status_field "$NS_PID/task/$tid" CapPrm)"
done
stop_ns

# ---- the cluster's state directory ----
head -c 48 /dev/urandom | base64 >"$T/cluster.key"
chmod 640 "$T/cluster.key"
echo "privs-test-token-0123456789" >"$T/admin.token"
chmod 600 "$T/admin.token" # readable at start (root), not by the user: a warning
CPORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
cat >"$T/c.conf" <<CONF
server: { node = "p1"; workers = 1; user = "nobody"; group = "nogroup"; };
zones = ( { name = "example.test"; file = "example.test.zone"; } );
http = { token_file = "admin.token"; };
cluster = { key_file = "cluster.key"; state_dir = "state";
  nodes = ( { name = "p1"; address = "127.0.0.1@$CPORT"; priority = 100; },
            { name = "p2"; address = "127.0.0.1@$((CPORT + 1))"; priority = 50; } ); };
CONF
start_ns "$T/c.conf"
expect "state_dir created for the user" "nobody:nogroup 700" "$(stat -c '%U:%G %a' "$T/state")"
expect "cluster.state written as the user" "nobody:nogroup" "$(stat -c '%U:%G' "$T/state/cluster.state")"
contains "a file the user cannot read is named at start" "http.token_file $T/admin.token is not readable by user nobody" \
	"$(cat "$T/ns.log")"
# Its peer, also as nobody: the two elect a master, and both save term and vote.
sed 's/node = "p1";/node = "p2";/; s/state_dir = "state";/state_dir = "state2";/' "$T/c.conf" >"$T/c2.conf"
"$LEVELNSD" -c "$T/c2.conf" -f -a "127.0.0.1@$((PORT + 2))" --http none 2>"$T/ns2.log" &
P2_PID=$!
BACKENDS="$BACKENDS $P2_PID"
saved_term() { [ "$(sed -n 's/^term //p' "$1/cluster.state")" -ge 1 ] && grep -q '^vote [01]$' "$1/cluster.state"; }
check "a master elected, term and vote saved after the drop (p1)" eventually 20 saved_term "$T/state"
check "and on p2" eventually 5 saved_term "$T/state2"
check "the follower logs the master change" eventually 10 grep -q "cluster: master is p1 in term [1-9]" "$T/ns2.log"
check "no state save failed" sh -c "! grep -q 'cannot save' '$T/ns.log' '$T/ns2.log'"
kill -TERM "$P2_PID"
wait "$P2_PID"
check "p2 exits 0" [ $? -eq 0 ]
stop_ns

# A state directory left by an earlier run as root: handed to the user.
chown -R root:root "$T/state"
chmod 700 "$T/state"
start_ns "$T/c.conf"
expect "a root-owned state directory of files is handed over" "nobody:nogroup" "$(stat -c '%U:%G' "$T/state")"
expect "and its files" "nobody:nogroup" "$(stat -c '%U:%G' "$T/state/cluster.state")"
stop_ns
# One with a subdirectory is not taken for a state directory.
chown -R root:root "$T/state"
mkdir "$T/state/sub"
out=$("$LEVELNSD" -c "$T/c.conf" -f -a "127.0.0.1@$PORT" --http none 2>&1)
rc=$?
check "a root-owned directory with subdirectories: exit 1" [ "$rc" -eq 1 ]
contains "and the way out" "is not writable by user nobody (owner uid 0, mode 0700): chown -R nobody:nogroup $T/state" "$out"
rm -rf "$T/state"

# ---- refusals ----
sed 's/user = "nobody";/user = "no-such-user-lns";/' "$T/p.conf" >"$T/nouser.conf"
out=$("$LEVELNSD" -c "$T/nouser.conf" -f -a "127.0.0.1@$PORT" --http none 2>&1)
rc=$?
check "no such user: exit 1" [ "$rc" -eq 1 ]
contains "no such user: a clear error" \
	"server.user 'no-such-user-lns' does not exist: create it (adduser --system --group --no-create-home no-such-user-lns)" \
	"$out"
out=$("$LEVELNSD" -c "$T/nouser.conf" --check-config 2>&1)
check "--check-config does not need the user" [ $? -eq 0 ]
sed 's/user = "nobody";/user = "root";/' "$T/p.conf" >"$T/root.conf"
out=$("$LEVELNSD" -c "$T/root.conf" -f -a "127.0.0.1@$PORT" --http none 2>&1)
rc=$?
check "server.user root: exit 1" [ "$rc" -eq 1 ]
contains "server.user root: refused" "does not keep running as root unless server.allow_root = true" "$out"
sed 's/user = "nobody";/user = "nobody"; group = "no-such-group-lns";/' "$T/p.conf" >"$T/nogroup.conf"
out=$("$LEVELNSD" -c "$T/nogroup.conf" -f -a "127.0.0.1@$PORT" --http none 2>&1)
check "no such group: exit 1" [ $? -eq 1 ]
contains "no such group: a clear error" "server.group 'no-such-group-lns' does not exist" "$out"
sed 's/user = "nobody";/user = 7;/' "$T/p.conf" >"$T/bad.conf"
out=$("$LEVELNSD" -c "$T/bad.conf" --check-config 2>&1)
contains "server.user must be a string" "bad.conf:1: user must be a string" "$out"
if ! getent passwd levelns >/dev/null; then
	sed 's/ user = "nobody";//' "$T/p.conf" >"$T/default.conf"
	out=$("$LEVELNSD" -c "$T/default.conf" -f -a "127.0.0.1@$PORT" --http none 2>&1)
	check "the default user levelns, missing: exit 1" [ $? -eq 1 ]
	contains "the default user is levelns" "server.user 'levelns' does not exist" "$out"
fi

# ---- staying root when told to ----
sed 's/user = "nobody";/user = "nobody"; allow_root = true;/' "$T/p.conf" >"$T/allow.conf"
start_ns "$T/allow.conf"
expect "server.allow_root: stays root" "0 0 0 0" "$(status_field "$NS_PID" Uid)"
contains "and says so" "running as root (server.allow_root or --allow-root)" "$(cat "$T/ns.log")"
stop_ns
start_ns "$T/p.conf" 127.0.0.1 --allow-root
expect "--allow-root: stays root" "0 0 0 0" "$(status_field "$NS_PID" Uid)"
stop_ns

# ---- not started as root: nothing to drop ----
LEVELNSD_SAVED=$LEVELNSD
cat >"$T/as-nobody" <<EOF
#!/bin/sh
exec setpriv --reuid=nobody --regid=$NOBODY_GID --clear-groups "$LEVELNSD_BIN" "\$@"
EOF
chmod 755 "$T/as-nobody"
LEVELNSD="$T/as-nobody"
sed 's/user = "nobody";/user = "no-such-user-lns";/' "$T/p.conf" >"$T/user.conf"
start_ns "$T/user.conf"
expect "started as nobody: runs as nobody, server.user set aside" "$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID" \
	"$(status_field "$NS_PID" Uid)"
check "and answers" answers_static
stop_ns
LEVELNSD=$LEVELNSD_SAVED

# ---- -V ----
out=$("$LEVELNSD" -V)
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
expect "-V: the version first" "levelnsd $version" "$(echo "$out" | head -n 1)"
for lib in ldns c-ares libmicrohttpd libev liburcu jansson libcurl libconfig openssl; do
	check "-V names $lib with a version" sh -c "echo '$out' | grep -Eq '^  $lib +[0-9]+\.[0-9]+'"
done

finish
