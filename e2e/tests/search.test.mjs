// Find a procedure in a browser with JavaScript turned off: search the catalog page without
// diacritics and with a filter, open the best match, and read the procedure in plain words with
// its QR code. axe needs scripts, so every page reached is opened again at the same address in a
// second tab with JavaScript on, screenshotted there, and must have no axe violation at all
// (WCAG 2.1 A and AA).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  checkNoViolations,
  launchBrowser,
  navigating,
  startApp,
} from './helpers.mjs';

const PHONE = { viewport: { width: 412, height: 823 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true };


describe('finding a procedure', { timeout: 120_000 }, () => {
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

  it('searches "dang ky khai sinh" with a plain form and opens the best match', async () => {
    const context = await browser.newContext({
      baseURL: app.baseURL,
      locale: 'vi-VN',
      javaScriptEnabled: false,
      ...PHONE,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const checker = await browser.newContext({ baseURL: app.baseURL, locale: 'vi-VN', ...PHONE });
    const axePage = await checker.newPage();
    const checkHere = async (name) => {
      const res = await axePage.goto(page.url());
      assert.equal(res.status(), 200);
      await checkNoViolations(axePage, 'search', name);
    };
    try {
      let res = await page.goto('/procedures');
      assert.equal(res.status(), 200);
      await page.getByRole('heading', { level: 1, name: 'Thủ tục hành chính' }).waitFor();
      assert.match(await page.getByRole('status').innerText(), /Có 18 thủ tục/);
      await checkHere('catalog');

      // Words without diacritics, and the commune level chosen from its labelled list.
      await page.getByLabel('Tìm theo tên, lĩnh vực hoặc mã thủ tục').fill('dang ky khai sinh');
      await page.getByLabel('Cấp thực hiện').selectOption({ label: 'Cấp xã' });
      res = await navigating(page, () => page.getByRole('button', { name: 'Tìm kiếm' }).click());
      assert.equal(res.status(), 200);
      const url = new URL(page.url());
      assert.equal(url.pathname, '/procedures');
      assert.equal(url.searchParams.get('q'), 'dang ky khai sinh');
      assert.equal(url.searchParams.get('level'), 'commune');
      assert.match(await page.getByRole('status').innerText(), /Tìm thấy 2 thủ tục cho «dang ky khai sinh»/);
      const links = page.locator('ul.cards li > a');
      assert.equal(await links.first().innerText(), 'Đăng ký khai sinh', 'best match first');
      assert.equal(await page.getByLabel('Cấp thực hiện').inputValue(), 'commune', 'the choice is kept');
      await checkHere('results dang ky khai sinh');

      res = await navigating(page, () => links.first().click());
      assert.equal(res.status(), 200);
      assert.equal(new URL(page.url()).pathname, '/procedures/HT-01');
      await page.getByRole('heading', { level: 1, name: 'Đăng ký khai sinh' }).waitFor();
      for (const heading of [
        'Ai được nộp hồ sơ',
        'Cần chuẩn bị những gì',
        'Phí, lệ phí',
        'Thời hạn giải quyết',
        'Kết quả và nơi cấp',
        'Biểu mẫu cần điền',
        'Mã QR của trang này',
      ]) {
        await page.getByRole('heading', { level: 2, name: heading }).waitFor();
      }
      const qr = page.getByRole('img', { name: /Mã QR mở trang thủ tục Đăng ký khai sinh/ });
      await qr.waitFor();
      const box = await qr.boundingBox();
      assert.ok(box && box.width >= 150, `QR code drawn large enough to scan (${box?.width}px)`);
      const address = await page.locator('.qr-poster figcaption a').getAttribute('href');
      assert.equal(address, `${app.baseURL}/procedures/HT-01`, 'the QR code opens this page');
      await checkHere('procedure HT-01');
    } finally {
      await checker.close();
      await context.close();
    }
  });
});
