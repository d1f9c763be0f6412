// Shared helpers for the browser tests: start the app, launch Chromium, check every page with axe.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const E2E_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SCREENSHOT_DIR = join(E2E_DIR, 'screenshots');
export const MOTCUA_BIN = process.env.MOTCUA_BIN
  ? resolve(process.env.MOTCUA_BIN)
  : resolve(E2E_DIR, '..', 'target', 'debug', 'motcua');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const DEMO_PASSWORD = 'MotCua@2026';

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);

async function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/** The line `motcua demo` prints on stdout with the address of its built-in simulators. */
const SIM_LINE = /Máy giả lập \(CSDL dân cư, cổng thanh toán, ngân hàng, SMS, thư\): (http:\/\/\S+)/;

/**
 * Starts `motcua demo` on a fresh data folder and a free port; resolves once /healthz answers 200
 * and the built-in simulators (their address, `simURL`, read from stdout) answer /sim/healthz.
 */
export async function startApp({ timeoutMs = 60_000 } = {}) {
  if (!existsSync(MOTCUA_BIN)) {
    throw new Error(`motcua binary not found at ${MOTCUA_BIN} (build it with "cargo build -p motcua" or set MOTCUA_BIN)`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'motcua-e2e-'));
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  const child = spawn(MOTCUA_BIN, ['demo', '--data', dataDir, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' },
  });
  let output = '';
  const keep = (chunk) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  let stdout = '';
  let simURL = null;
  // Decoded as UTF-8 by the streams, so a Vietnamese letter split between two chunks stays whole.
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    keep(chunk);
    if (simURL === null) {
      stdout += chunk;
      const m = stdout.match(SIM_LINE);
      if (m) simURL = m[1];
    }
  });
  child.stderr.on('data', keep);
  let exited = null;
  const exitPromise = new Promise((ok) => child.on('exit', (code, signal) => {
    exited = { code, signal };
    ok(exited);
  }));

  const app = {
    baseURL,
    /** The simulators (population registry, payment gateway, bank, SMS, mail); set once they answer. */
    simURL: null,
    dataDir,
    pid: child.pid,
    output: () => output,
    async stop() {
      if (exited === null) {
        process.kill(child.pid, 'SIGTERM');
        const killed = await Promise.race([exitPromise, sleep(5_000).then(() => null)]);
        if (killed === null && exited === null) {
          process.kill(child.pid, 'SIGKILL');
          await exitPromise;
        }
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited !== null) {
      await app.stop();
      throw new Error(`motcua exited early (${JSON.stringify(exited)}):\n${output}`);
    }
    try {
      const res = await fetch(`${baseURL}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200 && simURL !== null) {
        const sim = await fetch(`${simURL}/sim/healthz`, { signal: AbortSignal.timeout(2_000) });
        if (sim.status === 200) {
          app.simURL = simURL;
          return app;
        }
      }
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  await app.stop();
  const waitingFor = simURL === null ? 'print the simulators\' address' : 'answer 200 on /healthz and /sim/healthz';
  throw new Error(`motcua did not ${waitingFor} within ${timeoutMs} ms:\n${output}`);
}

export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install -y chromium fonts-noto-core)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * Removes the numbered screenshots `checkPage` takes ("01-….png"), not those of the other test
 * files (named "<file>-….png", rewritten at each run), which may already have run.
 */
export function resetScreenshots() {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const f of readdirSync(SCREENSHOT_DIR)) {
    if (/^\d+-.*\.png$/.test(f)) rmSync(join(SCREENSHOT_DIR, f), { force: true });
  }
}

let shotCounter = 0;

function formatViolations(name, url, violations) {
  const lines = [];
  for (const v of violations) {
    lines.push(`  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`);
    for (const node of v.nodes.slice(0, 8)) {
      lines.push(`      at ${node.target.join(' ')}: ${node.failureSummary?.replace(/\s+/g, ' ') ?? ''}`);
    }
    if (v.nodes.length > 8) lines.push(`      … and ${v.nodes.length - 8} more`);
  }
  return `axe on "${name}" (${url}) found ${violations.length} violation(s):\n${lines.join('\n')}`;
}

/**
 * Records one visited page: saves a full-page screenshot and runs axe (WCAG 2.1 A/AA).
 * Prints every violation; returns the serious/critical ones and keeps them in `journal`.
 */
export async function checkPage(page, name, journal) {
  shotCounter += 1;
  const slug = `${String(shotCounter).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${slug}.png`), fullPage: true });
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const url = page.url();
  console.log(`axe ${slug}: ${results.passes.length} rules passed, ${results.violations.length} violated (${new URL(url).pathname})`);
  if (results.violations.length > 0) {
    console.log(formatViolations(name, url, results.violations));
  }
  const blocking = results.violations.filter((v) => BLOCKING_IMPACTS.has(v.impact));
  journal.push({ name, url, blocking });
  return blocking;
}

/** Fails with a readable list if any page in the journal had serious or critical violations. */
export function assertAccessible(assert, journal) {
  const bad = journal.filter((j) => j.blocking.length > 0);
  assert.ok(journal.length > 0, 'no page was checked with axe');
  assert.equal(
    bad.length,
    0,
    `serious/critical accessibility violations:\n${bad.map((j) => formatViolations(j.name, j.url, j.blocking)).join('\n')}`,
  );
}

/** Runs an action that navigates the page (link, form submit) and returns the final document response. */
export async function navigating(page, action) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  return response;
}

/** A tiny but well-formed one-page PDF (the server checks the content type by its bytes). */
export function tinyPdf() {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((obj, i) => {
    offsets.push(Buffer.byteLength(body));
    body += `${i + 1} 0 obj\n${obj}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body);
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** A multipart body with `fields` and one PDF file under `file`. */
export function pdfUpload(fields, bytes, name) {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  data.append('file', new Blob([bytes], { type: 'application/pdf' }), name);
  return data;
}

/**
 * The JSON API as `login` (a demo account): `call(method, path, body)` sends JSON, or a FormData
 * as multipart, with the bearer token, and resolves to `{ status, body }` (the parsed JSON).
 */
export async function apiLogin(baseURL, login) {
  const res = await fetch(`${baseURL}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password: DEMO_PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`API login ${login}: ${res.status} ${await res.text()}`);
  const { token } = await res.json();
  const call = async (method, path, body) => {
    const headers = { authorization: `Bearer ${token}` };
    let payload;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const r = await fetch(`${baseURL}${path}`, { method, headers, body: payload });
    const text = await r.text();
    let parsed = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: r.status, body: parsed };
  };
  return { token, call };
}

/** Full-page screenshot as `PREFIX-NAME.png`; answers the slug. */
export async function screenshotAs(page, prefix, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.waitForLoadState('load');
  const slug = `${prefix}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${slug}.png`), fullPage: true });
  return slug;
}

/** Screenshot, then axe (WCAG 2.1 A and AA): any violation, whatever its impact, fails. */
export async function checkNoViolations(page, prefix, name) {
  const slug = await screenshotAs(page, prefix, name);
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const found = results.violations.map(
    (v) => `[${v.impact}] ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  console.log(`axe ${slug}: ${results.passes.length} rules passed, ${found.length} violated`);
  assert.deepEqual(found, [], `axe on "${name}" (${page.url()})`);
}

/** A new browser context at `baseURL`, signed in as `login` through the login form (none: anonymous). */
export async function signIn(browser, baseURL, login, options) {
  const context = await browser.newContext({ baseURL, locale: 'vi-VN', ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.setDefaultNavigationTimeout(20_000);
  if (login) {
    await page.goto('/login');
    await page.getByLabel('Số định danh cá nhân hoặc tên đăng nhập').fill(login);
    await page.getByLabel('Mật khẩu').fill(DEMO_PASSWORD);
    const res = await navigating(page, () => page.getByRole('button', { name: 'Đăng nhập', exact: true }).click());
    assert.equal(res.status(), 200);
    await page.getByRole('button', { name: /^Đăng xuất/ }).waitFor();
  }
  return { context, page };
}
