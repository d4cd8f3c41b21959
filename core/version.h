/*
 * core/version: what `levelnsd -V` prints: the version, and each library
 * it was built with, as its headers said at build time and as the library
 * loaded now says (they differ after a library upgrade without a rebuild).
 *
 * Thread: any. The daemon links every library named here; nothing else
 * calls this, so other programs linking core/libcore.a need none of them.
 */
#ifndef LNS_CORE_VERSION_H
#define LNS_CORE_VERSION_H

#include <stdio.h>

void lns_version_print(FILE *to, const char *program, const char *version);

#endif
