// web/static/dialogs.js: the token form, the drain form and the toasts.
// The token is asked for once and kept for the tab (api.js); a 401 asks
// again, with the daemon's error shown above the field.

import { el, show, setText } from './util.js';
import { auth, memberWrite, Unreachable } from './api.js';

const $ = (id) => document.getElementById(id);

export function toast(text, kind = 'ok')
{
	const box = $('toasts');
	const close = el('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss', text: '×' });
	const t = el('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
		el('span', { text }), close);
	const remove = () => t.remove();
	close.addEventListener('click', remove);
	box.append(t);
	setTimeout(remove, kind === 'error' ? 12000 : 5000);
}

function open(dialog)
{
	if (!dialog.open)
		dialog.showModal();
}

// ---- the token ----

let tokenDone = null;   /* called with true once a token is saved, false on cancel */

// Asks for the token: why says what needs it, error is the daemon's
// complaint about the last one. Resolves true when one was saved.
export function askToken(why, error)
{
	const d = $('token-dialog');
	setText($('token-why'), why ||
		'Draining and undraining need the admin token: the first line of the file that http.token_file names.');
	setText($('token-error'), error || '');
	show($('token-error'), !!error);
	show($('token-forget'), !!auth.token);
	$('token-input').value = '';
	if (tokenDone)
		tokenDone(false);
	open(d);
	$('token-input').focus();
	return new Promise((resolve) => { tokenDone = resolve; });
}

function tokenFinish(saved)
{
	const done = tokenDone;
	tokenDone = null;
	$('token-dialog').close();
	if (done)
		done(saved);
}

function setupToken(onChange)
{
	$('token-form').addEventListener('submit', (ev) => {
		ev.preventDefault();
		const v = $('token-input').value.trim();
		if (!v) {
			setText($('token-error'), 'Enter the token.');
			show($('token-error'), true);
			return;
		}
		auth.set(v);
		onChange();
		tokenFinish(true);
	});
	$('token-cancel').addEventListener('click', () => tokenFinish(false));
	$('token-forget').addEventListener('click', () => {
		auth.clear();
		onChange();
		tokenFinish(false);
		toast('The token is forgotten.');
	});
	$('token-dialog').addEventListener('cancel', (ev) => {
		ev.preventDefault();
		tokenFinish(false);
	});
}

// ---- writes ----

function describeFailure(r)
{
	if (r.status === 401)
		return `The token was refused (401): ${r.error}`;
	return `${r.error} (${r.status})`;
}

// Undrain (or any write without options): with the stored token, asking
// for one first when there is none or the daemon refuses it.
export async function simpleWrite(pool, member, action, after)
{
	if (!auth.token && !(await askToken(`To ${action} ${member} of ${pool}, enter the admin token.`)))
		return;
	for (;;) {
		let r;
		try {
			r = await memberWrite(pool, member, action);
		} catch (e) {
			toast(`Could not ${action} ${pool} / ${member}: levelnsd is unreachable (${e.message}).`, 'error');
			return;
		}
		if (r.ok) {
			toast(`${pool} / ${member} ${action === 'drain' ? 'drained' : 'undrained'}.`);
			after();
			return;
		}
		if (r.status !== 401) {
			toast(`Could not ${action} ${pool} / ${member}: ${describeFailure(r)}`, 'error');
			return;
		}
		auth.clear();
		if (!(await askToken(`To ${action} ${member} of ${pool}, enter the admin token.`, describeFailure(r))))
			return;
	}
}

// ---- drain, with a duration ----

let drainTarget = null;

export function askDrain(pool, member, serverNow, after)
{
	drainTarget = { pool, member, serverNow, after };
	setText($('drain-title'), `Drain ${member} of ${pool}`);
	$('drain-for').value = '0';
	$('drain-token').value = '';
	show($('drain-token-row'), !auth.token);
	show($('drain-error'), false);
	$('drain-confirm').disabled = false;
	open($('drain-dialog'));
	(auth.token ? $('drain-confirm') : $('drain-token')).focus();
}

function drainError(text, needToken)
{
	setText($('drain-error'), text);
	show($('drain-error'), true);
	if (needToken) {
		show($('drain-token-row'), true);
		$('drain-token').value = '';
		$('drain-token').focus();
	}
}

async function drainSubmit()
{
	const t = drainTarget;
	if (!t)
		return;
	const typed = $('drain-token-row').hidden ? '' : $('drain-token').value.trim();
	if (!$('drain-token-row').hidden && !typed) {
		drainError('Enter the admin token.', true);
		return;
	}
	const secs = Number($('drain-for').value);
	const body = secs > 0 ? { until: new Date(t.serverNow() + secs * 1000).toISOString() } : undefined;
	const previous = auth.token;
	if (typed)
		auth.set(typed);
	$('drain-confirm').disabled = true;
	let r;
	try {
		r = await memberWrite(t.pool, t.member, 'drain', body);
	} catch (e) {
		$('drain-confirm').disabled = false;
		if (typed)
			previous ? auth.set(previous) : auth.clear();
		drainError(e instanceof Unreachable ? `levelnsd is unreachable (${e.message}); try again.` : String(e), false);
		return;
	}
	$('drain-confirm').disabled = false;
	if (r.ok) {
		drainTarget = null;
		$('drain-dialog').close();
		toast(`${t.pool} / ${t.member} drained${body ? ` until ${new Date(Date.parse(body.until)).toLocaleTimeString()}` : ''}.`);
		t.after();
		return;
	}
	if (r.status === 401) {
		auth.clear();
		drainError(describeFailure(r), true);
		return;
	}
	drainError(describeFailure(r), false);
}

function setupDrain()
{
	$('drain-form').addEventListener('submit', (ev) => {
		ev.preventDefault();
		drainSubmit();
	});
	$('drain-cancel').addEventListener('click', () => {
		drainTarget = null;
		$('drain-dialog').close();
	});
	$('drain-dialog').addEventListener('close', () => { drainTarget = null; });
}

export function setupDialogs(onTokenChange)
{
	setupToken(onTokenChange);
	setupDrain();
}
