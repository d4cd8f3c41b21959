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
};

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

void lns_web_route(const char *method, const char *path, bool has_body, lns_web_route_t *out)
{
	const struct route *r = NULL;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (path && strcmp(path, routes[i].path) == 0)
			r = &routes[i];
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
