#!/bin/sh
# The operator's documentation stays true: the man pages are clean under
# mandoc -T lint; every key that core/config*.c accepts is documented in
# levelns.conf(5) in its group's section, and every levelnsd option in
# levelnsd(8); the systemd unit passes systemd-analyze verify; the example
# configuration (and the package's conffile made from it) passes
# levelnsd --check-config.
. "$(dirname "$0")/lib.sh"

DOC=$top_builddir/doc
PAGES="levelnsd.8 levelnsctl.8 levelns.conf.5 levelns.7"
CONF5=$DOC/levelns.conf.5

for p in $PAGES; do
	check "$p is built" [ -s "$DOC/$p" ]
done

# ---- mandoc -T lint: no warning, no error ----
if command -v mandoc >/dev/null 2>&1; then
	for p in $PAGES; do
		out=$(mandoc -T lint -W warning "$DOC/$p" 2>&1)
		rc=$?
		check "mandoc -T lint $p is clean: $out" [ $rc -eq 0 ] && [ -z "$out" ]
	done
else
	echo "SKIP: mandoc is not installed (Debian package mandoc): pages not linted"
fi

# ---- every configuration key in levelns.conf(5) ----
# The key tables, as "FILE TABLE KEY" lines: every
#   static const char *const NAME_keys[] = { "a", "b", NULL };
# (also over several lines) in core/config*.c.
key_tables() {
	for f in "$top_srcdir"/core/config*.c; do
		awk -v file="$(basename "$f")" '
		!intable && match($0, /static const char \*const [a-z_]*keys\[\] = \{/) {
			intable = 1
			hdr = substr($0, RSTART, RLENGTH)
			sub(/^static const char \*const /, "", hdr)
			sub(/\[\] = \{$/, "", hdr)
			name = hdr
			$0 = substr($0, RSTART + RLENGTH)
		}
		intable {
			line = $0
			while (match(line, /"[^"]*"/)) {
				print file, name, substr(line, RSTART + 1, RLENGTH - 2)
				line = substr(line, RSTART + RLENGTH)
			}
			if ($0 ~ /NULL[ \t]*\};/)
				intable = 0
		}' "$f"
	done
}

# The levelns.conf(5) section (.Ss title) documenting each table.
section_of() {
	case "$1 $2" in
	"config.c top_keys") echo "Top level" ;;
	"config.c server_keys") echo "server" ;;
	"config.c zone_keys") echo "zones" ;;
	"config.c keys") echo "http" ;; # load_http's table
	"config_pool.c pool_keys") echo "pools" ;;
	"config_pool.c probe_keys") echo "probe" ;;
	"config_pool.c member_keys") echo "members" ;;
	"config_cluster.c cluster_keys") echo "cluster" ;;
	"config_cluster.c node_keys") echo "nodes" ;;
	"config_rrl.c rrl_keys") echo "rrl" ;;
	*) echo "" ;;
	esac
}

# section TITLE: the page's source between ".Ss TITLE" and the next .Ss or .Sh.
section() {
	awk -v title="$1" '
	/^\.S[sh] / { insec = ($0 == ".Ss " title); next }
	insec' "$CONF5"
}

key_tables >"$T/keys"
nkeys=$(wc -l <"$T/keys")
check "the key tables of core/config*.c are found ($nkeys keys)" [ "$nkeys" -ge 50 ]
while read -r file table key; do
	sec=$(section_of "$file" "$table")
	if [ -z "$sec" ]; then
		FAILS=$((FAILS + 1))
		echo "FAIL: $file: a new key table '$table': document its keys in a section of doc/levelns.conf.5.in and map it in tests/t_man.sh"
		continue
	fi
	section "$sec" >"$T/section"
	if [ ! -s "$T/section" ]; then
		FAILS=$((FAILS + 1))
		echo "FAIL: levelns.conf.5 has no section '.Ss $sec' for $file $table"
	elif grep -Eq "^\.It Ic $key( |$)" "$T/section"; then
		PASSES=$((PASSES + 1))
	else
		FAILS=$((FAILS + 1))
		echo "FAIL: key '$key' ($file $table) is not documented in levelns.conf.5, section '$sec' (.It Ic $key)"
	fi
done <"$T/keys"

# ---- every levelnsd option in levelnsd(8) ----
MAIN=$top_srcdir/nameserver/options.c
shorts=$(sed -n 's/.*getopt_long(argc, argv, "\([^"]*\)".*/\1/p' "$MAIN" | tr -d ':')
longs=$(sed -n 's/^[ \t]*{ "\([a-z-]*\)", [a-z_]*_argument,.*/\1/p' "$MAIN")
check "levelnsd's options are found in options.c ('$shorts'; $(echo $longs))" [ -n "$shorts" ] && [ -n "$longs" ]
for o in $(echo "$shorts" | sed 's/./& /g'); do
	check "levelnsd -$o is documented in levelnsd.8" grep -Eq "Fl [a-zA-Z]*$o" "$DOC/levelnsd.8"
done
for o in $longs; do
	check "levelnsd --$o is documented in levelnsd.8" grep -Eq "Fl -$o( |$)" "$DOC/levelnsd.8"
done

# ---- every levelnsctl command and option in levelnsctl(8) ----
CTL=$top_srcdir/web/ctl.c
if [ -f "$CTL" ]; then
	cmds=$(sed -n 's/^[ \t]*{ "\([a-z]*\)", [0-9], cmd_[a-z_]*,.*/\1/p' "$CTL")
	longs=$(sed -n 's/^[ \t]*{ "\([a-z-]*\)", [a-z_]*_argument,.*/\1/p' "$CTL")
	check "levelnsctl's commands and options are found in web/ctl.c" [ -n "$cmds" ] && [ -n "$longs" ]
	for c in $cmds; do
		check "levelnsctl $c is documented in levelnsctl.8" grep -Eq "^\.It Cm $c( |$)" "$DOC/levelnsctl.8"
	done
	for o in $longs; do
		check "levelnsctl --$o is documented in levelnsctl.8" grep -Eq "Fl -$o( |$)" "$DOC/levelnsctl.8"
	done
fi

# ---- the systemd unit ----
# A copy with the built levelnsd, since verify wants ExecStart's program to
# exist; MANPATH lets it find the pages of Documentation=.
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir -p "$T/unit" "$T/man/man5" "$T/man/man7" "$T/man/man8"
	for p in $PAGES; do
		cp "$DOC/$p" "$T/man/man${p##*.}/"
	done
	sed -e "s|@sbindir@|$top_builddir|g" -e "s|@bindir@|$top_builddir|g" \
		-e "s|@sysconfdir@|$T/etc|g" -e "s|@localstatedir@|$T/var|g" \
		"$top_srcdir/doc/levelnsd.service.in" >"$T/unit/levelnsd.service"
	out=$(MANPATH="$T/man" systemd-analyze verify "$T/unit/levelnsd.service" 2>&1)
	rc=$?
	check "systemd-analyze verify levelnsd.service exits 0 (got $rc): $out" [ $rc -eq 0 ]
	check "systemd-analyze verify has nothing to say about levelnsd.service: $out" \
		sh -c '! printf "%s\n" "$1" | grep -q levelnsd' - "$out"
	for want in "Type=notify" "ExecReload=/bin/kill -HUP \$MAINPID" "NoNewPrivileges=yes" "ProtectSystem=strict" \
		"ExecStartPre=$top_builddir/levelnsd --check-config -c $T/etc/levelns/levelns.conf" \
		"ExecStart=$top_builddir/levelnsd -f -c $T/etc/levelns/levelns.conf"; do
		check "the unit has $want" grep -qxF "$want" "$T/unit/levelnsd.service"
	done
	check "the installed unit is made with the installation's directories" \
		sh -c '[ ! -f "$1" ] || ! grep -q "@[a-z]*@" "$1"' - "$DOC/levelnsd.service"
else
	echo "SKIP: systemd-analyze is not installed: the unit is not verified"
fi

# ---- the example configuration, and the package's conffile ----
mkdir -p "$T/etc"
cp "$top_srcdir/doc/levelns.conf.example" "$top_srcdir/doc/example.test.zone" "$T/etc/"
out=$("$LEVELNSD" --check-config -c "$T/etc/levelns.conf.example" 2>&1)
rc=$?
check "levelnsd --check-config accepts levelns.conf.example (rc $rc): $out" [ $rc -eq 0 ]
contains "the example serves one zone and one pool" "ok, 1 zones" "$out"
contains "the example's pool" "pool www.example.test: failover, 2 members, http probe" "$out"
# debian/rules makes /etc/levelns/levelns.conf so: the token file enabled.
sed 's|^  # token_file = "token";$|  token_file = "token";|' "$T/etc/levelns.conf.example" >"$T/etc/levelns.conf"
check "the example has the token_file line that debian/rules enables" grep -qx '  token_file = "token";' "$T/etc/levelns.conf"
head -c 32 /dev/urandom | base64 >"$T/etc/token"
out=$("$LEVELNSD" --check-config -c "$T/etc/levelns.conf" 2>&1)
rc=$?
check "levelnsd --check-config accepts the package's levelns.conf (rc $rc): $out" [ $rc -eq 0 ]
check "the example listens on loopback only" grep -q '^  listen = \[ "127.0.0.1@53" \];' "$T/etc/levelns.conf"

finish
