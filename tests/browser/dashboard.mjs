// tests/browser/dashboard.mjs: the dashboard in headless Chromium, driven
// by playwright-core. tests/t_browser.sh starts levelnsd with two backends
// and a token file and runs this with:
//   LNS_URL      the admin endpoint, http://127.0.0.1:PORT/
//   LNS_TOKEN    the admin token
//   LNS_BACKEND  tests/backend, to switch backend a (control port LNS_A_CTL)
//   LNS_NS_PID   levelnsd's pid (stopped and continued: the offline banner)
//   LNS_OUT      where the screenshots go
//   LNS_CONF     its configuration, rewritten with http.read_auth and reloaded
// Prints one line per failed check and "N passed, M failed"; exits 1 when
// a check failed.

import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const env = (k) => {
	if (!process.env[k])
		throw new Error(`${k} is not set (tests/t_browser.sh sets it)`);
	return process.env[k];
};
const URL_ = env('LNS_URL'), TOKEN = env('LNS_TOKEN'), BACKEND = env('LNS_BACKEND');
const A_CTL = env('LNS_A_CTL'), NS_PID = Number(env('LNS_NS_PID')), OUT = env('LNS_OUT'), CONF = env('LNS_CONF');
const CHROMIUM = process.env.LNS_CHROMIUM || '/usr/bin/chromium';

let passed = 0, failed = 0;
function check(what, cond, detail)
{
	if (cond) {
		passed++;
	} else {
		failed++;
		console.log(`FAIL: ${what}${detail === undefined ? '' : `: ${detail}`}`);
	}
}

// Runs one step; a thrown error (a wait that timed out) fails it and the
// test goes on with the next.
async function step(what, fn)
{
	const t0 = Date.now();
	try {
		await fn();
		console.log(`ok: ${what} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
	} catch (e) {
		check(what, false, String(e.message || e).split('\n')[0]);
	}
}

const backend = (...args) => execFileSync(BACKEND, ['ctl', A_CTL, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });

async function api(path)
{
	const r = await fetch(new URL(`api/v1/${path}`, URL_), { headers: { Authorization: `Bearer ${TOKEN}` } });
	return r.json();
}

async function member(pool, name)
{
	const h = await api('health');
	const p = h.pools.find((x) => x.name === pool);
	return p && p.members.find((m) => m.name === name);
}

async function until(what, seconds, fn)
{
	const end = Date.now() + seconds * 1000;
	for (;;) {
		if (await fn())
			return;
		if (Date.now() > end)
			throw new Error(`${what}: not within ${seconds} s`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

const row = (pool, m) => `article.pool[data-pool="${pool}"] tr[data-member="${m}"]`;
let loaded = Date.now();
const WWW = 'www.example.test', API = 'api.example.test';

mkdirSync(OUT, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), 'levelns-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
	executablePath: CHROMIUM,
	headless: true,
	viewport: { width: 1280, height: 900 },
	colorScheme: 'light',
	args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		'--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = context.pages()[0] || (await context.newPage());
const pageErrors = [];
const cspErrors = [];
page.on('pageerror', (e) => pageErrors.push(e.message));
page.on('console', (m) => {
	if (/Content Security Policy|Refused to/i.test(m.text()))
		cspErrors.push(m.text());
});

try {
	await step('the dashboard loads and shows every member up', async () => {
		const resp = await page.goto(URL_);
		loaded = Date.now();
		check('GET / answers 200', resp.status() === 200, resp.status());
		check('with the CSP', /default-src 'self'/.test(resp.headers()['content-security-policy'] || ''));
		for (const [p, m] of [[WWW, 'a'], [WWW, 'b'], [API, 'a'], [API, 'b']])
			await page.waitForSelector(`${row(p, m)}[data-state="up"]`, { timeout: 30000 });
		await page.waitForFunction(() => document.getElementById('sum-master').textContent === 'ns1', null, { timeout: 10000 });
		check('the master is shown', (await page.textContent('#sum-master')) === 'ns1');
		check('the term is shown', /^\d+$/.test(await page.textContent('#sum-term')));
		check('the node is listed with its role', /master/.test(await page.textContent('#nodes')));
		check('the pool shows its policy', /failover/.test(await page.textContent(`article.pool[data-pool="${WWW}"] .pool-meta`)));
		check('and its answer', /127\.0\.0\.2/.test(await page.textContent(`article.pool[data-pool="${WWW}"] .pool-answer`)));
		check('RTT shown', /ms$/.test((await page.textContent(`${row(WWW, 'a')} .c-rtt`)).trim()));
		check('probe interval shown', /\d/.test(await page.textContent(`${row(WWW, 'a')} .c-interval`)));
		check('an RTT sparkline', (await page.locator(`${row(WWW, 'a')} svg.spark`).count()) === 1);
	});

	await step('a member turns down on the page within 10 s of its backend refusing', async () => {
		backend('mode', 'refuse');
		const t0 = Date.now();
		await page.waitForSelector(`${row(WWW, 'a')}[data-state="down"]`, { timeout: 10000 });
		console.log(`   shown down after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
		const pill = page.locator(`${row(WWW, 'a')} .pill`);
		check('the state is written', (await pill.textContent()) === 'down');
		check('and coloured', /\bst-down\b/.test(await pill.getAttribute('class')));
		await page.waitForFunction((sel) => /127\.0\.0\.3/.test(document.querySelector(sel).textContent),
			`article.pool[data-pool="${WWW}"] .pool-answer`, { timeout: 10000 });
		await page.waitForFunction(() => /www\.example\.test \/ a\s*up → down/.test(document.getElementById('events').textContent),
			null, { timeout: 10000 });
		check('the summary counts it', /\d down/.test(await page.textContent('#sum-members-note')));
		check('the title says so', /\d down/.test(await page.title()));
	});

	await step('it comes back up', async () => {
		backend('mode', 'up');
		await page.waitForSelector(`${row(WWW, 'a')}[data-state="up"]`, { timeout: 20000 });
		await page.waitForSelector(`${row(API, 'a')}[data-state="up"]`, { timeout: 20000 });
	});

	await step('drain through the button: a wrong token is refused, the right one drains', async () => {
		await page.click(`${row(API, 'b')} button`);
		await page.waitForSelector('#drain-dialog[open]', { timeout: 5000 });
		check('the dialog asks for the token', await page.isVisible('#drain-token'));
		await page.fill('#drain-token', 'not-the-token-0123456789');
		await page.click('#drain-confirm');
		await page.waitForSelector('#drain-error:not([hidden])', { timeout: 10000 });
		const err = await page.textContent('#drain-error');
		check('the refusal is shown with its status', /401/.test(err), err);
		check('the daemon\'s error text is shown', /Authorization: Bearer/.test(err), err);
		check('the member is not drained', !(await member(API, 'b')).drained);
		await page.fill('#drain-token', TOKEN);
		await page.click('#drain-confirm');
		await page.waitForSelector('#drain-dialog:not([open])', { state: 'attached', timeout: 10000 });
		await page.waitForSelector(`${row(API, 'b')}[data-state="drained"]`, { timeout: 10000 });
		const m = await member(API, 'b');
		check('the API shows it drained', m.state === 'drained' && m.drained === true, JSON.stringify(m));
		check('the button now undrains', (await page.textContent(`${row(API, 'b')} button`)) === 'Undrain');
		check('the token is kept in the tab',
			(await page.evaluate(() => sessionStorage.getItem('levelns.token'))) === TOKEN);
		await page.waitForFunction(() => /api\.example\.test \/ b drained/.test(document.getElementById('events').textContent),
			null, { timeout: 10000 });
		check('the log comes from /api/v1/events', await page.isHidden('#events-note'));
	});

	await step('an HTTP 503 takes a down in the http pool only', async () => {
		backend('mode', 'http', 'status', '503');
		await page.waitForSelector(`${row(WWW, 'a')}[data-state="down"]`, { timeout: 10000 });
		check('the tcp pool keeps it up', (await page.getAttribute(row(API, 'a'), 'data-state')) === 'up');
		check('the reason names the status', /503/.test(await page.textContent(`${row(WWW, 'a')} .c-reason`)));
		await page.waitForTimeout(3000); /* a few more samples on the sparklines */
	});

	await step('desktop screenshot', async () => {
		/* sparklines with some history, and no toast over the table */
		const left = loaded + 22000 - Date.now();
		if (left > 0)
			await page.waitForTimeout(left);
		await page.evaluate(() => document.querySelectorAll('.toast').forEach((t) => t.remove()));
		await page.screenshot({ path: join(OUT, 'dashboard-desktop.png'), fullPage: true });
	});

	await step('phone layout (390x844): no horizontal scrolling', async () => {
		await page.setViewportSize({ width: 390, height: 844 });
		await page.waitForTimeout(1500);
		const sizes = await page.evaluate(() => ({
			scroll: document.documentElement.scrollWidth,
			client: document.documentElement.clientWidth,
			body: document.body.scrollWidth,
		}));
		check('scrollWidth <= clientWidth', sizes.scroll <= sizes.client, JSON.stringify(sizes));
		check('the body too', sizes.body <= sizes.client, JSON.stringify(sizes));
		for (const sel of [`${row(WWW, 'a')} button`, `${row(API, 'b')} button`, '#token-button']) {
			const box = await page.locator(sel).boundingBox();
			check(`${sel} inside the screen`, box && box.x >= 0 && box.x + box.width <= 390, JSON.stringify(box));
		}
		await page.evaluate(() => document.querySelectorAll('.toast').forEach((t) => t.remove()));
		await page.screenshot({ path: join(OUT, 'dashboard-phone.png') });
		await page.screenshot({ path: join(OUT, 'dashboard-phone-full.png'), fullPage: true });
		await page.emulateMedia({ colorScheme: 'dark' });
		await page.waitForTimeout(300);
		await page.screenshot({ path: join(OUT, 'dashboard-phone-dark.png') });
		await page.setViewportSize({ width: 1280, height: 900 });
		await page.screenshot({ path: join(OUT, 'dashboard-desktop-dark.png'), fullPage: true });
		await page.emulateMedia({ colorScheme: 'light' });
	});

	await step('undrain with the kept token', async () => {
		await page.click(`${row(API, 'b')} button`);
		await page.waitForSelector(`${row(API, 'b')}[data-state="up"]`, { timeout: 10000 });
		const m = await member(API, 'b');
		check('the API shows it undrained', m.drained === false && m.state === 'up', JSON.stringify(m));
		check('no token dialog this time', !(await page.isVisible('#token-dialog')));
	});

	await step('a banner while levelnsd does not answer, gone when it does', async () => {
		process.kill(NS_PID, 'SIGSTOP');
		try {
			await page.waitForSelector('#banner:not([hidden])', { timeout: 15000 });
			check('the banner says it', /unreachable/.test(await page.textContent('#banner')));
			check('the header says offline', (await page.textContent('#live')) === 'offline');
		} finally {
			process.kill(NS_PID, 'SIGCONT');
		}
		await page.waitForSelector('#banner[hidden]', { state: 'attached', timeout: 15000 });
		check('live again', (await page.textContent('#live')) === 'live');
	});

	await step('http.read_auth: the page asks for the token to read', async () => {
		const conf = readFileSync(CONF, 'utf8');
		const changed = conf.replace(/http = \{ token_file = "admin.token"; \};/, 'http = { token_file = "admin.token"; read_auth = true; };');
		check('the configuration has an http line to change', changed !== conf);
		writeFileSync(CONF, changed);
		const r = await fetch(new URL('api/v1/reload', URL_), { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } });
		check('the reload is taken', r.status === 200, `${r.status} ${await r.text()}`);
		const open = await fetch(new URL('api/v1/health', URL_));
		check('reads without the token now answer 401', open.status === 401, open.status);

		/* the open page has the token: it sends it on reads from now on */
		await page.waitForTimeout(2500);
		check('the open page asks for nothing', !(await page.isVisible('#token-dialog')));
		check('and goes on', (await page.textContent('#live')) === 'live' && (await page.isHidden('#banner')));
		check('reads carry the token now', (await page.evaluate(() => sessionStorage.getItem('levelns.read_auth'))) === '1');

		/* a new tab has none: it asks, refuses a wrong one, takes the right one */
		const tab = await context.newPage();
		tab.on('pageerror', (e) => pageErrors.push(e.message));
		await tab.goto(URL_);
		await tab.waitForSelector('#token-dialog[open]', { timeout: 10000 });
		check('the dialog says why', /read_auth/.test(await tab.textContent('#token-why')));
		await tab.click('#token-cancel');
		await tab.waitForSelector('#banner:not([hidden])', { timeout: 5000 });
		check('cancelled: a banner says what is missing', /read_auth/.test(await tab.textContent('#banner')));
		await tab.click('#token-button');
		await tab.waitForSelector('#token-dialog[open]', { timeout: 5000 });
		await tab.fill('#token-input', 'wrong-token-0123456789abcdef');
		await tab.click('#token-save');
		await tab.waitForSelector('#token-error:not([hidden])', { timeout: 10000 });
		check('a wrong token is refused with 401', /401/.test(await tab.textContent('#token-error')));
		await tab.fill('#token-input', TOKEN);
		await tab.click('#token-save');
		await tab.waitForSelector(`${row(WWW, 'b')}[data-state="up"]`, { timeout: 10000 });
		check('the new tab shows the log', /www\.example\.test \/ a/.test(await tab.textContent('#events')));
		await tab.close();
	});

	check('no script errors', pageErrors.length === 0, pageErrors.join(' | '));
	check('no Content-Security-Policy violations', cspErrors.length === 0, cspErrors.join(' | '));
} finally {
	await context.close();
	rmSync(profile, { recursive: true, force: true });
}

console.log(`screenshots: ${OUT}/dashboard-desktop.png ${OUT}/dashboard-phone.png`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
