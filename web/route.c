/* web/route: which handler answers a (method, path), or which error. */
#include "config.h"

#include "web/web_int.h"

#include <string.h>

enum { M_GET = 1, M_HEAD = 2, M_POST = 4 };

static const struct route {
	const char *path;
	enum lns_web_endpoint endpoint;
	unsigned methods;
	const char *allow;
	unsigned body_methods; /* methods that may carry a request body */
} routes[] = {
	{ "/api/v1/health", LNS_WEB_EP_HEALTH, M_GET | M_HEAD, "GET, HEAD", 0 },
	{ "/api/v1/pools", LNS_WEB_EP_POOLS, M_GET | M_HEAD, "GET, HEAD", 0 },
	{ "/api/v1/master", LNS_WEB_EP_MASTER, M_GET | M_HEAD, "GET, HEAD", 0 },
	{ "/api/v1/nodes", LNS_WEB_EP_NODES, M_GET | M_HEAD, "GET, HEAD", 0 },
	{ "/api/v1/stats", LNS_WEB_EP_STATS, M_GET | M_HEAD, "GET, HEAD", 0 },
	{ "/api/v1/events", LNS_WEB_EP_EVENTS, M_GET | M_HEAD, "GET, HEAD", 0 },
	{ "/metrics", LNS_WEB_EP_METRICS, M_GET | M_HEAD, "GET, HEAD", 0 },
	{ "/api/v1/election", LNS_WEB_EP_ELECTION, M_POST, "POST", M_POST },
	{ "/api/v1/reload", LNS_WEB_EP_RELOAD, M_POST, "POST", 0 },
};

bool lns_web_endpoint_is_write(enum lns_web_endpoint ep)
{
	switch (ep) {
	case LNS_WEB_EP_ELECTION:
	case LNS_WEB_EP_DRAIN:
	case LNS_WEB_EP_UNDRAIN:
	case LNS_WEB_EP_RELOAD: return true;
	case LNS_WEB_EP_NONE:
	case LNS_WEB_EP_HEALTH:
	case LNS_WEB_EP_POOLS:
	case LNS_WEB_EP_MASTER:
	case LNS_WEB_EP_NODES:
	case LNS_WEB_EP_STATS:
	case LNS_WEB_EP_EVENTS:
	case LNS_WEB_EP_METRICS: break;
	}
	return false;
}

/* Method names are case-sensitive (RFC 9110, 9.1). */
static unsigned method_bit(const char *method)
{
	if (strcmp(method, "GET") == 0)
		return M_GET;
	if (strcmp(method, "HEAD") == 0)
		return M_HEAD;
	if (strcmp(method, "POST") == 0)
		return M_POST;
	return 0;
}

static void set_error(lns_web_route_t *out, int status, const char *allow, const char *error)
{
	out->endpoint = LNS_WEB_EP_NONE;
	out->status = status;
	out->allow = allow;
	out->error = error;
}

static const struct route member_routes[] = {
	{ "drain", LNS_WEB_EP_DRAIN, M_POST, "POST", M_POST },
	{ "undrain", LNS_WEB_EP_UNDRAIN, M_POST, "POST", M_POST },
};

bool lns_web_member_path(const char *path, char *pool, char *member, size_t size, const char **action)
{
	static const char prefix[] = "/api/v1/members/";
	if (!path || strncmp(path, prefix, sizeof(prefix) - 1) != 0)
		return false;
	const char *p = path + sizeof(prefix) - 1;
	const char *s1 = strchr(p, '/');
	const char *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
	if (!s1 || !s2 || s1 == p || s2 == s1 + 1 || strchr(s2 + 1, '/') || !s2[1])
		return false;
	if ((size_t)(s1 - p) >= size || (size_t)(s2 - s1 - 1) >= size)
		return false;
	memcpy(pool, p, (size_t)(s1 - p));
	pool[s1 - p] = '\0';
	memcpy(member, s1 + 1, (size_t)(s2 - s1 - 1));
	member[s2 - s1 - 1] = '\0';
	*action = s2 + 1;
	return true;
}

void lns_web_route(const char *method, const char *path, bool has_body, lns_web_route_t *out)
{
	const struct route *r = NULL;
	char pool[256], member[256];
	const char *action;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (path && strcmp(path, routes[i].path) == 0)
			r = &routes[i];
	if (!r && lns_web_member_path(path, pool, member, sizeof(pool), &action))
		for (size_t i = 0; i < sizeof(member_routes) / sizeof(member_routes[0]); i++)
			if (strcmp(action, member_routes[i].path) == 0)
				r = &member_routes[i];
	if (!r) {
		set_error(out, 404, NULL, "not found");
		return;
	}
	unsigned m = method ? method_bit(method) : 0;
	if (!(r->methods & m)) {
		set_error(out, 405, r->allow, "method not allowed");
		return;
	}
	if (has_body && !(r->body_methods & m)) {
		set_error(out, 400, NULL, "this request takes no body");
		return;
	}
	out->endpoint = r->endpoint;
	out->status = 200;
	out->allow = NULL;
	out->error = NULL;
}
