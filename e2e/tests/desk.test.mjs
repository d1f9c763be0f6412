// The officials' side in a real browser against `motcua demo` and its simulators: filing at the
// one-stop desk for a citizen (paper scanned, received at once), dossiers filed on the national
// portal arriving in the intake queue and received together, searching the queue by the
// applicant's name, the leader's view of the agency's load, a consultation answered by another
// agency inside motcua, the leader's approval (the result signed) and the public check of the
// signed result. Every page reached is screenshotted and must have no axe violation at all.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  apiLogin,
  checkNoViolations,
  launchBrowser,
  navigating,
  signIn,
  startApp,
  tinyPdf,
} from './helpers.mjs';

const LAN = '019195012345';
const MINH = '019088001234';
const MINH_NAME = 'Trần Văn Minh';
const DESK = 'tiepnhan.ubnd5443';
const COMMUNE = 'Phan Đình Phùng';
const DESKTOP = { viewport: { width: 1366, height: 768 } };
const COUNTER = 'Nộp trực tiếp tại Bộ phận Một cửa';
const FROM_PORTAL = 'Nộp qua Cổng Dịch vụ công quốc gia';
const RESULT_PDF = Buffer.concat([tinyPdf(), Buffer.from('% Phieu ly lich tu phap, e2e desk\n', 'latin1')]);


async function ok(r, what) {
  assert.ok(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

describe('the one-stop desk and the back office in a browser', { timeout: 300_000 }, () => {
  let app;
  let browser;

  before(async () => {
    const [appResult, browserResult] = await Promise.allSettled([startApp(), launchBrowser()]);
    if (appResult.status === 'fulfilled') app = appResult.value;
    if (browserResult.status === 'fulfilled') browser = browserResult.value;
    if (appResult.status === 'rejected') throw appResult.reason;
    if (browserResult.status === 'rejected') throw browserResult.reason;
  });

  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  const signedIn = (login) => signIn(browser, app.baseURL, login, DESKTOP);

  it('files for a citizen at the counter, scanning the paper, and the dossier is received at once', async () => {
    const { context, page } = await signedIn(DESK);
    try {
      let res = await navigating(page, () => page.getByRole('link', { name: 'Nộp thay người dân', exact: true }).click());
      assert.equal(res.status(), 200);
      await checkNoViolations(page, 'desk', 'intake form');
      await page.selectOption('#procedure', 'HT-01');
      await page.getByRole('radio', { name: /^Nộp trực tiếp tại Bộ phận Một cửa/ }).check();
      await page.fill('#personal_id', MINH);
      await page.fill('#full_name', 'Trần Văn Mạnh');
      res = await navigating(page, () => page.getByRole('button', { name: /^Tiếp tục/ }).click());
      assert.equal(res.status(), 422, 'the name must match the account of that personal ID');
      assert.match(await page.locator('main').innerText(), /Họ tên không khớp/);
      await checkNoViolations(page, 'desk', 'intake name mismatch');
      await page.fill('#full_name', MINH_NAME);
      res = await navigating(page, () => page.getByRole('button', { name: /^Tiếp tục/ }).click());
      assert.equal(res.status(), 200);
      assert.match(new URL(page.url()).pathname, /^\/dossiers\/[^/]+\/edit$/);
      await checkNoViolations(page, 'desk', 'declaration for the citizen');

      await page.fill('#f_child_full_name', 'Trần Gia Bảo');
      await page.fill('#f_child_birth_date', '2026-10-02');
      await page.locator('#f_child_sex').getByRole('radio', { name: 'Nam', exact: true }).check();
      await page.fill('#f_child_birth_place', 'Trạm y tế phường Phan Đình Phùng');
      await page.fill('#f_child_ethnicity', 'Kinh');
      await page.fill('#f_mother_personal_id', LAN);
      await page.selectOption('#f_relationship', { label: 'Cha' });
      await page.setInputFiles('#file_2', { name: 'giay-chung-sinh-scan.pdf', mimeType: 'application/pdf', buffer: tinyPdf() });
      res = await navigating(page, () => page.getByRole('button', { name: 'Nộp hồ sơ', exact: true }).click());
      assert.equal(res.status(), 200);
      const main = await page.locator('main').innerText();
      assert.ok(main.includes(COUNTER), 'the dossier says it was filed at the counter');
      assert.ok(main.includes('Đã tiếp nhận'), `received as filed:\n${main}`);
      assert.ok(main.includes(MINH_NAME));
      await checkNoViolations(page, 'desk', 'filed at the counter');

      // The queue finds it by the applicant's name, with or without diacritics.
      res = await page.goto(`/dossiers?q=${encodeURIComponent('tran van minh')}`);
      assert.equal(res.status(), 200);
      const rows = page.locator('tbody tr');
      assert.ok(await rows.count() >= 1, 'found by name');
      for (const row of await rows.allInnerTexts()) assert.ok(row.includes(MINH_NAME), row);
      await checkNoViolations(page, 'desk', 'queue searched by name');

      // From the queue, the apology and new date for a dossier that will be late; its slip follows.
      const apologize = page.locator('tbody tr', { hasText: MINH_NAME }).getByRole('link', { name: /^Xin lỗi, hẹn lại ngày trả/ }).first();
      res = await navigating(page, () => apologize.click());
      assert.equal(res.status(), 200);
      await page.fill('#reason-apologize', 'Cần xác minh thêm nơi sinh với trạm y tế phường.');
      // The new date must be a working day: two weeks on, moved off a weekend.
      const day = new Date(Date.now() + 14 * 24 * 3600 * 1000);
      while ([0, 6].includes(day.getUTCDay())) day.setUTCDate(day.getUTCDate() + 1);
      const later = day.toISOString().slice(0, 10);
      await page.fill('#date-apologize', later);
      res = await navigating(page, () => page.getByRole('button', { name: 'Xin lỗi và hẹn lại ngày trả', exact: true }).click());
      assert.equal(res.status(), 200);
      assert.match(await page.locator('main').innerText(), /đã hẹn lại/);
      const slip = page.getByRole('link', { name: /^Phiếu xin lỗi và hẹn lại ngày trả kết quả/ });
      const pdf = await page.request.get(await slip.getAttribute('href'));
      assert.equal(pdf.status(), 200);
      assert.equal(pdf.headers()['content-type'], 'application/pdf');
      await checkNoViolations(page, 'desk', 'apology sent from the queue');
    } finally {
      await context.close();
    }
  });

  it('files online for a citizen at a support point: the dossier waits in the intake queue, marked assisted', async () => {
    const { context, page } = await signedIn(DESK);
    try {
      let res = await page.goto('/desk/intake');
      assert.equal(res.status(), 200);
      await page.selectOption('#procedure', 'HT-01');
      await page.getByRole('radio', { name: /^Nộp trực tuyến có hỗ trợ/ }).check();
      await page.fill('#personal_id', LAN);
      await page.fill('#full_name', 'nguyễn thị lan');
      await page.fill('#phone', '0912 345 678');
      res = await navigating(page, () => page.getByRole('button', { name: /^Tiếp tục/ }).click());
      assert.equal(res.status(), 200);
      await page.fill('#f_child_full_name', 'Nguyễn Bảo Ngọc');
      await page.fill('#f_child_birth_date', '2026-11-15');
      await page.locator('#f_child_sex').getByRole('radio', { name: 'Nữ', exact: true }).check();
      await page.fill('#f_child_birth_place', 'Bệnh viện Đa khoa Trung ương Thái Nguyên');
      await page.fill('#f_child_ethnicity', 'Kinh');
      await page.fill('#f_mother_personal_id', LAN);
      await page.selectOption('#f_relationship', { label: 'Mẹ' });
      await page.setInputFiles('#file_2', { name: 'giay-chung-sinh.pdf', mimeType: 'application/pdf', buffer: tinyPdf() });
      res = await navigating(page, () => page.getByRole('button', { name: 'Nộp hồ sơ', exact: true }).click());
      assert.equal(res.status(), 200);
      const main = await page.locator('main').innerText();
      assert.ok(main.includes('Nộp trực tuyến có hỗ trợ'), main);
      assert.ok(main.includes('Mới nộp, chờ tiếp nhận'), `waits for intake like any online dossier:\n${main}`);
      await checkNoViolations(page, 'desk', 'filed with help at a support point');
    } finally {
      await context.close();
    }
    // Lan finds it among her own dossiers.
    const lan = await apiLogin(app.baseURL, LAN);
    const { body: mine } = await lan.call('GET', '/api/v1/dossiers');
    assert.ok(mine.some((l) => l.filing_mode === 'assisted'), JSON.stringify(mine));
  });

  it('receives dossiers filed on the national portal together, from the intake queue', async () => {
    const lan = await apiLogin(app.baseURL, LAN);
    const { body: procedure } = await lan.call('GET', '/api/v1/procedures/HT-01');
    const agency = procedure.agencies.find((a) => a.name.includes(COMMUNE));
    const form = {
      child_full_name: 'Nguyễn Khánh Linh', child_birth_date: '2026-09-20', child_sex: 'Nữ',
      child_birth_place: 'Bệnh viện Đa khoa Trung ương Thái Nguyên', child_ethnicity: 'Kinh',
      mother_personal_id: LAN, relationship: 'Mẹ',
    };
    for (let i = 0; i < 2; i += 1) {
      const res = await fetch(`${app.simURL}/portal/filed`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ MaTTHC: 'HT-01', MaCoQuan: agency.code, ChuHoSo: 'Nguyễn Thị Lan', DinhDanhCHS: LAN, ToKhai: form }),
      });
      assert.equal(res.status, 200, await res.text());
    }
    const { context, page } = await signedIn(DESK);
    try {
      let picks;
      for (let i = 0; i < 40; i += 1) {
        const res = await page.goto('/dossiers');
        assert.equal(res.status(), 200);
        picks = page.locator('tbody tr', { hasText: FROM_PORTAL }).locator('input[type=checkbox]');
        if (await picks.count() >= 2) break;
        await sleep(500);
      }
      assert.equal(await picks.count(), 2, 'both dossiers from the national portal are in the queue');
      await checkNoViolations(page, 'desk', 'queue with national portal dossiers');
      await picks.nth(0).check();
      await picks.nth(1).check();
      await page.selectOption('#bulk-action', 'receive');
      const res = await navigating(page, () => page.getByRole('button', { name: 'Thực hiện cho các hồ sơ đã chọn', exact: true }).click());
      assert.equal(res.status(), 200);
      const main = await page.locator('main').innerText();
      assert.match(main, /Đã thực hiện «Tiếp nhận» cho 2\/2 hồ sơ/);
      await checkNoViolations(page, 'desk', 'bulk receipt done');
    } finally {
      await context.close();
    }
  });

  it('the leader sees the agency\'s load and what is overdue', async () => {
    const { context, page } = await signedIn('lanhdao.ubnd5443');
    try {
      const res = await navigating(page, () => page.getByRole('link', { name: 'Tình hình giải quyết', exact: true }).click());
      assert.equal(res.status(), 200);
      const byProcedure = page.locator('table', { has: page.locator('caption', { hasText: 'Theo thủ tục' }) });
      const row = byProcedure.locator('tbody tr', { hasText: 'Đăng ký khai sinh' }).first();
      await row.waitFor();
      const running = Number((await row.locator('td').first().innerText()).trim());
      assert.ok(running >= 3, `at least the three dossiers received above are running (${running})`);
      await checkNoViolations(page, 'desk', 'leader load view');
    } finally {
      await context.close();
    }
  });

  it('another agency answers a consultation inside motcua; the leader signs; anyone verifies', async () => {
    const lan = await apiLogin(app.baseURL, LAN);
    const { body: procedure } = await lan.call('GET', '/api/v1/procedures/TP-01');
    const justice = procedure.agencies.find((a) => a.name.includes('Sở Tư pháp'));
    const form = { record_type: 'Phiếu số 1', purpose: 'Bổ sung hồ sơ xin việc', copies: '1' };
    const filed = await ok(await lan.call('POST', '/api/v1/dossiers', { procedure_code: 'TP-01', agency_id: justice.id, form, submit: true }), 'file TP-01');
    const { id, code } = filed;
    await ok(await (await apiLogin(app.baseURL, 'tiepnhan.sotuphap')).call('POST', `/api/v1/dossiers/${id}/actions`, { action: 'receive' }), 'receive');
    const specialist = await apiLogin(app.baseURL, 'chuyenvien.sotuphap');
    await ok(await specialist.call('POST', `/api/v1/dossiers/${id}/steps/Activity_check`, { note: 'Đủ thành phần' }), 'check');

    // The police answer on their own page in motcua.
    const police = await signedIn('chuyenvien.congantinh');
    try {
      const { page } = police;
      let res = await page.goto('/dossiers');
      const link = page.getByRole('link', { name: code, exact: true });
      await link.waitFor();
      res = await navigating(page, () => link.click());
      assert.equal(res.status(), 200);
      await checkNoViolations(page, 'desk', 'consultation to answer');
      await page.locator('textarea[id^="note-"]').first().fill('Không có tiền án, tiền sự theo dữ liệu của Công an tỉnh.');
      res = await navigating(page, () => page.getByRole('button', { name: 'Gửi ý kiến', exact: true }).click());
      assert.equal(res.status(), 200);
      assert.match(await page.locator('main').innerText(), /Đã gửi ý kiến/);
      assert.equal(await page.getByRole('link', { name: code, exact: true }).count(), 0, 'answered: off the police list');
      await checkNoViolations(page, 'desk', 'consultation answered');
    } finally {
      await police.context.close();
    }

    // The specialist finishes the department's own steps; the opinion is in the history.
    for (let i = 0; i < 6; i += 1) {
      const { body: process } = await specialist.call('GET', `/api/v1/dossiers/${id}/process`);
      const step = (process?.steps ?? []).find((s) => s.can_complete && !s.action_label);
      if (!step) break;
      await ok(await specialist.call('POST', `/api/v1/dossiers/${id}/steps/${step.node}`, { note: 'Đã tra cứu' }), `step ${step.node}`);
    }
    await ok(await specialist.call('POST', `/api/v1/dossiers/${id}/actions`, { action: 'appraise', reason: 'Đủ điều kiện cấp phiếu' }), 'appraise');
    const { body: view } = await specialist.call('GET', `/api/v1/dossiers/${id}`);
    assert.ok(JSON.stringify(view.events).includes('Công an'), 'the opinion is part of the history');

    // The leader attaches the result and approves: the result is signed.
    const leader = await signedIn('lanhdao.sotuphap');
    try {
      const { page } = leader;
      let res = await page.goto(`/dossiers/${id}`);
      assert.equal(res.status(), 200);
      await page.setInputFiles('#result_file', { name: 'phieu-ly-lich-tu-phap.pdf', mimeType: 'application/pdf', buffer: RESULT_PDF });
      res = await navigating(page, () => page.getByRole('button', { name: 'Đính kèm kết quả', exact: true }).click());
      assert.equal(res.status(), 200);
      res = await navigating(page, () => page.getByRole('button', { name: 'Phê duyệt, ký', exact: true }).click());
      assert.equal(res.status(), 200);
      assert.ok((await page.locator('main').innerText()).includes('Đã có kết quả'), 'approved and signed');
      await checkNoViolations(page, 'desk', 'approved and signed');
    } finally {
      await leader.context.close();
    }

    // Anyone checks the signed result, without signing in.
    const anyone = await signIn(browser, app.baseURL, null, DESKTOP);
    try {
      const { page } = anyone;
      const res = await page.goto(`/verify/${code}`);
      assert.equal(res.status(), 200);
      await page.setInputFiles('input[type=file]', { name: 'phieu.pdf', mimeType: 'application/pdf', buffer: RESULT_PDF });
      const checked = await navigating(page, () => page.getByRole('button', { name: /Kiểm tra/ }).click());
      assert.equal(checked.status(), 200);
      assert.match(await page.locator('main').innerText(), /hợp lệ/i);
      await checkNoViolations(page, 'desk', 'result verified');
    } finally {
      await anyone.context.close();
    }
  });
});
