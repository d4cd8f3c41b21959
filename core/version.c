/* core/version: the version and the libraries, for -V. */
#include "core/version.h"
#include "core/build_versions.h" /* generated: what pkg-config knew at build time */

#include <ares.h>
#include <curl/curl.h>
#include <ev.h>
#include <jansson.h>
#include <ldns/ldns.h>
#include <libconfig.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>

#define STR_(x) #x
#define STR(x) STR_(x)

static void row(FILE *to, const char *lib, const char *built, const char *running)
{
	fprintf(to, "  %-14s %-12s %s\n", lib, built, running ? running : "-");
}

void lns_version_print(FILE *to, const char *program, const char *version)
{
	char mhd[32], ev[32];
	unsigned v = MHD_VERSION;
	snprintf(mhd, sizeof(mhd), "%x.%x.%x", (v >> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff);
	snprintf(ev, sizeof(ev), "%d.%d", ev_version_major(), ev_version_minor());
	fprintf(to, "%s %s\n", program, version);
	fprintf(to, "  %-14s %-12s %s\n", "library", "built with", "running");
	row(to, "ldns", LDNS_VERSION, ldns_version());
	row(to, "c-ares", ARES_VERSION_STR, ares_version(NULL));
	row(to, "libmicrohttpd", mhd, MHD_get_version());
	row(to, "libev", STR(EV_VERSION_MAJOR) "." STR(EV_VERSION_MINOR), ev);
	row(to, "liburcu", LNS_BUILD_URCU_VERSION, NULL);
	row(to, "jansson", JANSSON_VERSION, jansson_version_str());
	row(to, "libcurl", LIBCURL_VERSION, curl_version_info(CURLVERSION_NOW)->version);
	row(to, "libconfig",
		STR(LIBCONFIG_VER_MAJOR) "." STR(LIBCONFIG_VER_MINOR) "." STR(LIBCONFIG_VER_REVISION), NULL);
#ifdef OPENSSL_VERSION_STR /* 3.0 and later */
	row(to, "openssl", OPENSSL_VERSION_STR, OpenSSL_version(OPENSSL_VERSION_STRING));
#else
	row(to, "openssl", OPENSSL_VERSION_TEXT, OpenSSL_version(OPENSSL_VERSION));
#endif
}
