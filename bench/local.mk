# Benchmarks: run by hand, never by make check (see bench/README.md).
dist_noinst_SCRIPTS += bench/dnsperf bench/genzone \
	bench/failover bench/false-downs bench/pool-qps bench/probe-cost bench/election \
	bench/reload-load bench/soak
EXTRA_DIST += bench/README.md bench/lib.sh
