/*
 * web/ctl_table: aligned text tables for levelnsctl. Rows are kept until
 * printed, since a column is as wide as its widest cell.
 */
#include "config.h"

#include "web/ctl.h"

#include <stdlib.h>
#include <string.h>

/* Longest cell kept, in bytes: a pool's answer list can be long, but not
 * a screenful. */
#define CELL_MAX 1024

struct lns_ctl_table {
	unsigned ncols;
	unsigned nrows;     /* rows after the header */
	unsigned cap;
	unsigned indent;    /* blanks before each line */
	bool header;        /* row 0 is printed */
	bool *right;        /* per column: right-aligned */
	char **cells;       /* (nrows + 1) * ncols, row 0 the header */
};

static char *cell_copy(const char *s)
{
	char buf[CELL_MAX];
	return lns_ctl_xstrdup(lns_ctl_clean(s ? s : "-", buf, sizeof(buf)));
}

static void add_row(lns_ctl_table_t *t, const char *const *cells)
{
	unsigned row = t->nrows + 1; /* row 0 is the header */
	if (row >= t->cap) {
		t->cap = t->cap ? 2 * t->cap : 8;
		t->cells = lns_ctl_xrealloc(t->cells, (size_t)t->cap * t->ncols * sizeof(*t->cells));
	}
	for (unsigned c = 0; c < t->ncols; c++)
		t->cells[(size_t)row * t->ncols + c] = cell_copy(cells[c]);
}

lns_ctl_table_t *lns_ctl_table_new(unsigned ncols, const char *const *headers)
{
	lns_ctl_table_t *t = lns_ctl_xrealloc(NULL, sizeof(*t));
	memset(t, 0, sizeof(*t));
	t->ncols = ncols ? ncols : 1;
	t->header = headers != NULL;
	t->right = lns_ctl_xrealloc(NULL, t->ncols * sizeof(*t->right));
	const char *h[t->ncols];
	for (unsigned c = 0; c < t->ncols; c++) {
		const char *s = headers && c < ncols && headers[c] ? headers[c] : "";
		t->right[c] = s[0] == '>';
		h[c] = s + t->right[c];
	}
	t->cap = 8;
	t->cells = lns_ctl_xrealloc(NULL, (size_t)t->cap * t->ncols * sizeof(*t->cells));
	for (unsigned c = 0; c < t->ncols; c++)
		t->cells[c] = cell_copy(h[c]);
	return t;
}

void lns_ctl_table_free(lns_ctl_table_t *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < (size_t)(t->nrows + 1) * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->right);
	free(t);
}

void lns_ctl_table_add(lns_ctl_table_t *t, const char *const *cells)
{
	add_row(t, cells);
	t->nrows++;
}

void lns_ctl_table_indent(lns_ctl_table_t *t, unsigned n)
{
	t->indent = n;
}

unsigned lns_ctl_table_rows(const lns_ctl_table_t *t)
{
	return t->nrows;
}

/* Appends n copies of c, or s, to the line being built. */
static void put(char **line, size_t *len, size_t *cap, const char *s, size_t n, char c)
{
	size_t add = s ? strlen(s) : n;
	if (*len + add + 1 > *cap) {
		*cap = 2 * (*len + add + 1);
		*line = lns_ctl_xrealloc(*line, *cap);
	}
	if (s)
		memcpy(*line + *len, s, add);
	else
		memset(*line + *len, c, add);
	*len += add;
	(*line)[*len] = '\0';
}

void lns_ctl_table_print(const lns_ctl_table_t *t, FILE *out)
{
	size_t width[t->ncols];
	for (unsigned c = 0; c < t->ncols; c++) {
		width[c] = 0;
		for (unsigned r = !t->header; r <= t->nrows; r++) {
			size_t w = lns_ctl_width(t->cells[(size_t)r * t->ncols + c]);
			if (w > width[c])
				width[c] = w;
		}
	}
	char *line = NULL;
	size_t cap = 0;
	for (unsigned r = !t->header; r <= t->nrows; r++) {
		size_t len = 0;
		put(&line, &len, &cap, NULL, t->indent, ' ');
		for (unsigned c = 0; c < t->ncols; c++) {
			const char *s = t->cells[(size_t)r * t->ncols + c];
			size_t gap = width[c] - lns_ctl_width(s);
			if (c)
				put(&line, &len, &cap, NULL, 2, ' ');
			if (t->right[c])
				put(&line, &len, &cap, NULL, gap, ' ');
			put(&line, &len, &cap, s, 0, 0);
			if (!t->right[c])
				put(&line, &len, &cap, NULL, gap, ' ');
		}
		while (len && line[len - 1] == ' ')
			line[--len] = '\0';
		fputs(line, out);
		fputc('\n', out);
	}
	free(line);
}
