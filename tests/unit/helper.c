/* tests/unit/helper: runner, table rows, temporary files, names. */
#define _GNU_SOURCE
#include "tests/unit/helper.h"

#include <CUnit/Basic.h>
#include <fcntl.h>
#include <stdarg.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef LNS_TEST_SRCDIR
#define LNS_TEST_SRCDIR "."
#endif

bool lns_test_contains(const char *haystack, const char *needle)
{
	return haystack && needle && strstr(haystack, needle) != NULL;
}

void lns_test_check(bool ok, unsigned line, const char *file, const char *cond, const char *fmt, ...)
{
	char msg[1024] = "";
	if (!ok) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
	}
	/* CUnit copies the text of a failure. */
	CU_assertImplementation(ok, line, ok ? cond : msg, file, "", CU_FALSE);
}

/* ---- one CUnit test per table row ---- */

static struct row_slot {
	const void *table;
	size_t index;
	lns_test_row_fn run;
	char name[160];
} slots[LNS_TEST_MAX_ROWS];
static size_t n_slots;

static void (*const trampolines[LNS_TEST_MAX_ROWS])(void);

/* CUnit tests take no argument: a trampoline per slot finds its slot by
 * its own address. */
static void run_slot(void (*self)(void))
{
	for (size_t k = 0; k < n_slots; k++)
		if (trampolines[k] == self)
			slots[k].run(slots[k].table, slots[k].index);
}

#define TR(k) static void tr_##k(void) { run_slot(tr_##k); }
#define TR4(k) TR(k##0) TR(k##1) TR(k##2) TR(k##3)
#define TR16(k) TR4(k##0) TR4(k##1) TR4(k##2) TR4(k##3)
#define TR64(k) TR16(k##0) TR16(k##1) TR16(k##2) TR16(k##3)
#define TR256(k) TR64(k##0) TR64(k##1) TR64(k##2) TR64(k##3)
TR256(10) TR256(11)
#define TN(k) tr_##k,
#define TN4(k) TN(k##0) TN(k##1) TN(k##2) TN(k##3)
#define TN16(k) TN4(k##0) TN4(k##1) TN4(k##2) TN4(k##3)
#define TN64(k) TN16(k##0) TN16(k##1) TN16(k##2) TN16(k##3)
#define TN256(k) TN64(k##0) TN64(k##1) TN64(k##2) TN64(k##3)
static void (*const trampolines[LNS_TEST_MAX_ROWS])(void) = { TN256(10) TN256(11) };

void lns_test_add_rows(CU_pSuite suite, const char *prefix, const void *table, size_t n, size_t row_size,
	size_t name_offset, lns_test_row_fn run)
{
	for (size_t i = 0; i < n; i++) {
		if (n_slots == LNS_TEST_MAX_ROWS) {
			fprintf(stderr, "unit: more than %d table rows\n", LNS_TEST_MAX_ROWS);
			abort();
		}
		struct row_slot *s = &slots[n_slots];
		const char *name = *(const char *const *)((const char *)table + i * row_size + name_offset);
		s->table = table;
		s->index = i;
		s->run = run;
		snprintf(s->name, sizeof(s->name), "%s%s", prefix, name);
		if (!CU_add_test(suite, s->name, trampolines[n_slots])) {
			fprintf(stderr, "unit: CU_add_test: %s\n", CU_get_error_msg());
			abort();
		}
		n_slots++;
	}
}

/* ---- isolation in a child process ---- */

#define ISO_SIZE (256 * 1024)
static char *iso_mem; /* shared with the children: failure records */

static void iso_put(size_t *off, const char *s)
{
	size_t n = strlen(s) + 1;
	if (*off + n + 1 >= ISO_SIZE)
		return;
	memcpy(iso_mem + *off, s, n);
	*off += n;
	iso_mem[*off] = '\0';
}

void lns_test_isolate(const char *what, void (*fn)(const void *arg, size_t i), const void *arg, size_t i)
{
	if (!iso_mem) {
		iso_mem = mmap(NULL, ISO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (iso_mem == MAP_FAILED) {
			perror("unit: mmap");
			abort();
		}
	}
	memset(iso_mem, 0, 16);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == -1) {
		perror("unit: fork");
		abort();
	}
	if (pid == 0) {
		CU_pTest test = CU_get_current_test();
		jmp_buf jb;
		unsigned before = CU_get_number_of_failures();
		/* a fatal assertion jumps here instead of into CUnit's runner */
		if (test)
			test->pJumpBuf = &jb;
		if (setjmp(jb) == 0)
			fn(arg, i);
		size_t off = 0;
		unsigned k = 0;
		for (CU_pFailureRecord f = CU_get_failure_list(); f; f = f->pNext, k++) {
			if (k < before)
				continue;
			char line[32];
			snprintf(line, sizeof(line), "%u", f->uiLineNumber);
			iso_put(&off, f->strFileName ? f->strFileName : "?");
			iso_put(&off, line);
			iso_put(&off, f->strCondition ? f->strCondition : "?");
		}
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	const char *p = iso_mem;
	while (*p) {
		const char *file = p, *line = file + strlen(file) + 1, *cond = line + strlen(line) + 1;
		CU_assertImplementation(CU_FALSE, (unsigned)strtoul(line, NULL, 10), cond, file, "", CU_FALSE);
		p = cond + strlen(cond) + 1;
	}
	bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	lns_test_check(ok, __LINE__, __FILE__, "child", "%s: the child %s %d (see its report above)", what,
		WIFSIGNALED(status) ? "died with signal" : "exited with",
		WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}

int lns_test_run(void)
{
	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (CU_basic_run_tests() != CUE_SUCCESS) {
		fprintf(stderr, "unit: CUnit: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	unsigned failed = CU_get_number_of_tests_failed() + CU_get_number_of_suites_failed();
	unsigned failures = CU_get_number_of_failures();
	printf("\n");
	CU_cleanup_registry();
	if (iso_mem)
		munmap(iso_mem, ISO_SIZE);
	return failed || failures ? 1 : 0;
}

/* ---- files ---- */

static const char *tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	return t && *t ? t : "/tmp";
}

char *lns_test_path(const char *dir, const char *name)
{
	char *p = NULL;
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		abort();
	return p;
}

char *lns_test_mkdtemp(void)
{
	char *p = lns_test_path(tmpdir(), "levelns-unit.XXXXXX");
	if (!mkdtemp(p)) {
		perror("unit: mkdtemp");
		abort();
	}
	return p;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void lns_test_rmtree(const char *dir)
{
	if (dir)
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_all(int fd, const char *path, const char *text)
{
	size_t len = strlen(text), off = 0;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n == -1) {
			perror(path);
			abort();
		}
		off += (size_t)n;
	}
}

char *lns_test_write(const char *dir, const char *name, const char *text)
{
	char *path = lns_test_path(dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd == -1) {
		perror(path);
		abort();
	}
	write_all(fd, path, text);
	close(fd);
	return path;
}

char *lns_test_mkstemp(const char *text)
{
	char *path = lns_test_path(tmpdir(), "levelns-unit-XXXXXX.conf");
	int fd = mkstemps(path, 5);
	if (fd == -1) {
		perror("unit: mkstemps");
		abort();
	}
	write_all(fd, path, text);
	close(fd);
	return path;
}

const char *lns_test_srcdir(void)
{
	const char *s = getenv("top_srcdir");
	return s && *s ? s : LNS_TEST_SRCDIR;
}

/* ---- names ---- */

size_t lns_test_dname(const char *text, uint8_t *out, size_t cap)
{
	size_t o = 0;
	if (strcmp(text, ".") == 0) {
		if (cap < 1)
			return 0;
		out[0] = 0;
		return 1;
	}
	const char *p = text;
	while (*p) {
		size_t lpos = o++;
		size_t l = 0;
		if (lpos >= cap)
			return 0;
		while (*p && *p != '.') {
			int c = (unsigned char)*p++;
			if (c == '\\' && *p >= '0' && *p <= '9') {
				c = 0;
				for (int k = 0; k < 3 && *p >= '0' && *p <= '9'; k++)
					c = c * 10 + (*p++ - '0');
			} else if (c == '\\' && *p) {
				c = (unsigned char)*p++;
			}
			if (o >= cap || l == 255)
				return 0;
			out[o++] = (uint8_t)c;
			l++;
		}
		if (l == 0)
			return 0; /* empty label */
		out[lpos] = (uint8_t)l;
		if (*p == '.')
			p++;
	}
	if (o >= cap)
		return 0;
	out[o++] = 0;
	return o;
}
