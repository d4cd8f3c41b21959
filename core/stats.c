/* core/stats: names of the counter slots. */
#include "config.h"

#include "core/stats.h"

#include <stddef.h>

const char *lns_stats_qtype_name(unsigned slot)
{
	static const char *const names[LNS_STATS_QTYPES] = {
		[LNS_QT_A] = "A", [LNS_QT_NS] = "NS", [LNS_QT_CNAME] = "CNAME", [LNS_QT_SOA] = "SOA",
		[LNS_QT_PTR] = "PTR", [LNS_QT_MX] = "MX", [LNS_QT_TXT] = "TXT", [LNS_QT_AAAA] = "AAAA",
		[LNS_QT_SRV] = "SRV", [LNS_QT_NAPTR] = "NAPTR", [LNS_QT_DS] = "DS", [LNS_QT_DNSKEY] = "DNSKEY",
		[LNS_QT_SVCB] = "SVCB", [LNS_QT_HTTPS] = "HTTPS", [LNS_QT_CAA] = "CAA", [LNS_QT_IXFR] = "IXFR",
		[LNS_QT_AXFR] = "AXFR", [LNS_QT_ANY] = "ANY", [LNS_QT_OTHER] = "other",
	};
	return slot < LNS_STATS_QTYPES ? names[slot] : NULL;
}

const char *lns_stats_rcode_name(unsigned rcode)
{
	/* RFC 1035, 2136, 8490; 12-15 are unassigned. */
	static const char *const names[LNS_STATS_RCODES] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
		"NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI", "RCODE12", "RCODE13", "RCODE14", "RCODE15",
	};
	return rcode < LNS_STATS_RCODES ? names[rcode] : NULL;
}
