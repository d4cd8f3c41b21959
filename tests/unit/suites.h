/* Suites kept in their own files, registered by the module's test binary. */
#ifndef LNS_TESTS_UNIT_SUITES_H
#define LNS_TESTS_UNIT_SUITES_H

void lns_test_policy_suite(void);
void lns_test_ecs_suite(void);
void lns_test_election_io_suite(void);

#endif
