/* core/config_privs: server.user, server.group and server.allow_root. */
#include "config.h"

#include "core/config.h"
#include "core/config_int.h"

#include <stdlib.h>
#include <string.h>

/* Names are checked here only for shape; whether they exist is known only
 * where levelnsd starts, as root (core/privs). */
static int get_name(loader_t *ld, const config_setting_t *g, const char *key, char **out)
{
	const char *v = NULL;
	int rc = lns_cfg_get_string(ld, g, key, &v);
	if (rc != 0 || !v)
		return rc;
	if (!*v || strlen(v) > 63)
		return lns_cfg_fail(ld, config_setting_get_member(g, key), "%s must be a name of 1 to 63 characters", key);
	free(*out);
	*out = lns_xstrdup(v);
	return 0;
}

int lns_cfg_load_privs(loader_t *ld, lns_config_t *cfg, const config_setting_t *g)
{
	int rc;
	if ((rc = get_name(ld, g, "user", &cfg->user)) != 0 || (rc = get_name(ld, g, "group", &cfg->group)) != 0)
		return rc;
	return lns_cfg_get_bool(ld, g, "allow_root", &cfg->allow_root);
}

void lns_cfg_free_privs(lns_config_t *cfg)
{
	free(cfg->user);
	free(cfg->group);
}
