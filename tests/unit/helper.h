/*
 * tests/unit/helper: what the CUnit unit-test binaries share: a runner that
 * prints CUnit's basic summary and turns failures into the exit status,
 * table rows registered as one CUnit test each, assertions that say which
 * row failed, temporary files, and wire-form names built from text.
 *
 * Thread: the test binaries are single-threaded; so is this helper.
 */
#ifndef LNS_TESTS_UNIT_HELPER_H
#define LNS_TESTS_UNIT_HELPER_H

#include <CUnit/CUnit.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Asserts cond; on failure the message is printf-formatted (row name and
 * values), so a table test tells which row went wrong. */
#define T_CHECK(cond, ...) lns_test_check((cond), __LINE__, __FILE__, #cond, __VA_ARGS__)
void lns_test_check(bool ok, unsigned line, const char *file, const char *cond, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Asserts that haystack contains needle, naming the row. */
#define T_CONTAINS(row, haystack, needle)                                              \
	T_CHECK(lns_test_contains((haystack), (needle)), "%s: expected \"%s\" in \"%s\"", \
		(row), (needle), (haystack) ? (haystack) : "(null)")

bool lns_test_contains(const char *haystack, const char *needle);

/* Registers one CUnit test per table row: the test named names(i) calls
 * run(table, i). At most LNS_TEST_MAX_ROWS rows over the whole binary. */
#define LNS_TEST_MAX_ROWS 512
typedef void (*lns_test_row_fn)(const void *table, size_t i);
void lns_test_add_rows(CU_pSuite suite, const char *prefix, const void *table, size_t n, size_t row_size,
	size_t name_offset, lns_test_row_fn run);
/* For a table of structs whose first member or any member is `const char *name`. */
#define LNS_TEST_ADD_ROWS(suite, prefix, table, run)                                                  \
	lns_test_add_rows((suite), (prefix), (table), sizeof(table) / sizeof((table)[0]), sizeof((table)[0]), \
		offsetof(__typeof__((table)[0]), name), (run))

/* Runs fn(arg, i) in a child process, from inside a running CUnit test:
 * the child's failed assertions are reported as this test's failures, and
 * a crash or a sanitizer abort in the child fails the test instead of
 * ending the binary. A fatal assertion in the child ends only the child.
 * Passed assertions in the child are not counted. */
void lns_test_isolate(const char *what, void (*fn)(const void *arg, size_t i), const void *arg, size_t i);

/* Runs every registered suite with CUnit's basic interface (verbose) and
 * cleans the registry. Returns the process exit status: 0 when every test
 * passed, 1 when any failed, 2 when CUnit itself failed. */
int lns_test_run(void);

/* A new private directory under $TMPDIR (or /tmp); caller frees the string
 * and removes the tree with lns_test_rmtree. */
char *lns_test_mkdtemp(void);
void lns_test_rmtree(const char *dir);
/* Writes text to dir/name (creating no directories); returns the full path
 * (caller frees). Aborts the test binary when the file cannot be written. */
char *lns_test_write(const char *dir, const char *name, const char *text);
/* A file from mkstemp in $TMPDIR holding text; returns its path (caller
 * unlinks and frees). */
char *lns_test_mkstemp(const char *text);
/* dir "/" name in a new string. */
char *lns_test_path(const char *dir, const char *name);
/* The source tree: $top_srcdir, else the directory configure saw. */
const char *lns_test_srcdir(void);

/* Wire form of a presentation name ("www.example.test." or without the
 * final dot; "." is the root; "\." and "\\" and "\DDD" escapes). Returns
 * the length written to out (at most 255 + a guard), or 0 when the text is
 * not a name that fits in cap bytes. Labels are not length-checked, so
 * tests can build malformed names on purpose. */
size_t lns_test_dname(const char *text, uint8_t *out, size_t cap);

#endif
