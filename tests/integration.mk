# More integration tests: reloads under load, configuration errors, DNS over TCP.
INTEGRATION_TESTS += tests/t_reload.sh tests/t_config.sh tests/t_tcp.sh tests/t_pool.sh tests/t_cluster.sh
EXTRA_DIST += tests/data/second.test.zone tests/data/include.conf tests/data/include/inc.test.zone \
	tests/data/include/hosts/hosts.inc tests/data/include/hosts/deeper/mail.inc
