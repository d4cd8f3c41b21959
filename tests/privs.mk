# Running as a service: the drop from root to server.user (t_privs.sh, as
# root only), sd_notify messages (t_notify.sh, with a datagram listener).
check_PROGRAMS += tests/notify_listen
tests_notify_listen_SOURCES = tests/notify_listen.c
INTEGRATION_TESTS += tests/t_privs.sh tests/t_notify.sh
