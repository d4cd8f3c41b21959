# More integration tests: reloads under load, configuration errors, DNS over TCP.
INTEGRATION_TESTS += tests/t_reload.sh tests/t_config.sh tests/t_tcp.sh
