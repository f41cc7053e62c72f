import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';

/**
 * The reports a reader opens, in a real browser: Debian's Chromium (installed by
 * scripts/install-chromium.sh when missing) driven by playwright-core. Mermaid's own parser
 * (the mermaid package, loaded from node_modules into a blank page: no network) judges every
 * stored counterexample's `replay --format mermaid`; the HTML report of a check that finds a
 * counterexample must render with no console error and draw its sequence diagram. The
 * screenshot is kept in reports/browser/ (not committed) for a human to look at.
 */
const root = resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'xipcheck-browser-'));
const shots = join(root, 'reports/browser');

async function run(...argv: string[]) {
  let out = '', err = '';
  const code = await main(argv, { write: (s) => { out += s; } }, { write: (s) => { err += s; } });
  return { code, out, err };
}

function traces(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.trace.json')) out.push(join(d, e.name));
    }
  };
  walk(join(root, 'counterexamples'));
  return out.sort();
}

const ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser: Browser;

beforeAll(async () => {
  const path = execFileSync(join(root, 'scripts/install-chromium.sh'), { encoding: 'utf8', timeout: 600_000 }).trim().split('\n').pop()!;
  browser = await chromium.launch({ executablePath: path, args: ARGS, timeout: 120_000 });
}, 700_000);

afterAll(async () => { await browser?.close(); });

describe('reports in Chromium', () => {
  it('every stored counterexample, replayed as Mermaid, parses with Mermaid\'s own parser, and one renders', async () => {
    const files = traces();
    expect(files.length).toBeGreaterThanOrEqual(20);
    const texts: { file: string; text: string }[] = [];
    for (const f of files) {
      const r = await run('replay', f, '--format', 'mermaid');
      expect(r.err).toBe('');
      expect(r.out.startsWith('sequenceDiagram\n')).toBe(true);
      texts.push({ file: f, text: r.out });
    }
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setContent('<!doctype html><html><body><div id="out"></div></body></html>');
    await page.addScriptTag({ path: join(root, 'node_modules/mermaid/dist/mermaid.min.js') });
    const results = await page.evaluate(async (list) => {
      const m = (globalThis as unknown as { mermaid: { initialize(o: object): void; parse(t: string): Promise<unknown>; render(id: string, t: string): Promise<{ svg: string }> } }).mermaid;
      m.initialize({ startOnLoad: false, securityLevel: 'strict' });
      const out: { file: string; error: string | null }[] = [];
      for (const { file, text } of list) {
        try { await m.parse(text); out.push({ file, error: null }); } catch (e) { out.push({ file, error: String((e as Error).message ?? e) }); }
      }
      const race = list.find((x) => x.file.includes('Race4'))!;
      const { svg } = await m.render('race4', race.text);
      document.getElementById('out')!.innerHTML = svg;
      return out;
    }, texts);
    expect(results.filter((r) => r.error)).toEqual([]);
    // the drawn diagram has the lifelines' actors and the messages of the race
    expect(await page.locator('#out svg').count()).toBe(1);
    const actors = await page.locator('#out svg text.actor').allTextContents();
    expect(actors).toEqual(expect.arrayContaining(['locks', 'page tables', 'kernel']));
    expect(await page.locator('#out svg .messageText').count()).toBeGreaterThan(20);
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'race4-mermaid.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the HTML report of a check with a counterexample renders with no error and draws the diagram', async () => {
    const html = join(tmp, 'report.html');
    const r = await run('check', '--variant', 'broken-truncate-no-unmap', '--runs', '200', '--reporter', 'html', '--out', html, '--trace-out', join(tmp, 'cex.trace.json'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^xipcheck check: violation of no-stale-mapping/);
    const text = readFileSync(html, 'utf8');
    // one self-contained file: no script, no stylesheet or image fetched from anywhere
    expect(text).not.toMatch(/<script|<link|src=|href="http/);
    const page = await browser.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (q) => { if (!q.url().startsWith('file:')) requests.push(q.url()); });
    await page.goto(`file://${html}`);
    expect(await page.locator('p.verdict.bad').textContent()).toMatch(/violation of no-stale-mapping/);
    const svg = page.locator('section.story svg.seq');
    expect(await svg.count()).toBe(1);
    const box = await svg.boundingBox();
    expect(box!.width).toBeGreaterThan(600);
    expect(box!.height).toBeGreaterThan(200);
    expect(await svg.locator('g.lifeline').count()).toBeGreaterThanOrEqual(5);
    expect(await svg.locator('g.msg').count()).toBeGreaterThan(10);
    // the failed step's note, and what the truncate's atomic steps returned
    expect(await svg.locator('g.note', { hasText: '✗ no-stale-mapping' }).count()).toBe(1);
    expect(await page.locator('pre.report').textContent()).toMatch(/invariants \(times evaluated/);
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'check-report.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });
});
