// web/static/events.js: the log of recent changes, read from
// GET /api/v1/events?since=SEQ at every poll. A daemon without that
// endpoint (404) gets the log made here instead, from each member's
// history of changes in /api/v1/health and the master changes the page
// sees; it asks for the endpoint again now and then.

import { el, parseTime, fmtClock, syncChildren, show, setText } from './util.js';
import { request } from './api.js';

const MAX = 200;
const RETRY_POLLS = 30;

export class EventLog {
	constructor(list, empty, note)
	{
		this.list = list;
		this.empty = empty;
		this.note = note;
		this.items = new Map();   /* key -> {at, seq, node} */
		this.since = null;
		this.api = 'unknown';     /* 'yes', 'no' (404), or not asked yet */
		this.untilRetry = 0;
		this.master = undefined;
		this.changed = false;
	}

	// The daemon may have restarted: its sequence numbers start again.
	reset()
	{
		this.since = null;
	}

	// One poll; rejects with Unreachable like request(). Returns the
	// response when it was not usable (401 and the like), else null.
	async poll()
	{
		if (this.api === 'no' && --this.untilRetry > 0)
			return null;
		const path = this.since === null ? 'api/v1/events' : `api/v1/events?since=${encodeURIComponent(this.since)}`;
		const r = await request('GET', path);
		if (r.status === 404 && !(r.data && Array.isArray(r.data.events))) {
			this.api = 'no';
			this.untilRetry = RETRY_POLLS;
			return null;
		}
		if (!r.ok || !r.data || !Array.isArray(r.data.events))
			return r;
		if (this.api !== 'yes') {
			/* what was made up without the endpoint gives way to it */
			for (const key of [...this.items.keys()])
				if (key.startsWith('h|') || key.startsWith('m|'))
					this.items.delete(key);
			this.changed = true;
		}
		this.api = 'yes';
		for (const e of r.data.events)
			this.addApi(e);
		if (typeof r.data.next === 'number' || typeof r.data.next === 'string')
			this.since = r.data.next;
		return null;
	}

	addApi(e)
	{
		if (!e || typeof e !== 'object')
			return;
		const key = `${e.seq}|${e.time}`;
		if (this.items.has(key))
			return;
		this.add(key, parseTime(e.time), typeof e.seq === 'number' ? e.seq : 0, describe(e));
	}

	// Without the endpoint: members' histories and master changes.
	fromHealth(health)
	{
		if (this.api === 'yes' || !health || !Array.isArray(health.pools))
			return;
		for (const p of health.pools)
			for (const m of p.members || [])
				for (const h of m.history || []) {
					const key = `h|${p.name}|${m.name}|${h.at}|${h.to}`;
					if (!this.items.has(key))
						this.add(key, parseTime(h.at), 0, describe({
							kind: 'member', pool: p.name, member: m.name,
							from: h.from, to: h.to, reason: h.reason,
						}));
				}
	}

	fromMaster(master)
	{
		if (this.api === 'yes' || !master || !('term' in master))
			return;
		const id = `${master.master}|${master.term}`;
		if (id === this.master)
			return;
		this.master = id;
		const key = `m|${id}`;
		if (!this.items.has(key))
			this.add(key, parseTime(master.since) ?? Date.now(), 0,
				describe({ kind: 'master', master: master.master, term: master.term }));
	}

	add(key, at, seq, parts)
	{
		const time = el('time', { class: 'ev-time', text: fmtClock(at), title: at === null ? null : new Date(at).toISOString() });
		const node = el('li', { class: `ev ev-${parts.kind}` }, time, el('span', { class: 'ev-kind', text: parts.label }),
			el('span', { class: 'ev-text' }, ...parts.text));
		this.items.set(key, { at: at ?? 0, seq, node });
		this.changed = true;
	}

	render()
	{
		if (this.changed) {
			this.changed = false;
			const sorted = [...this.items.entries()].sort((a, b) => b[1].at - a[1].at || b[1].seq - a[1].seq);
			for (const [key] of sorted.slice(MAX))
				this.items.delete(key);
			syncChildren(this.list, sorted.slice(0, MAX).map(([, v]) => v.node));
		}
		show(this.empty, this.items.size === 0);
		show(this.note, this.api === 'no');
		setText(this.note, this.api === 'no'
			? 'This levelnsd has no /api/v1/events: the log shows the members’ recent histories and the master changes seen since this page opened.'
			: '');
	}
}

function stateWord(s)
{
	return el('span', { class: `st-word st-${typeof s === 'string' ? s : 'unknown'}`, text: String(s ?? 'unknown') });
}

function strong(s)
{
	return el('strong', { text: String(s ?? '?') });
}

// An event as {kind, label, text: [nodes]}.
function describe(e)
{
	switch (e.kind) {
	case 'member':
		return {
			kind: 'member', label: 'health',
			text: [strong(`${e.pool} / ${e.member}`), ' ', stateWord(e.from), ' → ', stateWord(e.to),
				e.reason ? el('span', { class: 'muted', text: ` (${e.reason})` }) : null],
		};
	case 'master':
		return {
			kind: 'master', label: 'master',
			text: e.master ? ['Master is ', strong(e.master), `, term ${e.term}`] : [`No master, term ${e.term}`],
		};
	case 'reload':
		return e.ok
			? { kind: 'reload', label: 'reload', text: ['Configuration reloaded', e.message ? `: ${e.message}` : ''] }
			: { kind: 'reload-failed', label: 'reload', text: ['Reload refused', e.message ? `: ${e.message}` : ''] };
	case 'drain': {
		const until = e.drained && e.until ? ` until ${fmtClock(parseTime(e.until))}` : '';
		return {
			kind: 'drain', label: e.drained ? 'drain' : 'undrain',
			text: [strong(`${e.pool} / ${e.member}`), e.drained ? ` drained${until}` : ' undrained'],
		};
	}
	default:
		return { kind: 'other', label: String(e.kind ?? 'event'), text: [JSON.stringify(e)] };
	}
}
