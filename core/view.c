/* core/view: generations, views, and their RCU publication. */
#include "config.h"

#include "core/view.h"

#include <stdlib.h>
#include <urcu/urcu-memb.h>

static lns_view_t *current;
static lns_view_t *current_status;
static uint64_t publications;

static lns_view_t *view_alloc(lns_generation_t *gen)
{
	lns_view_t *v = lns_xcalloc(1, sizeof(*v));
	v->gen = gen;
	v->config = gen->config;
	v->zones = gen->zones;
	gen->refs++;
	return v;
}

lns_view_t *lns_view_new(lns_config_t *config, lns_zonedb_t *zones)
{
	lns_generation_t *gen = lns_xcalloc(1, sizeof(*gen));
	gen->config = config;
	gen->zones = zones;
	gen->hits = lns_xcalloc(config->n_pools, sizeof(*gen->hits));
	lns_view_t *v = view_alloc(gen);
	v->pools = lns_xcalloc(config->n_pools, sizeof(*v->pools));
	for (unsigned i = 0; i < config->n_pools; i++) {
		const lns_pool_conf_t *p = &config->pools[i];
		lns_health_t *h = lns_xcalloc(p->n_members, sizeof(*h));
		for (unsigned m = 0; m < p->n_members; m++)
			h[m].load = -1;
		v->pools[i] = lns_pool_state_build(p, h, NULL, 0);
		free(h);
	}
	return v;
}

lns_view_t *lns_view_derive(const lns_view_t *base, lns_pool_state_t **pools)
{
	lns_view_t *v = view_alloc(base->gen);
	v->pools = pools;
	return v;
}

void lns_view_free(lns_view_t *view)
{
	if (!view)
		return;
	for (unsigned i = 0; view->pools && i < view->config->n_pools; i++)
		lns_pool_state_free(view->pools[i]);
	free(view->pools);
	free(view->cluster);
	if (--view->gen->refs == 0) {
		lns_zonedb_free(view->gen->zones);
		lns_config_free(view->gen->config);
		free(view->gen->hits);
		free(view->gen);
	}
	free(view);
}

void lns_view_publish(lns_view_t *view)
{
	if (view) {
		view->generation = ++publications;
		view->published_at = lns_wall_ms();
	}
	lns_view_t *old = rcu_xchg_pointer(&current, view);
	if (old) {
		urcu_memb_synchronize_rcu();
		lns_view_free(old);
	}
}

void lns_view_publish_status(lns_view_t *view)
{
	if (view) {
		view->generation = publications;
		view->published_at = lns_wall_ms();
	}
	lns_view_t *old = rcu_xchg_pointer(&current_status, view);
	if (old) {
		urcu_memb_synchronize_rcu();
		lns_view_free(old);
	}
}

const lns_view_t *lns_view_status_read_begin(void)
{
	urcu_memb_read_lock();
	const lns_view_t *v = rcu_dereference(current_status);
	return v ? v : rcu_dereference(current);
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
