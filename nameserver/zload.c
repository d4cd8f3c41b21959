/*
 * nameserver/zload: reads RFC 1035 zone files with ldns ($ORIGIN, $TTL and
 * $INCLUDE, the last handled here since ldns leaves it to the caller) and
 * compiles them into a zonedb. ldns objects never leave this file.
 */
#include "config.h"

#include "core/log.h"
#include "nameserver/nameserver.h"
#include "nameserver/nameserver_int.h"

#include <ctype.h>
#include <errno.h>
#include <ldns/ldns.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INCLUDE_DEPTH 8

typedef struct reader {
	lns_zone_t *zone;
	ldns_buffer *rdata;
	lns_err_t *err;
	size_t records;
} reader_t;

static int read_file(reader_t *rd, const char *path, ldns_rdf *origin_in, uint32_t ttl_in, int depth);

/* Copies the next blank-separated token of *text into out (size bytes),
 * stopping at a comment; false when there is none or it is too long. */
static bool next_token(const char **text, char *out, size_t size)
{
	const char *p = *text;
	while (*p == ' ' || *p == '\t')
		p++;
	size_t n = 0;
	while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != ';') {
		if (n + 1 >= size)
			return false;
		out[n++] = *p++;
	}
	out[n] = '\0';
	*text = p;
	return n > 0;
}

/* "$INCLUDE file [origin] [; comment]": the file relative to the including
 * file's directory, a relative origin relative to the current one. */
static int do_include(reader_t *rd, const char *path, int line, const char *text, ldns_rdf *origin, uint32_t ttl,
	int depth)
{
	char file[1024], org[LNS_DNAME_MAX * 4 + 2], full[2048];
	const char *p = text + strlen("$INCLUDE");
	if (!next_token(&p, file, sizeof(file))) {
		lns_err_set(rd->err, path, line, "$INCLUDE needs a file name (of at most %zu characters)", sizeof(file) - 1);
		return LNS_EZONE;
	}
	bool has_origin = next_token(&p, org, sizeof(org));
	if (!has_origin && *p && *p != ';' && *p != '\n' && *p != '\r') {
		lns_err_set(rd->err, path, line, "$INCLUDE origin is too long");
		return LNS_EZONE;
	}
	if (depth >= INCLUDE_DEPTH) {
		lns_err_set(rd->err, path, line, "$INCLUDE nested more than %d deep", INCLUDE_DEPTH);
		return LNS_EZONE;
	}
	if (file[0] == '/') {
		snprintf(full, sizeof(full), "%s", file);
	} else {
		char *copy = lns_xstrdup(path);
		snprintf(full, sizeof(full), "%s/%s", dirname(copy), file);
		free(copy);
	}
	if (access(full, R_OK) != 0) {
		lns_err_set(rd->err, path, line, "$INCLUDE %s: %s", full, strerror(errno));
		return -errno;
	}
	ldns_rdf *o = NULL;
	if (has_origin) {
		o = ldns_dname_new_frm_str(org);
		if (o && !ldns_dname_str_absolute(org) && origin && ldns_dname_cat(o, origin) != LDNS_STATUS_OK) {
			ldns_rdf_deep_free(o);
			o = NULL;
		}
		if (!o) {
			lns_err_set(rd->err, path, line, "bad origin '%s' in $INCLUDE", org);
			return LNS_EZONE;
		}
	}
	int rc = read_file(rd, full, o ? o : origin, ttl, depth + 1);
	ldns_rdf_deep_free(o);
	return rc;
}

static int add_rr(reader_t *rd, const char *path, int line, const ldns_rr *rr)
{
	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
		lns_err_set(rd->err, path, line, "only class IN is served");
		return LNS_EZONE;
	}
	ldns_buffer_clear(rd->rdata);
	if (ldns_rr_rdata2buffer_wire(rd->rdata, rr) != LDNS_STATUS_OK || ldns_buffer_position(rd->rdata) > 65535) {
		lns_err_set(rd->err, path, line, "record data too large");
		return LNS_EZONE;
	}
	lns_err_t e;
	const ldns_rdf *owner = ldns_rr_owner(rr);
	int rc = lns_zone_add_rr(rd->zone, ldns_rdf_data(owner), (uint16_t)ldns_rr_get_type(rr), ldns_rr_ttl(rr),
		ldns_buffer_begin(rd->rdata), (uint16_t)ldns_buffer_position(rd->rdata), &e);
	if (rc != 0) {
		lns_err_set(rd->err, path, line, "%s", e.msg);
		return rc;
	}
	rd->records++;
	return 0;
}

/* ldns lets an unclosed "(" swallow the rest of the file into one record;
 * a scan outside quotes and comments finds it first. */
static int check_parens(reader_t *rd, const char *path, FILE *fp)
{
	int c, line = 1, open_line = 0, depth = 0;
	bool quoted = false, comment = false, escaped = false;
	while ((c = getc(fp)) != EOF) {
		if (escaped) {
			escaped = false;
		} else if (c == '\n') {
			line++;
			comment = false;
		} else if (comment) {
			continue;
		} else if (c == '\\') {
			escaped = true;
		} else if (c == '"') {
			quoted = !quoted;
		} else if (quoted) {
			continue;
		} else if (c == ';') {
			comment = true;
		} else if (c == '(') {
			if (depth++ == 0)
				open_line = line;
		} else if (c == ')') {
			if (--depth < 0) {
				lns_err_set(rd->err, path, line, "')' without '('");
				return LNS_EPARSE;
			}
		}
	}
	rewind(fp);
	if (depth > 0 || quoted) {
		lns_err_set(rd->err, path, open_line ? open_line : line, quoted ? "unterminated quoted string" : "'(' is never closed");
		return LNS_EPARSE;
	}
	return 0;
}

static int read_file(reader_t *rd, const char *path, ldns_rdf *origin_in, uint32_t ttl_in, int depth)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		lns_err_set(rd->err, path, 0, "cannot open zone file: %s", strerror(errno));
		return -errno;
	}
	/* A directory or a device would keep ldns reading forever. */
	struct stat st;
	if (fstat(fileno(fp), &st) == 0 && !S_ISREG(st.st_mode)) {
		lns_err_set(rd->err, path, 0, "not a regular file");
		fclose(fp);
		return LNS_EZONE;
	}
	int bad = check_parens(rd, path, fp);
	if (bad) {
		fclose(fp);
		return bad;
	}
	ldns_rdf *origin = origin_in ? ldns_rdf_clone(origin_in) : NULL;
	ldns_rdf *prev = origin ? ldns_rdf_clone(origin) : NULL;
	uint32_t ttl = ttl_in;
	int line = 1, rc = 0;

	while (rc == 0) {
		long before = ftell(fp);
		int line_before = line;
		ldns_rr *rr = NULL;
		ldns_status s = ldns_rr_new_frm_fp_l(&rr, fp, &ttl, &origin, &prev, &line);
		if (s == LDNS_STATUS_OK) {
			rc = add_rr(rd, path, line_before == line ? line : line - 1, rr);
			ldns_rr_free(rr);
		} else if (s == LDNS_STATUS_SYNTAX_INCLUDE) {
			/* ldns consumed the directive; read it again to get the file name. */
			long after = ftell(fp);
			char text[2200];
			size_t want = (size_t)(after - before) < sizeof(text) - 1 ? (size_t)(after - before) : sizeof(text) - 1;
			fseek(fp, before, SEEK_SET);
			size_t got = fread(text, 1, want, fp);
			text[got] = '\0';
			fseek(fp, after, SEEK_SET);
			char *d = strstr(text, "$INCLUDE");
			rc = d ? do_include(rd, path, line - 1, d, origin, ttl, depth)
			       : (lns_err_set(rd->err, path, line - 1, "cannot read $INCLUDE"), LNS_EZONE);
		} else if (s == LDNS_STATUS_SYNTAX_EMPTY || s == LDNS_STATUS_SYNTAX_TTL || s == LDNS_STATUS_SYNTAX_ORIGIN) {
			if (feof(fp))
				break;
		} else {
			if (feof(fp) && s == LDNS_STATUS_SYNTAX_ERR)
				break; /* trailing blank lines or comments */
			lns_err_set(rd->err, path, line_before == line ? line : line - 1, "%s", ldns_get_errorstr_by_id(s));
			rc = LNS_EPARSE;
		}
		if (rc == 0 && ferror(fp)) {
			lns_err_set(rd->err, path, line, "read error: %s", strerror(errno));
			rc = -EIO;
		}
		if (feof(fp))
			break;
	}
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	fclose(fp);
	return rc;
}

static int load_zone(lns_zonedb_t *db, const lns_zone_conf_t *zc, const char *cfg_path, lns_err_t *err, size_t *records)
{
	ldns_rdf *origin = ldns_dname_new_frm_str(zc->name);
	if (!origin || ldns_rdf_size(origin) > LNS_DNAME_MAX) {
		lns_err_set(err, cfg_path, zc->line, "bad zone name '%s'", zc->name);
		ldns_rdf_deep_free(origin);
		return LNS_ECONFIG;
	}
	lns_zone_t *z = lns_zonedb_add_zone(db, ldns_rdf_data(origin), zc->file);
	if (!z) {
		lns_err_set(err, cfg_path, zc->line, "zone '%s' is defined twice", zc->name);
		ldns_rdf_deep_free(origin);
		return LNS_ECONFIG;
	}
	z->allow_transfer = zc->allow_transfer;
	z->n_allow_transfer = zc->n_allow_transfer;
	reader_t rd = { .zone = z, .rdata = ldns_buffer_new(1024), .err = err };
	int rc = read_file(&rd, zc->file, origin, 3600, 0);
	ldns_buffer_free(rd.rdata);
	ldns_rdf_deep_free(origin);
	*records += rd.records;
	return rc;
}

int lns_ns_zones_load(const lns_config_t *cfg, lns_zonedb_t **out, lns_err_t *err)
{
	lns_zonedb_t *db = lns_zonedb_new();
	size_t records = 0;
	int rc = 0;
	for (unsigned i = 0; i < cfg->n_zones && rc == 0; i++)
		rc = load_zone(db, &cfg->zones[i], cfg->path, err, &records);
	for (unsigned i = 0; i < cfg->n_pools && rc == 0; i++) {
		lns_err_t e;
		if ((rc = lns_zonedb_add_pool(db, cfg->pools[i].wire, (int32_t)i, &e)) != 0)
			lns_err_set(err, cfg->path, cfg->pools[i].line, "pool '%s': %s", cfg->pools[i].name, e.msg);
	}
	if (rc == 0)
		rc = lns_zonedb_finish(db, err);
	if (rc != 0) {
		lns_zonedb_free(db);
		db = NULL;
	}
	*out = db;
	return rc;
}
