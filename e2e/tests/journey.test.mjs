// End-to-end journey in a real browser: a citizen files a birth registration on a phone,
// the commune's intake officer receives it, and anyone can look the dossier up by its code.
// Every page visited is screenshotted and checked with axe (WCAG 2.1 A and AA).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DEMO_PASSWORD,
  assertAccessible,
  checkPage,
  launchBrowser,
  navigating,
  resetScreenshots,
  startApp,
  tinyPdf,
} from './helpers.mjs';

const CITIZEN_ID = '019195012345';
const CITIZEN_NAME = 'Nguyễn Thị Lan';
const INTAKE_OFFICER = 'tiepnhan.ubnd5443';
const COMMUNE = 'Phan Đình Phùng';
const CHILD_NAME = 'Trần Minh Khôi';
const PHONE = { viewport: { width: 412, height: 823 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1366, height: 768 } };

describe('motcua in a browser', { timeout: 150_000 }, () => {
  let app;
  let browser;
  let dossierCode;
  let dossierPath;

  before(async () => {
    resetScreenshots();
    // Start both at once, but keep whichever started even if the other fails, so `after` can stop it.
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

  async function newPage(options) {
    const context = await browser.newContext({ baseURL: app.baseURL, locale: 'vi-VN', ...options });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.setDefaultNavigationTimeout(20_000);
    return { context, page };
  }

  it('a citizen finds HT-01 on a phone, signs in, fixes a missing field and submits', async () => {
    const journal = [];
    const { context, page } = await newPage(PHONE);
    try {
      // Home
      let res = await page.goto('/');
      assert.equal(res.status(), 200);
      await assert.doesNotReject(page.getByRole('heading', { level: 1 }).waitFor());
      await checkPage(page, 'citizen home', journal);

      // Search from the home page
      await page.getByLabel('Tìm thủ tục hành chính').fill('khai sinh');
      res = await navigating(page, () => page.getByRole('button', { name: 'Tìm kiếm' }).click());
      assert.equal(res.status(), 200);
      assert.match(new URL(page.url()).pathname, /^\/procedures$/);
      assert.equal(new URL(page.url()).searchParams.get('q'), 'khai sinh');
      const result = page.getByRole('link', { name: 'Đăng ký khai sinh', exact: true });
      await result.waitFor();
      await checkPage(page, 'search khai sinh', journal);

      // Procedure detail
      res = await navigating(page, () => result.click());
      assert.equal(res.status(), 200);
      assert.equal(new URL(page.url()).pathname, '/procedures/HT-01');
      await page.getByRole('heading', { level: 1, name: 'Đăng ký khai sinh' }).waitFor();
      await checkPage(page, 'procedure HT-01', journal);

      // Filing needs a signed-in citizen: we land on /login?next=...
      res = await navigating(page, () => page.getByRole('link', { name: 'Nộp hồ sơ trực tuyến' }).click());
      assert.equal(new URL(page.url()).pathname, '/login');
      assert.match(new URL(page.url()).searchParams.get('next') ?? '', /^\/procedures\/HT-01\/file/);
      await checkPage(page, 'login', journal);

      await page.getByLabel('Số định danh cá nhân hoặc tên đăng nhập').fill(CITIZEN_ID);
      await page.getByLabel('Mật khẩu').fill(DEMO_PASSWORD);
      res = await navigating(page, () => page.getByRole('button', { name: 'Đăng nhập', exact: true }).click());
      assert.equal(res.status(), 200);
      assert.equal(new URL(page.url()).pathname, '/procedures/HT-01/file', 'login must redirect back via ?next=');
      await page.getByRole('button', { name: new RegExp(`Đăng xuất \\(${CITIZEN_NAME}`) }).waitFor();
      await checkPage(page, 'filing form', journal);

      // Fill everything but the place of birth, then submit: the form comes back with errors.
      const agencyOption = page.locator('#agency_id option', { hasText: COMMUNE });
      assert.equal(await agencyOption.count(), 1, `one agency option for ${COMMUNE}`);
      const agencyValue = await agencyOption.getAttribute('value');
      await page.selectOption('#agency_id', agencyValue);
      await page.fill('#f_child_full_name', CHILD_NAME);
      await page.fill('#f_child_birth_date', '2026-01-15');
      await page.locator('#f_child_sex').getByRole('radio', { name: 'Nam', exact: true }).check();
      await page.fill('#f_child_ethnicity', 'Kinh');
      await page.fill('#f_mother_personal_id', CITIZEN_ID);
      await page.selectOption('#f_relationship', { label: 'Mẹ' });
      const pdf = { name: 'giay-chung-sinh.pdf', mimeType: 'application/pdf', buffer: tinyPdf() };
      await page.setInputFiles('#file_2', pdf);

      res = await navigating(page, () => page.getByRole('button', { name: 'Nộp hồ sơ', exact: true }).click());
      assert.equal(res.status(), 422, 'a missing required field must re-render the form with 422');
      const summary = page.locator('.error-summary');
      await summary.waitFor();
      assert.ok(await summary.getByRole('link').count() >= 1, 'the error summary links to the fields');
      const birthPlace = page.locator('#f_child_birth_place');
      assert.equal(await birthPlace.getAttribute('aria-invalid'), 'true');
      await page.locator('#f_child_birth_place-error').waitFor();
      // What was typed is kept.
      assert.equal(await page.inputValue('#f_child_full_name'), CHILD_NAME);
      assert.equal(await page.inputValue('#f_child_birth_date'), '2026-01-15');
      assert.equal(await page.inputValue('#f_child_ethnicity'), 'Kinh');
      assert.equal(await page.inputValue('#f_mother_personal_id'), CITIZEN_ID);
      assert.equal(await page.locator('#f_child_sex input:checked').getAttribute('value'), 'Nam');
      assert.equal(await page.locator('#f_relationship option:checked').textContent(), 'Mẹ');
      // The draft now exists: its agency is fixed and shown as text.
      assert.equal(await page.locator('#agency_id').count(), 0);
      assert.ok((await page.locator('main').textContent()).includes(COMMUNE), 'chosen agency shown');
      assert.ok((await page.locator('main').textContent()).includes(CITIZEN_ID), 'personal ID shown from the profile');
      await checkPage(page, 'filing form with errors', journal);

      // Complete and submit.
      await birthPlace.fill('Bệnh viện Đa khoa tỉnh Đắk Lắk');
      const alreadyAttached = await page.locator('#file_2').evaluate((el) => {
        const hint = el.closest('.field')?.querySelector('.hint');
        return Boolean(hint && hint.textContent.includes('Đã đính kèm'));
      });
      if (!alreadyAttached) await page.setInputFiles('#file_2', pdf);
      res = await navigating(page, () => page.getByRole('button', { name: 'Nộp hồ sơ', exact: true }).click());
      assert.equal(res.status(), 200);
      const done = new URL(page.url());
      assert.match(done.pathname, /^\/dossiers\/[^/]+$/);
      assert.equal(done.searchParams.get('done'), 'submit');
      dossierPath = done.pathname;
      const heading = await page.getByRole('heading', { level: 1 }).textContent();
      const m = heading.trim().match(/^Hồ sơ (\S+)$/);
      assert.ok(m, `heading should be "Hồ sơ <code>", got "${heading}"`);
      dossierCode = m[1];
      const success = page.locator('.success');
      await success.waitFor();
      assert.ok((await success.textContent()).includes(dossierCode), 'the success message names the code');
      await checkPage(page, 'dossier submitted', journal);

      // Sign out.
      res = await navigating(page, () => page.getByRole('button', { name: /^Đăng xuất/ }).click());
      assert.equal(res.status(), 200);
      await page.getByRole('link', { name: 'Đăng nhập', exact: true }).waitFor();
      await checkPage(page, 'citizen signed out', journal);
    } finally {
      await context.close();
    }
    assertAccessible(assert, journal);
  });

  it('the intake officer of the commune receives the dossier', async () => {
    assert.ok(dossierCode, 'needs the dossier filed by the previous test');
    const journal = [];
    const { context, page } = await newPage(DESKTOP);
    try {
      let res = await page.goto('/login');
      assert.equal(res.status(), 200);
      await page.getByLabel('Số định danh cá nhân hoặc tên đăng nhập').fill(INTAKE_OFFICER);
      await page.getByLabel('Mật khẩu').fill(DEMO_PASSWORD);
      res = await navigating(page, () => page.getByRole('button', { name: 'Đăng nhập', exact: true }).click());
      assert.equal(res.status(), 200);
      await page.getByRole('button', { name: /^Đăng xuất/ }).waitFor();
      await checkPage(page, 'officer signed in', journal);

      res = await page.goto('/dossiers');
      assert.equal(res.status(), 200);
      await page.getByRole('heading', { level: 1, name: 'Hồ sơ cần xử lý' }).waitFor();
      const link = page.getByRole('link', { name: dossierCode, exact: true });
      await link.waitFor();
      await checkPage(page, 'officer worklist', journal);

      res = await navigating(page, () => link.click());
      assert.equal(res.status(), 200);
      assert.equal(new URL(page.url()).pathname, dossierPath);
      await page.getByRole('heading', { level: 1, name: `Hồ sơ ${dossierCode}` }).waitFor();
      await page.getByRole('button', { name: 'Yêu cầu bổ sung' }).waitFor();
      await page.getByRole('button', { name: 'Từ chối tiếp nhận' }).waitFor();
      await checkPage(page, 'officer dossier', journal);

      res = await navigating(page, () => page.getByRole('button', { name: 'Tiếp nhận', exact: true }).click());
      assert.equal(res.status(), 200);
      const state = page.locator('dl.summary .tag').first();
      await state.waitFor();
      assert.equal((await state.textContent()).trim(), 'Đã tiếp nhận, đang xử lý');
      // Receiving started the procedure's internal process: its drawing shows the current step.
      await page.getByRole('heading', { level: 2, name: 'Quy trình nội bộ' }).waitFor();
      const drawing = page.locator('figure.process-diagram svg');
      await drawing.waitFor();
      assert.ok((await page.locator('figure.process-diagram [data-element-id].current').count()) > 0,
        'the waiting step is highlighted');
      await checkPage(page, 'officer received', journal);
    } finally {
      await context.close();
    }
    assertAccessible(assert, journal);
  });

  it('the administrator sees the process of a procedure and its versions', async () => {
    const journal = [];
    const { context, page } = await newPage(DESKTOP);
    try {
      let res = await page.goto('/login');
      assert.equal(res.status(), 200);
      await page.getByLabel('Số định danh cá nhân hoặc tên đăng nhập').fill('quantri');
      await page.getByLabel('Mật khẩu').fill(DEMO_PASSWORD);
      res = await navigating(page, () => page.getByRole('button', { name: 'Đăng nhập', exact: true }).click());
      assert.equal(res.status(), 200);
      res = await page.goto('/admin/procedures');
      assert.equal(res.status(), 200);
      await checkPage(page, 'admin procedures', journal);
      res = await navigating(page, () => page.getByRole('link', { name: 'Cấp giấy phép xây dựng nhà ở riêng lẻ' }).click());
      assert.equal(res.status(), 200);
      await page.locator('figure.process-diagram svg').waitFor();
      await page.getByRole('button', { name: 'Kiểm tra và áp dụng' }).waitFor();
      await checkPage(page, 'admin procedure process', journal);
    } finally {
      await context.close();
    }
    assertAccessible(assert, journal);
  });

  it('anyone can look up the status by code without seeing personal data', async () => {
    assert.ok(dossierCode, 'needs the dossier filed by the first test');
    const journal = [];
    const { context, page } = await newPage(PHONE);
    try {
      const res = await page.goto(`/status?code=${encodeURIComponent(dossierCode)}`);
      assert.equal(res.status(), 200);
      await page.getByRole('heading', { level: 2, name: `Hồ sơ ${dossierCode}` }).waitFor();
      const state = page.locator('dl.summary .tag').first();
      assert.equal((await state.textContent()).trim(), 'Đã tiếp nhận, đang xử lý');
      const text = await page.locator('body').innerText();
      assert.ok(!text.includes(CITIZEN_NAME), `the public status page must not show "${CITIZEN_NAME}"`);
      assert.ok(!text.includes(CITIZEN_ID), 'the public status page must not show the personal ID');
      assert.ok(!text.includes(CHILD_NAME), 'the public status page must not show form data');
      const html = await page.content();
      assert.ok(!html.includes(CITIZEN_NAME), `the status page HTML must not contain "${CITIZEN_NAME}"`);
      await checkPage(page, 'public status', journal);
    } finally {
      await context.close();
    }
    assertAccessible(assert, journal);
  });
});
