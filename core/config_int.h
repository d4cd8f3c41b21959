/*
 * core/config internals: the loader state and the helpers that read typed
 * values with "file:line: reason" errors, shared by config.c and
 * config_pool.c. Nothing outside core/config*.c includes this.
 */
#ifndef LNS_CORE_CONFIG_INT_H
#define LNS_CORE_CONFIG_INT_H

#include "core/config.h"

#include <libconfig.h>

typedef struct loader {
	const char *path;
	char *dir;
	lns_err_t *err;
} loader_t;

int lns_cfg_fail(loader_t *ld, const config_setting_t *s, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int lns_cfg_check_keys(loader_t *ld, const config_setting_t *group, const char *const *keys, const char *where);
int lns_cfg_get_uint(loader_t *ld, const config_setting_t *group, const char *key, long min, long max, unsigned *out);
int lns_cfg_get_string(loader_t *ld, const config_setting_t *group, const char *key, const char **out);
int lns_cfg_get_bool(loader_t *ld, const config_setting_t *group, const char *key, bool *out);

int lns_cfg_load_pools(loader_t *ld, lns_config_t *cfg, const config_setting_t *list);
int lns_cfg_load_cluster(loader_t *ld, lns_config_t *cfg, const config_setting_t *group);
void lns_cfg_free_cluster(lns_config_t *cfg);
char *lns_cfg_path(loader_t *ld, const char *file);
void lns_cfg_free_pools(lns_config_t *cfg);
int lns_cfg_load_privs(loader_t *ld, lns_config_t *cfg, const config_setting_t *group);
void lns_cfg_free_privs(lns_config_t *cfg);
void lns_cfg_limits_defaults(lns_config_t *cfg);
int lns_cfg_load_tcp_limits(loader_t *ld, lns_config_t *cfg, const config_setting_t *server);
int lns_cfg_load_rrl(loader_t *ld, lns_config_t *cfg, const config_setting_t *group);

#endif
