/*
 * web/assets: the dashboard's files, built into the binary from web/static/
 * (web/assets.mk generates web/assets.c at build time), so the dashboard
 * works offline and needs no files beside the daemon.
 *
 * Thread: any; the table is constant.
 */
#ifndef LNS_WEB_ASSETS_H
#define LNS_WEB_ASSETS_H

#include <stddef.h>

typedef struct lns_web_asset {
	const char *path;          /* "/index.html", "/app.js", "/style.css", ... */
	const char *type;          /* "text/html; charset=utf-8", ... */
	const unsigned char *data;
	size_t len;
} lns_web_asset_t;

/* The built-in file served at path ("/" is "/index.html"); NULL if none. */
const lns_web_asset_t *lns_web_asset_find(const char *path);

#endif
