/* core/health: names of health states. */
#include "config.h"

#include "core/health.h"

const char *lns_health_state_name(uint8_t state)
{
	switch (state) {
	case LNS_HEALTH_UP: return "up";
	case LNS_HEALTH_DOWN: return "down";
	case LNS_HEALTH_DRAINED: return "drained";
	default: return "unknown";
	}
}
