/*
 * tests/fuzz/fuzz: what the libFuzzer targets share: where the source tree
 * is (for the zones and configurations they load once), a private scratch
 * directory removed at exit, files written from fuzz input, a view loaded
 * from a configuration, and the logger kept quiet.
 *
 * Each target is one file with LLVMFuzzerInitialize (set-up, once) and
 * LLVMFuzzerTestOneInput (one input; nothing may survive it but what
 * Initialize built). Run them with tests/fuzz/run.sh or bench/fuzz.
 *
 * Thread: the targets are single-threaded; so is this helper.
 */
#ifndef LNS_TESTS_FUZZ_H
#define LNS_TESTS_FUZZ_H

#include "core/config.h"
#include "core/view.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Silences the logger (LNS_FUZZ_LOG=1 in the environment keeps it, on
 * stderr, at debug level). */
void fuzz_log_init(void);
/* True when LNS_FUZZ_LOG=1: targets then also print why an input was
 * refused (to see what a corpus input reaches). */
bool fuzz_verbose(void);

/* The source tree: $LNS_FUZZ_SRCDIR, else the one configured. */
const char *fuzz_srcdir(void);
/* srcdir/rel in a new string (caller frees); aborts when it does not exist. */
char *fuzz_src_path(const char *rel);

/* A private directory, on /dev/shm when it can (the cluster state is
 * fsync'd per input), removed with its content at exit. */
const char *fuzz_tmpdir(void);
/* tmpdir/name in a new string (caller frees). */
char *fuzz_tmp_path(const char *name);
/* Writes len bytes to tmpdir/name; returns its path (caller frees).
 * Aborts when it cannot: the target is broken, not the input. */
char *fuzz_write(const char *name, const void *data, size_t len);
/* Same for a NUL-terminated text. */
char *fuzz_write_text(const char *name, const char *text);

/* Loads a configuration file and its zones into a new view (never
 * published); aborts with the reason when it fails, since set-up data must
 * load. */
lns_view_t *fuzz_view_load(const char *conf_path);

/* The DNS targets' data, loaded once: tests/unit/answer.zone (every
 * answer rule) as example.test, other.test, the child zone
 * served.example.test, and pools of every policy and all_down choice. The
 * views differ in health: [0] as at start (initial_state up), [1] every
 * other member down, host-named members resolved, [2] every member down
 * (all_down applies). AXFR is allowed from 127.0.0.1 and ::1. */
#define FUZZ_DNS_VIEWS 3
void fuzz_dns_views(lns_view_t *views[FUZZ_DNS_VIEWS]);

/* A NUL-terminated copy of data (caller frees). */
char *fuzz_strndup(const uint8_t *data, size_t len);

#endif
