// web/static/api.js: requests to the admin API, relative to the page (so a
// reverse proxy may serve it under a prefix), and the admin token.
//
// The token is kept in sessionStorage: this tab only, gone when it closes.
// Writes always send it; reads send it only once the daemon has asked for
// it (http.read_auth: a read answered 401).

const TOKEN_KEY = 'levelns.token';
const READ_AUTH_KEY = 'levelns.read_auth';
const TIMEOUT_MS = 4000;

function stored(key)
{
	try {
		return sessionStorage.getItem(key) || '';
	} catch {
		return ''; /* storage disabled: the token lives as long as the page */
	}
}

function store(key, value)
{
	try {
		if (value)
			sessionStorage.setItem(key, value);
		else
			sessionStorage.removeItem(key);
	} catch {
		/* kept in memory only */
	}
}

export const auth = {
	token: stored(TOKEN_KEY),
	readAuth: stored(READ_AUTH_KEY) === '1',
	set(token)
	{
		this.token = token.trim();
		store(TOKEN_KEY, this.token);
	},
	clear()
	{
		this.token = '';
		store(TOKEN_KEY, '');
	},
	needForReads()
	{
		this.readAuth = true;
		store(READ_AUTH_KEY, '1');
	},
};

// The daemon did not answer at all (refused, reset, timed out).
export class Unreachable extends Error {}

// request('GET', 'api/v1/health') resolves to {status, ok, data, error}:
// data is the parsed JSON (null if none), error the daemon's {"error"}
// text or a description of the status. Rejects with Unreachable when no
// HTTP answer came.
export async function request(method, path, { body, write = false, timeout = TIMEOUT_MS } = {})
{
	const headers = { Accept: 'application/json' };
	if (auth.token && (write || auth.readAuth))
		headers.Authorization = `Bearer ${auth.token}`;
	if (body !== undefined)
		headers['Content-Type'] = 'application/json';
	const abort = new AbortController();
	const timer = setTimeout(() => abort.abort(), timeout);
	let resp;
	try {
		resp = await fetch(new URL(path, document.baseURI), {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
			cache: 'no-store',
			credentials: 'omit',
			signal: abort.signal,
		});
	} catch (e) {
		throw new Unreachable(abort.signal.aborted ? `no answer within ${timeout / 1000} s` : 'connection failed');
	} finally {
		clearTimeout(timer);
	}
	let data = null;
	let text = '';
	try {
		text = await resp.text();
		data = text ? JSON.parse(text) : null;
	} catch (e) {
		if (e instanceof SyntaxError)
			data = null;
		else
			throw new Unreachable('the connection broke while reading the answer');
	}
	let error = null;
	if (!resp.ok) {
		if (data && typeof data.error === 'string')
			error = data.error;
		else
			error = `HTTP ${resp.status} ${resp.statusText}`.trim();
	}
	return { status: resp.status, ok: resp.ok, data, error };
}

// POST /api/v1/members/{pool}/{member}/{drain|undrain}; names are
// percent-encoded so any byte of a member's name survives the path.
export function memberWrite(pool, member, action, body)
{
	const path = `api/v1/members/${encodeURIComponent(pool)}/${encodeURIComponent(member)}/${action}`;
	return request('POST', path, { body, write: true });
}
