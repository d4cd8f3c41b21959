# The admin API end to end (tests/t_api.sh): every endpoint and error status
# with curl, /metrics through promtool, counters that move.
INTEGRATION_TESTS += tests/t_api.sh
