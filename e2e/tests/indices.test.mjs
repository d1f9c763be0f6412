// The Decision 766 figures in a real browser against `motcua demo`: a leader opens the
// dashboard from the navigation (indicators with their formulas, the trend charts with their
// data tables, the overdue and due-soon lists), picks another period, downloads a table; anyone
// opens the public ranking, follows an agency to its transparency page and downloads the ranking.
// Every page is screenshotted (desktop and phone) and must have no axe violation at all.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { apiLogin, checkNoViolations, launchBrowser, navigating, signIn, startApp } from './helpers.mjs';

const LAN = '019195012345';
const DESK = 'tiepnhan.sotuphap';
const LEADER = 'lanhdao.sotuphap';
const AGENCY = 'Sở Tư pháp';
const DESKTOP = { viewport: { width: 1366, height: 768 } };
const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true };

describe('the 766 figures in a browser', { timeout: 300_000 }, () => {
  let app;
  let browser;
  let received = [];

  before(async () => {
    const [appResult, browserResult] = await Promise.allSettled([startApp(), launchBrowser()]);
    if (appResult.status === 'fulfilled') app = appResult.value;
    if (browserResult.status === 'fulfilled') browser = browserResult.value;
    if (appResult.status === 'rejected') throw appResult.reason;
    if (browserResult.status === 'rejected') throw browserResult.reason;
    // Three criminal-record requests at the Sở Tư pháp: two received, one waiting for intake.
    const lan = await apiLogin(app.baseURL, LAN);
    const desk = await apiLogin(app.baseURL, DESK);
    const { body: procedure } = await lan.call('GET', '/api/v1/procedures/TP-01');
    const agency = procedure.agencies.find((a) => a.name.includes(AGENCY));
    const form = { record_type: 'Phiếu số 1', purpose: 'Bổ sung hồ sơ xin việc', copies: '1' };
    for (let i = 0; i < 3; i++) {
      const r = await lan.call('POST', '/api/v1/dossiers', { procedure_code: 'TP-01', agency_id: agency.id, form, submit: true });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      if (i < 2) {
        const res = await desk.call('POST', `/api/v1/dossiers/${r.body.id}/actions`, { action: 'receive' });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        received.push(r.body.code);
      }
    }
  });

  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it("shows a leader the agency's dashboard, another period, and a table to download", async () => {
    const { context, page } = await signIn(browser, app.baseURL, LEADER, DESKTOP);
    try {
      let res = await navigating(page, () => page.getByRole('link', { name: 'Chỉ số phục vụ', exact: true }).click());
      assert.equal(res.status(), 200);
      await page.getByRole('heading', { level: 1, name: 'Bảng điều khiển chỉ số phục vụ' }).waitFor();
      const main = await page.locator('main').innerText();
      assert.match(main, new RegExp(AGENCY));
      assert.match(main, /Hồ sơ giải quyết trước và đúng hạn/);
      assert.match(main, /Xếp loại [A-E]/, 'two received dossiers give a score and a grade');
      // Both received dossiers are being handled, neither late.
      assert.match(main, /Còn 2 hồ sơ đang giải quyết cuối kỳ, 0 hồ sơ trong đó đã quá hạn/);
      assert.equal(await page.locator('svg.chart[role="img"]').count(), 2);
      await checkNoViolations(page, 'indices', 'dashboard');

      await page.fill('#period', String(new Date().getFullYear()));
      res = await navigating(page, () => page.getByRole('button', { name: 'Xem', exact: true }).click());
      assert.equal(res.status(), 200);
      assert.match(page.url(), /period=\d{4}/);
      await checkNoViolations(page, 'indices', 'dashboard this year');

      await page.fill('#period', '2026-13');
      res = await navigating(page, () => page.getByRole('button', { name: 'Xem', exact: true }).click());
      assert.equal(res.status(), 422);
      assert.match(await page.locator('main').innerText(), /Kỳ không hợp lệ/);
      await checkNoViolations(page, 'indices', 'dashboard bad period');
      await page.goBack();

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('a[href^="/dashboard/chi-so-766.csv"]').click(),
      ]);
      assert.equal(download.suggestedFilename(), 'chi-so-766.csv');
      const csv = readFileSync(await download.path(), 'utf8');
      assert.match(csv, /^\uFEFFNhóm,Chỉ số,Công thức/);
      assert.match(csv, /Hồ sơ giải quyết trước và đúng hạn/);
    } finally {
      await context.close();
    }
  });

  for (const [device, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    it(`shows anyone the ranking and an agency's transparency page (${device})`, async () => {
      const { context, page } = await signIn(browser, app.baseURL, null, options);
      try {
        let res = await page.goto('/');
        res = await navigating(page, () => page.getByRole('link', { name: 'Xếp hạng', exact: true }).click());
        assert.equal(res.status(), 200);
        const first = page.locator('tbody tr').first();
        assert.match(await first.innerText(), new RegExp(AGENCY), 'the only agency with dossiers ranks first');
        assert.match(await page.locator('main').innerText(), /A từ 90 đến 100 điểm/);
        await checkNoViolations(page, 'indices', `ranking ${device}`);
        res = await navigating(page, () => first.getByRole('link').click());
        assert.equal(res.status(), 200);
        await page.getByRole('heading', { level: 1, name: new RegExp(`Công khai chỉ số phục vụ: ${AGENCY}`) }).waitFor();
        const text = await page.locator('main').innerText();
        assert.ok(received.every((code) => !text.includes(code)), 'no dossier code on a public page');
        assert.ok(!text.includes('Nguyễn Thị Lan'), 'no name on a public page');
        await checkNoViolations(page, 'indices', `transparency ${device}`);
        if (device === 'desktop') {
          await page.goto('/ranking');
          const [download] = await Promise.all([
            page.waitForEvent('download'),
            page.locator('a[href^="/ranking/xep-hang.xlsx"]').click(),
          ]);
          assert.equal(download.suggestedFilename(), 'xep-hang.xlsx');
          assert.equal(readFileSync(await download.path()).subarray(0, 2).toString('latin1'), 'PK');
        }
      } finally {
        await context.close();
      }
    });
  }
});
