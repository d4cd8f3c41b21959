// web/static/util.js: DOM and formatting helpers for the dashboard. No
// state. Every text from the daemon goes into the page as textContent,
// never as HTML.

export function el(tag, props = {}, ...kids)
{
	const n = document.createElement(tag);
	for (const [k, v] of Object.entries(props)) {
		if (v === undefined || v === null || v === false)
			continue;
		if (k === 'class')
			n.className = v;
		else if (k === 'text')
			n.textContent = v;
		else if (k.startsWith('on'))
			n.addEventListener(k.slice(2), v);
		else
			n.setAttribute(k, v === true ? '' : String(v));
	}
	for (const kid of kids)
		if (kid !== null && kid !== undefined)
			n.append(kid);
	return n;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(tag, attrs = {})
{
	const n = document.createElementNS(SVG_NS, tag);
	for (const [k, v] of Object.entries(attrs))
		n.setAttribute(k, String(v));
	return n;
}

// replaceChildren without the null and undefined entries.
export function fill(node, ...kids)
{
	node.replaceChildren(...kids.filter((k) => k !== null && k !== undefined));
}

// Setters that touch the DOM only on a change, so a page redrawn every
// second keeps its selection, focus and hover.
export function setText(node, text)
{
	text = text === null || text === undefined ? '' : String(text);
	if (node.textContent !== text)
		node.textContent = text;
}

export function setAttr(node, name, value)
{
	if (value === null || value === undefined || value === false) {
		if (node.hasAttribute(name))
			node.removeAttribute(name);
	} else {
		value = value === true ? '' : String(value);
		if (node.getAttribute(name) !== value)
			node.setAttribute(name, value);
	}
}

export function setClass(node, cls)
{
	if (node.getAttribute('class') !== cls)
		node.setAttribute('class', cls);
}

export function show(node, visible)
{
	if (node.hidden === visible)
		node.hidden = !visible;
}

// Puts nodes in parent in this order, moving only those out of place, and
// removes the children that are not among them.
export function syncChildren(parent, nodes)
{
	const keep = new Set(nodes);
	for (const c of [...parent.children])
		if (!keep.has(c))
			c.remove();
	nodes.forEach((n, i) => {
		if (parent.children[i] !== n)
			parent.insertBefore(n, parent.children[i] || null);
	});
}

// RFC 3339 from the API to milliseconds; null when absent or unreadable.
export function parseTime(s)
{
	if (typeof s !== 'string')
		return null;
	const t = Date.parse(s);
	return Number.isFinite(t) ? t : null;
}

const pad = (n) => String(n).padStart(2, '0');

// Local wall-clock time of day, with the date when it is not today.
export function fmtClock(ms)
{
	if (ms === null || ms === undefined)
		return '—';
	const d = new Date(ms);
	const hms = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
	const today = new Date();
	if (d.toDateString() === today.toDateString())
		return hms;
	return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hms}`;
}

// A span of time, short: "850 ms", "4.2 s", "3 min", "2 h 5 min", "6 d".
export function fmtSpan(ms)
{
	if (ms === null || ms === undefined || !Number.isFinite(ms))
		return '—';
	ms = Math.max(0, ms);
	if (ms < 1000)
		return `${Math.round(ms)} ms`;
	const s = ms / 1000;
	if (s < 10)
		return `${s.toFixed(1)} s`;
	if (s < 90)
		return `${Math.round(s)} s`;
	const min = Math.round(s / 60);
	if (min < 60)
		return `${min} min`;
	const h = Math.floor(min / 60);
	if (h < 48)
		return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
	return `${Math.round(h / 24)} d`;
}

export function fmtAgo(ms)
{
	if (ms === null || ms === undefined || !Number.isFinite(ms))
		return '—';
	return ms < 1000 ? 'just now' : `${fmtSpan(ms)} ago`;
}

// Round-trip times keep two significant digits below 10 ms.
export function fmtRtt(ms)
{
	if (typeof ms !== 'number' || !Number.isFinite(ms))
		return '—';
	if (ms < 1)
		return `${ms.toFixed(2)} ms`;
	if (ms < 10)
		return `${ms.toFixed(1)} ms`;
	return `${Math.round(ms)} ms`;
}
