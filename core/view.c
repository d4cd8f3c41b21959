/* core/view: RCU publication of the current view. */
#include "config.h"

#include "core/view.h"

#include <stdlib.h>
#include <urcu/urcu-memb.h>

static lns_view_t *current;
static uint64_t generation;

lns_view_t *lns_view_new(lns_config_t *config, lns_zonedb_t *zones)
{
	lns_view_t *v = lns_xcalloc(1, sizeof(*v));
	v->config = config;
	v->zones = zones;
	return v;
}

void lns_view_free(lns_view_t *view)
{
	if (!view)
		return;
	lns_zonedb_free(view->zones);
	lns_config_free(view->config);
	free(view);
}

void lns_view_publish(lns_view_t *view)
{
	if (view)
		view->generation = ++generation;
	lns_view_t *old = rcu_xchg_pointer(&current, view);
	if (old) {
		urcu_memb_synchronize_rcu();
		lns_view_free(old);
	}
}

void lns_view_reader_register(void)
{
	urcu_memb_register_thread();
}

void lns_view_reader_unregister(void)
{
	urcu_memb_unregister_thread();
}

const lns_view_t *lns_view_read_begin(void)
{
	urcu_memb_read_lock();
	return rcu_dereference(current);
}

void lns_view_read_end(void)
{
	urcu_memb_read_unlock();
}

const lns_view_t *lns_view_current_writer(void)
{
	return current;
}
