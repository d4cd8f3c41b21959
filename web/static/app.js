// web/static/app.js: the levelns dashboard. Polls the admin API every
// second (every 5 s while the tab is hidden) and redraws in place: the
// master and the nodes, every pool with its answer, every member with its
// state, round-trip time, probe interval and RTT sparkline, and the log of
// changes. Shows a banner while the daemon does not answer and picks up
// again when it does.

import { el, fill, setText, setAttr, setClass, show, syncChildren, parseTime, fmtAgo, fmtSpan, fmtRtt, fmtClock } from './util.js';
import { auth, request, Unreachable } from './api.js';
import { Samples, drawSpark, sparkSvg } from './spark.js';
import { EventLog } from './events.js';
import { setupDialogs, askToken, askDrain, simpleWrite, toast } from './dialogs.js';

const POLL_MS = 1000;
const HIDDEN_POLL_MS = 5000;
const STATES = ['up', 'down', 'drained', 'unknown'];

const $ = (id) => document.getElementById(id);

const app = {
	health: null,
	pools: null,
	master: null,
	nodes: null,
	server: { at: 0, local: 0 },  /* the daemon's clock at the last answer, and ours then */
	samples: new Samples(),
	events: new EventLog($('events'), $('events-empty'), $('events-note')),
	down: null,                   /* since when the daemon does not answer */
	downWhy: '',
	waitingToken: false,          /* the token form is open for reads */
	noToken: false,               /* reads need the token and none was given */
	timer: 0,
	running: false,
	again: false,
	poolCards: new Map(),
	memberRows: new Map(),
	nodeRows: new Map(),
};

// The daemon's current time, from its last answer and our clock since.
function serverNow()
{
	if (!app.server.at)
		return Date.now();
	return app.server.at + (performance.now() - app.server.local);
}

function stateOf(s)
{
	return STATES.includes(s) ? s : 'unknown';
}

// ---- polling ----

async function poll()
{
	const paths = ['api/v1/health', 'api/v1/pools', 'api/v1/master', 'api/v1/nodes'];
	let answers;
	try {
		answers = await Promise.all(paths.map((p) => request('GET', p)));
	} catch (e) {
		if (e instanceof Unreachable)
			return unreachable(e.message);
		throw e;
	}
	const denied = answers.find((r) => r.status === 401);
	if (denied)
		return needReadToken(denied);
	const bad = answers.find((r) => !r.ok);
	if (bad) {
		/* 503 while starting, or something unexpected: say so, keep trying */
		return unreachable(`it answers ${bad.status}: ${bad.error}`, true);
	}
	const [health, pools, master, nodes] = answers.map((r) => r.data);
	const wasDown = app.down !== null;
	app.down = null;
	if (wasDown)
		app.events.reset();
	app.health = health;
	app.pools = pools;
	app.master = master;
	app.nodes = nodes;
	const at = parseTime(health && health.generated_at);
	if (at) {
		app.server.at = at;
		app.server.local = performance.now();
	}
	sample();
	try {
		const r = await app.events.poll();
		if (r && r.status === 401)
			return needReadToken(r);
	} catch (e) {
		if (!(e instanceof Unreachable))
			throw e;
	}
	app.events.fromHealth(health);
	app.events.fromMaster(master);
	render();
	if (wasDown)
		toast('levelnsd answers again.');
}

function sample()
{
	const t = app.server.at || Date.now();
	const keys = new Set();
	for (const p of (app.health && app.health.pools) || [])
		for (const m of p.members || []) {
			const key = `${p.name}\n${m.name}`;
			keys.add(key);
			app.samples.add(key, t, m.rtt_ms, stateOf(m.state));
		}
	app.samples.prune(t, keys);
}

function unreachable(why, answered = false)
{
	if (app.down === null)
		app.down = Date.now();
	app.downWhy = answered ? `levelnsd does not answer normally: ${why}` : `levelnsd is unreachable (${why})`;
	render();
}

async function needReadToken(r)
{
	if (app.waitingToken)
		return;
	if (!auth.readAuth && auth.token) {
		/* reads did not send the token we have: send it from now on */
		auth.needForReads();
		refresh();
		return;
	}
	app.waitingToken = true;
	const hadToken = auth.readAuth && auth.token;
	auth.needForReads();
	if (hadToken)
		auth.clear();
	render();
	const why = 'This levelnsd asks for the admin token to read too (http.read_auth). Enter it to see the dashboard.';
	const saved = await askToken(why, hadToken ? `The token was refused (401): ${r.error}` : '');
	app.waitingToken = false;
	app.noToken = !saved;
	render();
	if (saved)
		refresh();
}

// One poll at a time; a refresh asked for during one runs right after it.
async function tick()
{
	clearTimeout(app.timer);
	if (app.running) {
		app.again = true;
		return;
	}
	app.running = true;
	const started = performance.now();
	try {
		if (!app.waitingToken && !app.noToken)
			await poll();
	} catch (e) {
		console.error('levelns dashboard:', e);
	}
	app.running = false;
	if (app.again) {
		app.again = false;
		app.timer = setTimeout(tick, 0);
		return;
	}
	const every = document.hidden ? HIDDEN_POLL_MS : POLL_MS;
	app.timer = setTimeout(tick, Math.max(100, every - (performance.now() - started)));
}

function refresh()
{
	tick();
}

// ---- drawing ----

function render()
{
	const now = serverNow();
	renderTop();
	renderSummary(now);
	renderNodes();
	renderPools(now);
	app.events.render();
	setText($('foot-gen'), app.health ? `configuration generation ${app.health.generation}` : '');
}

function counts()
{
	const c = { up: 0, down: 0, drained: 0, unknown: 0, total: 0 };
	for (const p of (app.health && app.health.pools) || [])
		for (const m of p.members || []) {
			c[stateOf(m.state)]++;
			c.total++;
		}
	return c;
}

function renderTop()
{
	const down = app.down !== null;
	const banner = $('banner');
	show(banner, down || app.noToken);
	if (down)
		setText(banner, `${app.downWhy}. Showing what it last said; trying again every second (since ${fmtClock(app.down)}).`);
	else if (app.noToken)
		setText(banner, 'This levelnsd needs the admin token to be read (http.read_auth): enter it with “Set token”.');
	setClass(document.body, down ? 'offline' : '');
	const live = $('live');
	setClass(live, down ? 'live live-down' : app.health ? 'live live-ok' : 'live');
	setText(live, down ? 'offline' : app.health ? 'live' : 'connecting…');
	setAttr(live, 'title', app.server.at ? `last answer at ${fmtClock(app.server.at)} (the daemon's clock)` : null);
	setText($('node'), app.master && app.master.node ? `node ${app.master.node}` : '');
	setText($('token-button'), auth.token ? 'Token set' : 'Set token');
	const c = counts();
	let title = 'levelns';
	if (down)
		title += ' · offline';
	else if (c.down)
		title += ` · ${c.down} down`;
	if (document.title !== title)
		document.title = title;
}

function renderSummary(now)
{
	const m = app.master || {};
	setText($('sum-master'), m.master || (app.master ? 'none' : '—'));
	const since = parseTime(m.since);
	let note = m.stale ? 'stale: this node has lost the master' : since ? `since ${fmtAgo(now - since)}` : '';
	if (app.master && m.clustered === false)
		note = 'single node (no cluster)';
	setText($('sum-master-note'), note);
	setClass($('sum-master-note'), m.stale ? 'tile-note warn' : 'tile-note');
	setText($('sum-term'), m.term ?? '—');
	setText($('sum-term-note'), app.master ? `this node: ${m.role || '?'}` : '');

	const c = counts();
	setText($('sum-members'), app.health ? `${c.up} / ${c.total} up` : '—');
	const parts = [];
	if (c.down)
		parts.push(`${c.down} down`);
	if (c.drained)
		parts.push(`${c.drained} drained`);
	if (c.unknown)
		parts.push(`${c.unknown} unknown`);
	setText($('sum-members-note'), parts.join(' · ') || (c.total ? 'all up' : ''));
	setClass($('sum-members-note'), c.down ? 'tile-note bad' : 'tile-note');

	const pools = (app.pools && app.pools.pools) || [];
	const allDown = pools.filter((p) => p.all_down).length;
	setText($('sum-pools'), app.pools ? String(pools.length) : '—');
	setText($('sum-pools-note'), allDown ? `${allDown} with every member down` : pools.length ? 'all answering' : '');
	setClass($('sum-pools-note'), allDown ? 'tile-note bad' : 'tile-note');
}

// ---- nodes ----

function cell(label, cls)
{
	return el('td', { 'data-label': label, class: cls });
}

function nodeRow(name)
{
	let row = app.nodeRows.get(name);
	if (row)
		return row;
	const c = {
		name: cell('Node', 'c-name'), role: cell('Role', 'c-role'), prio: cell('Priority', 'c-num'),
		term: cell('Term', 'c-num'), hb: cell('Heartbeat', 'c-num'), status: cell('Status', 'c-status'),
	};
	row = { tr: el('tr', {}, c.name, c.role, c.prio, c.term, c.hb, c.status), c };
	app.nodeRows.set(name, row);
	return row;
}

function tags(parent, list)
{
	const want = list.map(([cls, text]) => `${cls}\t${text}`).join('\n');
	if (parent.dataset.tags === want)
		return;
	parent.dataset.tags = want;
	fill(parent, ...list.map(([cls, text]) => el('span', { class: `tag ${cls}`, text })));
}

function renderNodes()
{
	const nodes = (app.nodes && app.nodes.nodes) || [];
	const master = app.master && app.master.master;
	const rows = nodes.map((n) => {
		const r = nodeRow(n.name);
		const addr = n.address ? ` ${n.address}` : '';
		if (r.c.name.dataset.v !== n.name + addr) {
			r.c.name.dataset.v = n.name + addr;
			fill(r.c.name, el('strong', { text: n.name }),
				n.address ? el('span', { class: 'sub', text: n.address }) : null);
		}
		const role = n.name === master ? 'master' : n.role;
		tags(r.c.role, [[`role-${String(role).replace(/[^a-z]/g, '')}`, role + (n.self ? ' · this node' : '')]]);
		setText(r.c.prio, n.priority);
		setText(r.c.term, n.term);
		setText(r.c.hb, n.self ? '—' : n.heartbeat_age_ms === null ? 'never' : fmtSpan(n.heartbeat_age_ms));
		setAttr(r.c.hb, 'title', n.self ? 'this node' : 'time since the last message from it');
		const st = [];
		st.push(n.reachable ? ['ok', 'reachable'] : ['bad', 'unreachable']);
		if (!n.config_match)
			st.push(['warn', 'config differs']);
		if (n.suspect_vantage)
			st.push(['warn', 'suspect vantage']);
		tags(r.c.status, st);
		return r.tr;
	});
	for (const [name] of app.nodeRows)
		if (!nodes.some((n) => n.name === name))
			app.nodeRows.delete(name);
	syncChildren($('nodes'), rows);
}

// ---- pools and members ----

function poolCard(name)
{
	let card = app.poolCards.get(name);
	if (card)
		return card;
	const c = {
		title: el('h3', { class: 'pool-name', text: name }),
		meta: el('div', { class: 'pool-meta' }),
		answer: el('div', { class: 'pool-answer' }),
		tbody: el('tbody'),
	};
	const table = el('table', { class: 'grid members' },
		el('thead', {}, el('tr', {},
			el('th', { text: 'Member' }), el('th', { text: 'State' }), el('th', { text: 'Reason' }),
			el('th', { class: 'c-num', text: 'RTT' }), el('th', { class: 'c-num', text: 'Probe every' }),
			el('th', { text: 'RTT history' }), el('th', { text: 'Changed' }), el('th', { class: 'c-act' }, el('span', { class: 'vh', text: 'Actions' })))),
		c.tbody);
	card = {
		node: el('article', { class: 'card pool', 'data-pool': name },
			el('header', { class: 'pool-head' }, c.title, c.meta), c.answer, el('div', { class: 'table-box' }, table)),
		c,
		rows: new Map(),
	};
	app.poolCards.set(name, card);
	return card;
}

function memberRow(card, pool, name)
{
	let row = card.rows.get(name);
	if (row)
		return row;
	const c = {
		member: cell('Member', 'c-member'), state: cell('State', 'c-state'), reason: cell('Reason', 'c-reason'),
		rtt: cell('RTT', 'c-num c-rtt'), interval: cell('Probe every', 'c-num c-interval'),
		chart: cell('RTT history', 'c-chart'), changed: cell('Changed', 'c-changed'), act: cell('', 'c-act'),
	};
	c.pill = el('span', { class: 'pill' });
	c.state.append(c.pill);
	c.svg = sparkSvg();
	c.chart.append(c.svg);
	c.button = el('button', { type: 'button', class: 'small' });
	c.button.addEventListener('click', () => memberAction(pool, name, c.button.dataset.action));
	c.act.append(c.button);
	row = { tr: el('tr', { 'data-member': name }, c.member, c.state, c.reason, c.rtt, c.interval, c.chart, c.changed, c.act), c };
	card.rows.set(name, row);
	return row;
}

function memberAction(pool, member, action)
{
	if (action === 'drain')
		askDrain(pool, member, serverNow, refresh);
	else if (action === 'undrain')
		simpleWrite(pool, member, 'undrain', refresh);
}

function renderMember(row, pool, m, answer, now)
{
	const c = row.c;
	const st = stateOf(m.state);
	setAttr(row.tr, 'data-state', st);
	setClass(c.pill, `pill st-${st}`);
	setText(c.pill, st);
	const inAnswer = m.address && answer.includes(m.address);
	const key = [m.name, m.address, m.host, inAnswer].join('|');
	if (c.member.dataset.v !== key) {
		c.member.dataset.v = key;
		fill(c.member, el('strong', { text: m.name }),
			el('span', { class: 'sub mono', text: [m.host, m.address].filter(Boolean).join(' · ') || 'unresolved' }),
			inAnswer ? el('span', { class: 'tag ok answering', text: 'answered', title: 'in the current DNS answer' }) : null);
	}
	let reason = m.reason || '';
	const until = parseTime(m.drained_until);
	if (m.drained && until)
		reason = `drained until ${fmtClock(until)}` + (st === 'drained' ? '' : ` · ${reason}`);
	else if (m.drained && st !== 'drained')
		reason = `drained · ${reason}`;
	setText(c.reason, reason);
	setText(c.rtt, fmtRtt(m.rtt_ms));
	const stale = st === 'down' && typeof m.rtt_ms === 'number';
	setClass(c.rtt, stale ? 'c-num c-rtt stale' : 'c-num c-rtt');
	setAttr(c.rtt, 'title', stale ? 'the last round trip measured before it went down' : null);
	setText(c.interval, fmtSpan(m.interval_ms));
	const changed = parseTime(m.changed_at);
	setText(c.changed, changed ? fmtAgo(now - changed) : '—');
	setAttr(c.changed, 'title', changed ? new Date(changed).toISOString() : null);
	const history = (m.history || []).map((h) => ({ at: parseTime(h.at), to: stateOf(h.to) }));
	drawSpark(c.svg, app.samples.get(`${pool}\n${m.name}`), history, now);
	const action = m.drained || st === 'drained' ? 'undrain' : 'drain';
	if (c.button.dataset.action !== action) {
		c.button.dataset.action = action;
		setText(c.button, action === 'drain' ? 'Drain' : 'Undrain');
		setClass(c.button, action === 'drain' ? 'small' : 'small primary');
	}
	setAttr(c.button, 'aria-label', `${action === 'drain' ? 'Drain' : 'Undrain'} ${m.name} of ${pool}`);
	setAttr(c.button, 'disabled', app.down !== null);
}

function renderPoolHead(card, p, info)
{
	const meta = [
		['policy', info ? info.policy : p.policy],
		['probe', p.probe],
		info ? ['ttl', `TTL ${info.ttl} s`] : null,
		info && info.answers > 1 ? ['answers', `up to ${info.answers} answers`] : null,
	].filter(Boolean);
	tags(card.c.meta, meta.map(([k, v]) => [`meta meta-${k}`, v]));
	const answer = (info && info.answer) || [];
	const key = JSON.stringify([answer, info && info.all_down, info && info.all_down_mode]);
	if (card.c.answer.dataset.v === key)
		return;
	card.c.answer.dataset.v = key;
	const kids = [el('span', { class: 'label', text: 'Answer' })];
	if (!info)
		kids.push(el('span', { class: 'muted', text: 'unknown' }));
	else if (answer.length === 0)
		kids.push(el('span', { class: 'tag bad', text: info.all_down_mode === 'servfail' ? 'SERVFAIL' : 'no address (NODATA)' }));
	for (const a of answer)
		kids.push(el('code', { class: 'addr', text: a }));
	if (info && info.all_down)
		kids.push(el('span', { class: 'tag bad', text: `every member down: ${info.all_down_mode}` }));
	fill(card.c.answer, ...kids);
}

function renderPools(now)
{
	const pools = (app.health && app.health.pools) || [];
	const info = new Map(((app.pools && app.pools.pools) || []).map((p) => [p.name, p]));
	const cards = pools.map((p) => {
		const card = poolCard(p.name);
		const pi = info.get(p.name);
		renderPoolHead(card, p, pi);
		const answer = (pi && pi.answer) || [];
		const rows = (p.members || []).map((m) => {
			const row = memberRow(card, p.name, m.name);
			renderMember(row, p.name, m, answer, now);
			return row.tr;
		});
		for (const [name] of card.rows)
			if (!(p.members || []).some((m) => m.name === name))
				card.rows.delete(name);
		syncChildren(card.c.tbody, rows);
		return card.node;
	});
	for (const [name] of app.poolCards)
		if (!pools.some((p) => p.name === name))
			app.poolCards.delete(name);
	if (app.health && pools.length === 0)
		cards.push(el('p', { class: 'empty card', text: 'No pools are configured.' }));
	if (app.health)
		syncChildren($('pools'), cards);
}

// ---- start ----

setupDialogs(() => {
	app.noToken = false;
	render();
	refresh();
});
$('token-button').addEventListener('click', async () => {
	if (await askToken(auth.token ? 'Replace the admin token kept in this tab, or forget it.' : ''))
		toast('The token is kept in this tab.');
});
document.addEventListener('visibilitychange', () => {
	if (!document.hidden)
		refresh();
});
render();
tick();
