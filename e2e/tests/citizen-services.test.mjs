// The citizen services around a dossier, in a real browser against the simulators `motcua demo`
// starts: filing while the population registry is down, paying a fee through the payment gateway
// and by VietQR transfer, checking a signed result at /verify without signing in, and finding the
// result and the checked documents in the citizen's document store. Dossiers are filed and
// handled through the JSON API where the browser is not the point. Every page of motcua reached
// is screenshotted and must have no axe violation at all (WCAG 2.1 A and AA); the simulators'
// pages (the gateway's payer page) are not ours: they are screenshotted but not checked.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  apiLogin,
  checkNoViolations,
  launchBrowser,
  navigating,
  pdfUpload,
  screenshotAs,
  signIn,
  startApp,
  tinyPdf,
} from './helpers.mjs';

const CITIZEN_ID = '019195012345';
const CITIZEN_NAME = 'Nguyễn Thị Lan';
const INTAKE_OFFICER = 'tiepnhan.ubnd5443';
const COMMUNE = 'Phan Đình Phùng';
const JUSTICE = 'Sở Tư pháp';
const PHONE = { viewport: { width: 412, height: 823 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1366, height: 768 } };
const PAID = 'Đã nộp đủ phí, lệ phí.';
const UNVERIFIED = 'Chưa đối chiếu được với CSDL dân cư – cần kiểm tra';
const BIRTH_CERTIFICATE = 'Giấy chứng sinh (hoặc văn bản của người làm chứng)';
const BIRTH_RESULT = 'Giấy khai sinh (bản điện tử)';
/** The signed result of the verification test: a PDF whose bytes this test knows. */
const RESULT_PDF = Buffer.concat([tinyPdf(), Buffer.from('% Giay khai sinh ban dien tu, e2e\n', 'latin1')]);



/** Reloads `page` until `text` is in its main content (notices travel on their own), at most ~10 s. */
async function reloadUntil(page, text) {
  for (let i = 0; i < 20; i += 1) {
    if ((await page.locator('main').innerText()).includes(text)) return;
    await sleep(500);
    const res = await page.reload();
    assert.equal(res.status(), 200);
  }
  assert.fail(`"${text}" never appeared on ${page.url()}:\n${await page.locator('main').innerText()}`);
}

/** Sets a simulator's faults, e.g. `{ error_rate: 1 }`. */
async function simFaults(simURL, service, config) {
  const res = await fetch(`${simURL}/sim/faults/${service}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(config),
  });
  assert.ok(res.ok, `PUT /sim/faults/${service}: ${res.status} ${await res.text()}`);
}


/** Lan's submitted TP-01 (criminal record certificate, 200.000 đồng) dossier: `{ id, code }`. */
async function recordDossier(baseURL) {
  const lan = await apiLogin(baseURL, CITIZEN_ID);
  const { body: procedure } = await lan.call('GET', '/api/v1/procedures/TP-01');
  const agency = procedure.agencies.find((a) => a.name.includes(JUSTICE));
  assert.ok(agency, `TP-01 is filed at ${JUSTICE}: ${JSON.stringify(procedure.agencies)}`);
  const form = { record_type: 'Phiếu số 1', purpose: 'Bổ sung hồ sơ xin việc', copies: '1' };
  const r = await lan.call('POST', '/api/v1/dossiers', { procedure_code: 'TP-01', agency_id: agency.id, form, submit: true });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { id: r.body.id, code: r.body.code };
}

/** Lan's HT-01 birth registration taken to approval with RESULT_PDF as its signed result. */
async function approvedBirthDossier(baseURL) {
  const lan = await apiLogin(baseURL, CITIZEN_ID);
  const { body: procedure } = await lan.call('GET', '/api/v1/procedures/HT-01');
  const agency = procedure.agencies.find((a) => a.name.includes(COMMUNE));
  const form = {
    child_full_name: 'Phạm Gia Huy',
    child_birth_date: '2026-03-08',
    child_sex: 'Nam',
    child_birth_place: 'Bệnh viện Đa khoa Trung ương Thái Nguyên',
    child_ethnicity: 'Kinh',
    mother_personal_id: CITIZEN_ID,
    relationship: 'Mẹ',
  };
  let r = await lan.call('POST', '/api/v1/dossiers', { procedure_code: 'HT-01', agency_id: agency.id, form });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const { id } = r.body;
  r = await lan.call('POST', `/api/v1/dossiers/${id}/attachments`,
    pdfUpload({ component_index: '2' }, tinyPdf(), 'giay-chung-sinh.pdf'));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await lan.call('POST', `/api/v1/dossiers/${id}/actions`, { action: 'submit' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const { code } = r.body;
  const intake = await apiLogin(baseURL, INTAKE_OFFICER);
  const specialist = await apiLogin(baseURL, 'chuyenvien.ubnd5443');
  const leader = await apiLogin(baseURL, 'lanhdao.ubnd5443');
  r = await intake.call('POST', `/api/v1/dossiers/${id}/actions`, { action: 'receive' });
  assert.equal(r.status, 200, `receive: ${JSON.stringify(r.body)}`);
  r = await specialist.call('POST', `/api/v1/dossiers/${id}/actions`, { action: 'appraise', reason: 'Đủ điều kiện' });
  assert.equal(r.status, 200, `appraise: ${JSON.stringify(r.body)}`);
  r = await leader.call('POST', `/api/v1/dossiers/${id}/result`, pdfUpload({}, RESULT_PDF, 'giay-khai-sinh.pdf'));
  assert.equal(r.status, 201, `result: ${JSON.stringify(r.body)}`);
  r = await leader.call('POST', `/api/v1/dossiers/${id}/actions`, { action: 'approve' });
  assert.equal(r.status, 200, `approve: ${JSON.stringify(r.body)}`);
  return { id, code };
}

describe('citizen services in a browser', { timeout: 240_000 }, () => {
  let app;
  let browser;
  /** The approved HT-01 dossier of the verification test, returned by the document-store test. */
  let approved;

  before(async () => {
    const [appResult, browserResult] = await Promise.allSettled([startApp(), launchBrowser()]);
    if (appResult.status === 'fulfilled') app = appResult.value;
    if (browserResult.status === 'fulfilled') browser = browserResult.value;
    if (appResult.status === 'rejected') throw appResult.reason;
    if (browserResult.status === 'rejected') throw browserResult.reason;
    assert.match(app.simURL ?? '', /^http:\/\/127\.0\.0\.1:\d+$/, 'startApp gives the simulators\' address');
  });

  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  const signedIn = (login, options) => signIn(browser, app.baseURL, login, options);


  it('files HT-01 on a phone while the population registry is down; the officer is told to check', async () => {
    let code;
    await simFaults(app.simURL, 'registry', { error_rate: 1.0 });
    try {
      const citizen = await signedIn(CITIZEN_ID, PHONE);
      try {
        const { page } = citizen;
        let res = await page.goto('/procedures/HT-01/file');
        assert.equal(res.status(), 200);
        await page.getByRole('heading', { level: 1, name: 'Nộp hồ sơ: Đăng ký khai sinh' }).waitFor();
        const warning = page.locator('.notice', { hasText: 'Chưa kết nối được Cơ sở dữ liệu quốc gia về dân cư' });
        await warning.waitFor();
        assert.match(await warning.innerText(), /hồ sơ vẫn nộp được bình thường/);
        const facts = page.locator('dl.summary .source');
        assert.ok(await facts.count() > 0, 'identity facts are shown');
        for (const source of await facts.allInnerTexts()) {
          assert.equal(source.trim(), '(chờ đối chiếu)', 'every fact waits to be checked');
        }
        assert.ok((await page.locator('main').innerText()).includes(CITIZEN_NAME));
        await checkNoViolations(page, 'services', 'filing form registry down');

        const agency = page.locator('#agency_id option', { hasText: COMMUNE });
        await page.selectOption('#agency_id', await agency.getAttribute('value'));
        await page.fill('#f_child_full_name', 'Đỗ Thảo Vy');
        await page.fill('#f_child_birth_date', '2026-04-12');
        await page.locator('#f_child_sex').getByRole('radio', { name: 'Nữ', exact: true }).check();
        await page.fill('#f_child_birth_place', 'Trạm y tế phường Phan Đình Phùng');
        await page.fill('#f_child_ethnicity', 'Kinh');
        await page.fill('#f_mother_personal_id', CITIZEN_ID);
        await page.selectOption('#f_relationship', { label: 'Mẹ' });
        await page.setInputFiles('#file_2', { name: 'giay-chung-sinh.pdf', mimeType: 'application/pdf', buffer: tinyPdf() });
        res = await navigating(page, () => page.getByRole('button', { name: 'Nộp hồ sơ', exact: true }).click());
        assert.equal(res.status(), 200);
        const done = new URL(page.url());
        assert.match(done.pathname, /^\/dossiers\/[^/]+$/);
        assert.equal(done.searchParams.get('done'), 'submit');
        const heading = (await page.getByRole('heading', { level: 1 }).textContent()).trim();
        code = heading.match(/^Hồ sơ (\S+)$/)?.[1];
        assert.ok(code, `heading should be "Hồ sơ <code>", got "${heading}"`);
        assert.ok((await page.locator('.success').textContent()).includes(code));
        await checkNoViolations(page, 'services', 'filed registry down');
      } finally {
        await citizen.context.close();
      }

      const desk = await signedIn(INTAKE_OFFICER, DESKTOP);
      try {
        const { page } = desk;
        let res = await page.goto('/dossiers');
        assert.equal(res.status(), 200);
        const link = page.getByRole('link', { name: code, exact: true });
        await link.waitFor();
        res = await navigating(page, () => link.click());
        assert.equal(res.status(), 200);
        await page.getByRole('heading', { level: 1, name: `Hồ sơ ${code}` }).waitFor();
        const identity = page.locator('table', { has: page.locator('caption', { hasText: 'Lấy từ cơ sở dữ liệu' }) });
        await identity.waitFor();
        const rows = identity.locator('tbody tr');
        assert.ok(await rows.count() > 0);
        for (const source of await rows.locator('td:last-child').allInnerTexts()) {
          assert.equal(source.trim(), UNVERIFIED, 'every fact is flagged for the officer');
        }
        await checkNoViolations(page, 'services', 'officer dossier unverified');
      } finally {
        await desk.context.close();
      }
    } finally {
      await simFaults(app.simURL, 'registry', { error_rate: 0 });
    }
  });

  it('pays the TP-01 fee through the payment gateway on a phone and opens the e-receipt', async () => {
    const dossier = await recordDossier(app.baseURL);
    const { context, page } = await signedIn(CITIZEN_ID, PHONE);
    try {
      let res = await page.goto(`/dossiers/${dossier.id}`);
      assert.equal(res.status(), 200);
      const fees = page.locator('section#fees');
      await fees.getByRole('heading', { level: 2, name: 'Phí, lệ phí' }).waitFor();
      assert.match(await fees.innerText(), /Còn phải nộp: 200\.000 đồng/);
      await checkNoViolations(page, 'services', 'dossier fee due');

      // The form posts to motcua, which sends the browser on to the gateway (another origin):
      // if the browser refuses (a Content-Security-Policy, say), say what it said.
      const refusals = [];
      page.on('console', (m) => {
        if (m.type() === 'error') refusals.push(m.text());
      });
      try {
        res = await navigating(page, () => fees.getByRole('button', { name: 'Thanh toán trực tuyến' }).click());
      } catch (e) {
        if (refusals.length === 0) await sleep(1_000); // the console message comes after the abort
        assert.fail(`"Thanh toán trực tuyến" did not reach the gateway (${e.message.split('\n')[0]}); ` +
          `the browser said: ${refusals.join(' | ') || 'nothing'}`);
      }
      assert.equal(res.status(), 200);
      const payer = new URL(page.url());
      assert.equal(payer.origin, app.simURL, 'the payer page is the gateway\'s');
      assert.match(payer.pathname, /^\/gateway\/pay\/[^/]+$/);
      await screenshotAs(page, 'services', 'gateway payer page');

      res = await navigating(page, () => page.getByRole('button', { name: 'Thanh toán', exact: true }).click());
      assert.equal(res.status(), 200);
      const back = new URL(page.url());
      assert.equal(back.origin, app.baseURL);
      assert.equal(back.pathname, `/dossiers/${dossier.id}`);
      await reloadUntil(page, PAID);
      const receiptLink = fees.getByRole('link', { name: `Biên lai điện tử BL-${dossier.code}-1` });
      await receiptLink.waitFor();
      const payments = await fees.locator('ul > li').allInnerTexts();
      assert.equal(payments.length, 1, `one payment: ${payments}`);
      assert.match(payments[0], /^Cổng thanh toán trực tuyến · Đã thanh toán · 200\.000 đồng · Biên lai điện tử BL-/);
      assert.equal(await fees.getByRole('button', { name: 'Thanh toán trực tuyến' }).count(), 0, 'nothing more to pay');
      await checkNoViolations(page, 'services', 'dossier paid by gateway');

      res = await navigating(page, () => receiptLink.click());
      assert.equal(res.status(), 200);
      assert.match(new URL(page.url()).pathname, new RegExp(`^/dossiers/${dossier.id}/payments/[^/]+$`));
      await page.getByRole('heading', { level: 1, name: 'Biên lai thu phí, lệ phí điện tử' }).waitFor();
      const receipt = await page.locator('main').innerText();
      assert.ok(receipt.includes(`BL-${dossier.code}-1`), receipt);
      assert.ok(receipt.includes(CITIZEN_NAME), 'the payer is named');
      assert.ok(receipt.includes(dossier.code));
      const total = page.locator('table.fees tfoot td');
      assert.equal((await total.innerText()).trim(), '200.000 đồng');
      await checkNoViolations(page, 'services', 'e-receipt gateway');
    } finally {
      await context.close();
    }
  });

  it('pays another TP-01 fee by a VietQR bank transfer and the dossier page shows it paid', async () => {
    const dossier = await recordDossier(app.baseURL);
    const lan = await apiLogin(app.baseURL, CITIZEN_ID);
    const { context, page } = await signedIn(CITIZEN_ID, PHONE);
    try {
      const res = await page.goto(`/dossiers/${dossier.id}`);
      assert.equal(res.status(), 200);
      const fees = page.locator('section#fees');
      await fees.getByRole('heading', { level: 3, name: 'Hoặc chuyển khoản bằng mã VietQR' }).waitFor();
      const qr = fees.locator('figure.qr-poster svg');
      await qr.waitFor();
      assert.equal(await qr.getAttribute('role'), 'img');
      assert.match(await qr.getAttribute('aria-label'), /Mã VietQR/);
      const box = await qr.boundingBox();
      assert.ok(box && box.width >= 150, `QR code drawn large enough to scan (${box?.width}px)`);
      await checkNoViolations(page, 'services', 'dossier vietqr');

      // What a banking app reads from the QR code: the payload the fees API gives.
      const { status, body } = await lan.call('GET', `/api/v1/dossiers/${dossier.id}/fees`);
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal(body.outstanding_vnd, 200_000);
      assert.ok(body.vietqr?.includes(dossier.code), `the payload names the dossier: ${body.vietqr}`);
      const transfer = await fetch(`${app.simURL}/bank/transfer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ payload: body.vietqr }),
      });
      assert.equal(transfer.status, 200, await transfer.text());

      await reloadUntil(page, PAID);
      await fees.getByRole('link', { name: `Biên lai điện tử BL-${dossier.code}-1` }).waitFor();
      const payments = await fees.locator('ul > li').allInnerTexts();
      assert.equal(payments.length, 1, `one payment: ${payments}`);
      assert.match(payments[0], /^Chuyển khoản bằng mã VietQR · Đã thanh toán · 200\.000 đồng · /);
      assert.equal(await fees.locator('figure.qr-poster svg').count(), 0, 'no QR code once paid');
      await checkNoViolations(page, 'services', 'dossier paid by vietqr');
    } finally {
      await context.close();
    }
  });

  it('anyone checks the signed result at /verify: the same file is valid, a changed one is not', async () => {
    approved = await approvedBirthDossier(app.baseURL);
    const verifyURL = `${app.baseURL}/verify/${approved.code}`;

    // The applicant's dossier page links the public check.
    const citizen = await signedIn(CITIZEN_ID, PHONE);
    try {
      const { page } = citizen;
      const res = await page.goto(`/dossiers/${approved.id}`);
      assert.equal(res.status(), 200);
      await page.getByRole('heading', { level: 2, name: 'Kết quả giải quyết' }).waitFor();
      const link = page.getByRole('link', { name: verifyURL, exact: true });
      await link.waitFor();
      assert.equal(await link.getAttribute('href'), verifyURL);
      await checkNoViolations(page, 'services', 'dossier approved verify link');
    } finally {
      await citizen.context.close();
    }

    const { context, page } = await signedIn(null, PHONE);
    try {
      let res = await page.goto(verifyURL);
      assert.equal(res.status(), 200);
      await page.getByRole('heading', { level: 1, name: 'Kiểm tra kết quả giải quyết' }).waitFor();
      const signed = page.locator('ul.results .tag');
      assert.equal((await signed.innerText()).trim(), 'Hợp lệ: đúng kết quả do cơ quan ký, chưa bị thay đổi');
      const text = await page.locator('main').innerText();
      assert.ok(text.includes(approved.code));
      assert.ok(!text.includes(CITIZEN_NAME) && !text.includes(CITIZEN_ID), 'no personal data');
      await checkNoViolations(page, 'services', 'verify');

      await page.setInputFiles('#result-file', { name: 'giay-khai-sinh.pdf', mimeType: 'application/pdf', buffer: RESULT_PDF });
      res = await navigating(page, () => page.getByRole('button', { name: 'Kiểm tra tệp' }).click());
      assert.equal(res.status(), 200);
      const valid = page.locator('.success[role="status"] strong');
      assert.match(await valid.innerText(), /^Hợp lệ/);
      await checkNoViolations(page, 'services', 'verify same file');

      const changed = Buffer.from(RESULT_PDF);
      changed[changed.length - 5] ^= 1;
      await page.setInputFiles('#result-file', { name: 'giay-khai-sinh.pdf', mimeType: 'application/pdf', buffer: changed });
      res = await navigating(page, () => page.getByRole('button', { name: 'Kiểm tra tệp' }).click());
      assert.equal(res.status(), 200);
      const mismatch = page.locator('.error-summary[role="status"] strong');
      assert.match(await mismatch.innerText(), /^Không khớp/);
      assert.equal(await page.locator('.success[role="status"]').count(), 0);
      await checkNoViolations(page, 'services', 'verify changed file');
    } finally {
      await context.close();
    }
  });

  it('after the result is returned, the citizen finds it and the checked birth certificate in her documents', async () => {
    assert.ok(approved, 'needs the dossier approved by the previous test');
    const intake = await apiLogin(app.baseURL, INTAKE_OFFICER);
    const r = await intake.call('POST', `/api/v1/dossiers/${approved.id}/actions`, { action: 'return_result' });
    assert.equal(r.status, 200, JSON.stringify(r.body));

    const { context, page } = await signedIn(CITIZEN_ID, PHONE);
    try {
      const res = await navigating(page, () => page.getByRole('link', { name: 'Kho giấy tờ', exact: true }).click());
      assert.equal(res.status(), 200);
      assert.equal(new URL(page.url()).pathname, '/me/documents');
      await page.getByRole('heading', { level: 1, name: 'Kho giấy tờ của tôi' }).waitFor();
      const items = page.locator('ul.documents > li', { hasText: `hồ sơ ${approved.code}` });
      assert.equal(await items.count(), 2, 'the result and the checked component');
      const result = items.filter({ hasText: 'Kết quả do cơ quan cấp' });
      await result.getByRole('link', { name: BIRTH_RESULT, exact: true }).waitFor();
      const component = items.filter({ hasText: 'Giấy tờ đã được cơ quan kiểm tra khi tiếp nhận' });
      await component.getByRole('link', { name: BIRTH_CERTIFICATE, exact: true }).waitFor();
      // The kept result is the very file the agency signed.
      const href = await result.getByRole('link', { name: BIRTH_RESULT, exact: true }).getAttribute('href');
      const file = await page.request.get(href);
      assert.equal(file.status(), 200);
      assert.ok(Buffer.from(await file.body()).equals(RESULT_PDF), 'the stored result has the signed bytes');
      await checkNoViolations(page, 'services', 'my documents');
    } finally {
      await context.close();
    }
  });
});
