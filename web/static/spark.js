// web/static/spark.js: each member's round-trip times over the last two
// minutes, sampled from /api/v1/health at every poll and kept in this tab
// (sessionStorage, so a reload keeps the line), drawn as an inline SVG
// sparkline over bands that show when the member was not up — from the
// samples, and before them from the member's history of changes.

import { svg, fmtRtt } from './util.js';

export const WINDOW_MS = 120000;
const MAX_SAMPLES = 240;
const MIN_SPAN_MS = 20000;
const GAP_MS = 5000;               /* a line breaks where samples are further apart */
const STORE_KEY = 'levelns.samples';
const W = 120, H = 32, PAD = 2;

export class Samples {
	constructor()
	{
		this.map = new Map();
		this.dirty = 0;
		try {
			const saved = JSON.parse(sessionStorage.getItem(STORE_KEY) || '{}');
			for (const [k, v] of Object.entries(saved))
				if (Array.isArray(v))
					this.map.set(k, v.filter((s) => Array.isArray(s) && s.length === 3));
		} catch {
			/* nothing kept, or unreadable: start afresh */
		}
	}

	// One sample [time, rtt or null, state] at the daemon's time t.
	add(key, t, rtt, state)
	{
		let list = this.map.get(key);
		if (!list)
			this.map.set(key, (list = []));
		const last = list[list.length - 1];
		if (last && t <= last[0])
			return; /* the same document again */
		list.push([t, typeof rtt === 'number' && Number.isFinite(rtt) ? rtt : null, state]);
		if (list.length > MAX_SAMPLES)
			list.splice(0, list.length - MAX_SAMPLES);
		this.dirty++;
	}

	get(key)
	{
		return this.map.get(key) || [];
	}

	// Drops what fell out of the window and members no longer shown, and
	// saves now and then.
	prune(now, keys)
	{
		for (const [k, list] of this.map) {
			if (!keys.has(k)) {
				this.map.delete(k);
				continue;
			}
			let i = 0;
			while (i < list.length && list[i][0] < now - WINDOW_MS - GAP_MS)
				i++;
			if (i)
				list.splice(0, i);
		}
		if (this.dirty >= 5) {
			this.dirty = 0;
			try {
				sessionStorage.setItem(STORE_KEY, JSON.stringify(Object.fromEntries(this.map)));
			} catch {
				/* full or disabled: the samples live in memory only */
			}
		}
	}
}

// The member's state over [from, now] as [start, end, state] spans: its
// history of changes first, then what the samples saw.
function spans(samples, history, from, now)
{
	const points = [];
	for (const h of history)
		if (h.at !== null)
			points.push([h.at, h.to]);
	for (const s of samples)
		points.push([s[0], s[2]]);
	points.sort((a, b) => a[0] - b[0]);
	const out = [];
	let cur = null, start = from;
	for (const [t, st] of points) {
		if (t <= from) {
			cur = st;
			continue;
		}
		if (t > now)
			break;
		if (st !== cur) {
			if (cur !== null)
				out.push([start, t, cur]);
			cur = st;
			start = t;
		}
	}
	if (cur !== null)
		out.push([start, now, cur]);
	return out;
}

// Redraws the sparkline in svgNode (an <svg> made by sparkSvg) from the
// samples and history of one member; now is the daemon's time.
export function drawSpark(svgNode, samples, history, now)
{
	/* The window grows from 20 s to 2 min as samples come in, so a page
	 * just opened shows a line rather than a sliver at the right edge. */
	const first = samples.length ? samples[0][0] : now;
	const span = Math.min(WINDOW_MS, Math.max(MIN_SPAN_MS, now - first));
	const from = now - span;
	const x = (t) => ((t - from) / span) * W;
	/* A down member's rtt_ms is the last one measured before: no line there. */
	const inWindow = samples.filter((s) => s[0] >= from - GAP_MS)
		.map((s) => (s[2] === 'down' || s[2] === 'unknown' ? [s[0], null, s[2]] : s));
	const rtts = inWindow.map((s) => s[1]).filter((v) => v !== null);
	const max = Math.max(0.1, ...rtts) * 1.15;
	const y = (v) => H - PAD - (v / max) * (H - 2 * PAD);

	const kids = [];
	for (const [a, b, st] of spans(inWindow, history, from, now)) {
		if (st === 'up')
			continue;
		const x0 = Math.max(0, x(a)), x1 = Math.min(W, x(b));
		if (x1 - x0 < 0.5)
			continue;
		kids.push(svg('rect', { class: `band band-${st}`, x: x0.toFixed(1), y: 0, width: (x1 - x0).toFixed(1), height: H }));
	}

	let line = '', prev = null;
	for (const s of inWindow) {
		if (s[1] === null) {
			prev = null;
			continue;
		}
		const px = Math.max(0, x(s[0])).toFixed(1), py = y(s[1]).toFixed(1);
		line += `${prev !== null && s[0] - prev <= GAP_MS ? 'L' : 'M'}${px},${py}`;
		prev = s[0];
	}
	if (line)
		kids.push(svg('path', { class: 'spark-line', d: line }));
	const last = inWindow[inWindow.length - 1];

	const title = svg('title');
	title.textContent = rtts.length
		? `Round-trip time over the last ${Math.round(span / 1000)} s: now ${fmtRtt(last && last[1])}, ` +
			`lowest ${fmtRtt(Math.min(...rtts))}, highest ${fmtRtt(Math.max(...rtts))}`
		: `No round trip measured in the last ${Math.round(span / 1000)} s`;
	svgNode.replaceChildren(title, ...kids);
	svgNode.setAttribute('aria-label', title.textContent);
}

export function sparkSvg()
{
	return svg('svg', { class: 'spark', viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img' });
}
