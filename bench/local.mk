# Benchmarks: run by hand, never by make check (see bench/README.md).
dist_noinst_SCRIPTS += bench/dnsperf bench/genzone
EXTRA_DIST += bench/README.md
