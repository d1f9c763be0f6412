// Rate and tell, follow by QR, in a real browser: a citizen rates a returned dossier and sends
// feedback on a phone, the commune's intake officer answers it, the citizen reads the answer, and
// anyone opens the receipt's QR address without signing in; the commune's leader then corrects
// the returned result and the public check shows the old one revoked. The dossier is driven to "returned"
// through the JSON API first. Every page is screenshotted and must have no axe violation at all
// (WCAG 2.1 A and AA).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DEMO_PASSWORD,
  checkNoViolations,
  launchBrowser,
  navigating,
  signIn,
  startApp,
  tinyPdf,
} from './helpers.mjs';

const CITIZEN_ID = '019195012345';
const CITIZEN_NAME = 'Nguyễn Thị Lan';
const CHILD_NAME = 'Lê Bảo Ngọc';
const INTAKE_OFFICER = 'tiepnhan.ubnd5443';
const FEEDBACK_TEXT = 'Trang tải giấy tờ báo lỗi hai lần trước khi nhận tệp của tôi.';
const ANSWER_TEXT = 'Cổng đã khắc phục lỗi tải tệp. Cảm ơn chị đã phản ánh.';
const LEADER = 'lanhdao.ubnd5443';
const CORRECTION_REASON = 'Sai ngày sinh trên trích lục';
const PHONE = { viewport: { width: 412, height: 823 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1366, height: 768 } };


/** The JSON API as a signed-in caller. */
async function apiLogin(baseURL, login) {
  const res = await fetch(`${baseURL}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password: DEMO_PASSWORD }),
  });
  assert.equal(res.status, 200, `API login ${login}`);
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
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
  return { call };
}

/** A birth registration filed by the demo citizen and handled until its result is returned. */
async function returnedDossier(baseURL) {
  const citizen = await apiLogin(baseURL, CITIZEN_ID);
  const { body: procedure } = await citizen.call('GET', '/api/v1/procedures/HT-01');
  const agency = procedure.agencies.find((a) => a.name.includes('Phan Đình Phùng'));
  const form = {
    child_full_name: CHILD_NAME,
    child_birth_date: '2026-02-03',
    child_sex: 'Nữ',
    child_birth_place: 'Trạm y tế phường Phan Đình Phùng',
    child_ethnicity: 'Kinh',
    mother_personal_id: CITIZEN_ID,
    relationship: 'Mẹ',
  };
  let r = await citizen.call('POST', '/api/v1/dossiers', { procedure_code: 'HT-01', agency_id: agency.id, form });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const id = r.body.id;
  const upload = (fields) => {
    const data = new FormData();
    for (const [k, v] of Object.entries(fields)) data.append(k, v);
    data.append('file', new Blob([tinyPdf()], { type: 'application/pdf' }), 'giay.pdf');
    return data;
  };
  r = await citizen.call('POST', `/api/v1/dossiers/${id}/attachments`, upload({ component_index: '2' }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await citizen.call('POST', `/api/v1/dossiers/${id}/actions`, { action: 'submit' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const code = r.body.code;
  const intake = await apiLogin(baseURL, INTAKE_OFFICER);
  const specialist = await apiLogin(baseURL, 'chuyenvien.ubnd5443');
  const leader = await apiLogin(baseURL, 'lanhdao.ubnd5443');
  const steps = [
    [intake, { action: 'receive' }],
    [specialist, { action: 'appraise', reason: 'Đủ điều kiện' }],
  ];
  for (const [who, body] of steps) {
    r = await who.call('POST', `/api/v1/dossiers/${id}/actions`, body);
    assert.equal(r.status, 200, `${body.action}: ${JSON.stringify(r.body)}`);
  }
  r = await leader.call('POST', `/api/v1/dossiers/${id}/result`, upload({}));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await leader.call('POST', `/api/v1/dossiers/${id}/actions`, { action: 'approve' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await intake.call('POST', `/api/v1/dossiers/${id}/actions`, { action: 'return_result' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { id, code };
}

describe('rate, tell and follow in a browser', { timeout: 180_000 }, () => {
  let app;
  let browser;
  let dossier;

  before(async () => {
    const [appResult, browserResult] = await Promise.allSettled([startApp(), launchBrowser()]);
    if (appResult.status === 'fulfilled') app = appResult.value;
    if (browserResult.status === 'fulfilled') browser = browserResult.value;
    if (appResult.status === 'rejected') throw appResult.reason;
    if (browserResult.status === 'rejected') throw browserResult.reason;
    dossier = await returnedDossier(app.baseURL);
  });

  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  const signedIn = (login, options) => signIn(browser, app.baseURL, login, options);


  it('the citizen rates the returned dossier and sends feedback on a phone', async () => {
    const { context, page } = await signedIn(CITIZEN_ID, PHONE);
    try {
      let res = await page.goto(`/dossiers/${dossier.id}`);
      assert.equal(res.status(), 200);
      await page.getByRole('heading', { level: 1, name: `Hồ sơ ${dossier.code}` }).waitFor();
      const levels = page.locator('fieldset', { hasText: 'Mức độ hài lòng' });
      for (const level of ['Rất hài lòng', 'Hài lòng', 'Không hài lòng']) {
        await levels.getByLabel(level, { exact: true }).waitFor();
      }
      await checkNoViolations(page, 'rating', 'returned dossier');

      await levels.getByLabel('Rất hài lòng', { exact: true }).check();
      res = await navigating(page, () => page.getByRole('button', { name: 'Đánh giá', exact: true }).click());
      assert.equal(res.status(), 200);
      const rated = page.locator('dl.summary dt', { hasText: 'Đánh giá' }).locator('xpath=following-sibling::dd[1]');
      assert.equal((await rated.textContent()).trim(), 'Rất hài lòng');
      assert.equal(await page.getByRole('button', { name: 'Đánh giá', exact: true }).count(), 0, 'rated once');
      await checkNoViolations(page, 'rating', 'dossier rated');

      res = await navigating(page, () => page.getByRole('link', { name: 'Gửi phản ánh, kiến nghị' }).click());
      assert.equal(res.status(), 200);
      assert.equal(new URL(page.url()).pathname, `/dossiers/${dossier.id}/feedback`);
      await page.getByRole('group', { name: /Nguyên nhân/ }).waitFor();
      await checkNoViolations(page, 'rating', 'feedback form');

      // Nothing chosen, nothing written: a Vietnamese error next to the causes.
      res = await navigating(page, () => page.getByRole('button', { name: 'Gửi phản ánh, kiến nghị' }).click());
      assert.equal(res.status(), 422);
      await page.locator('#causes-error').waitFor();
      assert.match(await page.locator('#causes-error').textContent(), /ít nhất một nguyên nhân/);
      await checkNoViolations(page, 'rating', 'feedback form with errors');

      await page.getByLabel('Lỗi Cổng dịch vụ công').check();
      await page.getByLabel('Mạng Internet của tôi').check();
      await page.getByRole('textbox', { name: 'Nội dung phản ánh, kiến nghị' }).fill(FEEDBACK_TEXT);
      res = await navigating(page, () => page.getByRole('button', { name: 'Gửi phản ánh, kiến nghị' }).click());
      assert.equal(res.status(), 200);
      assert.equal(new URL(page.url()).pathname, '/me/feedback');
      await page.locator('.success').waitFor();
      const mine = page.locator('main');
      assert.ok((await mine.textContent()).includes(FEEDBACK_TEXT));
      assert.ok((await mine.textContent()).includes('Đang chờ cơ quan trả lời'));
      await checkNoViolations(page, 'rating', 'my feedback sent');
    } finally {
      await context.close();
    }
  });

  it('the intake officer answers and the citizen reads the answer', async () => {
    const desk = await signedIn(INTAKE_OFFICER, DESKTOP);
    try {
      const { page } = desk;
      let res = await navigating(page, () => page.getByRole('link', { name: 'Phản ánh, kiến nghị', exact: true }).click());
      assert.equal(res.status(), 200);
      const item = page.locator('li', { hasText: FEEDBACK_TEXT });
      await item.waitFor();
      assert.ok((await item.textContent()).includes(dossier.code));
      await checkNoViolations(page, 'rating', 'agency feedback');
      await item.getByLabel('Trả lời người gửi').fill(ANSWER_TEXT);
      res = await navigating(page, () => item.getByRole('button', { name: 'Gửi trả lời' }).click());
      assert.equal(res.status(), 200);
      await page.locator('.success').waitFor();
      await checkNoViolations(page, 'rating', 'agency feedback answered');
    } finally {
      await desk.context.close();
    }
    const { context, page } = await signedIn(CITIZEN_ID, PHONE);
    try {
      const res = await navigating(page, () => page.getByRole('link', { name: 'Phản ánh của tôi', exact: true }).click());
      assert.equal(res.status(), 200);
      const item = page.locator('li', { hasText: FEEDBACK_TEXT });
      await item.waitFor();
      assert.ok((await item.textContent()).includes(ANSWER_TEXT), 'the answer is shown');
      await checkNoViolations(page, 'rating', 'my feedback answered');
      // She says the answer satisfied her (the 766 satisfaction with feedback handling), once.
      const rated = await navigating(page, () => item.getByRole('button', { name: 'Hài lòng', exact: true }).click());
      assert.equal(rated.status(), 200);
      const after = page.locator('li', { hasText: FEEDBACK_TEXT });
      assert.ok((await after.textContent()).includes('Hài lòng với câu trả lời'));
      assert.equal(await after.getByRole('button', { name: 'Hài lòng', exact: true }).count(), 0);
      await checkNoViolations(page, 'rating', 'my feedback rated');
    } finally {
      await context.close();
    }
  });

  it("anyone opens the receipt's QR address and sees progress only", async () => {
    let statusURL;
    const citizen = await signedIn(CITIZEN_ID, PHONE);
    try {
      const { page } = citizen;
      const res = await page.goto(`/dossiers/${dossier.id}/receipt`);
      assert.equal(res.status(), 200);
      const qr = page.getByRole('img', { name: new RegExp(`Mã QR tra cứu hồ sơ ${dossier.code.replaceAll('.', '\\.')}`) });
      await qr.waitFor();
      statusURL = (await qr.getAttribute('aria-label')).split(': ').pop();
      assert.equal(statusURL, `${app.baseURL}/status?code=${dossier.code}`);
      assert.equal(await page.getByRole('link', { name: statusURL }).getAttribute('href'), statusURL);
      await checkNoViolations(page, 'rating', 'receipt with QR');
    } finally {
      await citizen.context.close();
    }
    const { context, page } = await signedIn(null, PHONE);
    try {
      const res = await page.goto(statusURL);
      assert.equal(res.status(), 200);
      await page.getByRole('heading', { level: 2, name: `Hồ sơ ${dossier.code}` }).waitFor();
      assert.equal((await page.locator('dl.summary .tag').first().textContent()).trim(), 'Đã trả kết quả');
      const html = await page.content();
      for (const secret of [CITIZEN_NAME, CITIZEN_ID, CHILD_NAME, FEEDBACK_TEXT, 'Đủ điều kiện']) {
        assert.ok(!html.includes(secret), `the public status page must not contain "${secret}"`);
      }
      await checkNoViolations(page, 'rating', 'status by QR');
    } finally {
      await context.close();
    }
  });

  it('the leader corrects the returned result and the check shows the old one revoked', async () => {
    const desk = await signedIn(LEADER, DESKTOP);
    try {
      const { page } = desk;
      let res = await page.goto(`/dossiers/${dossier.id}`);
      assert.equal(res.status(), 200);
      const form = page.locator('form', { hasText: 'Đính chính kết quả' });
      await form.getByLabel('Lý do đính chính').waitFor();
      await checkNoViolations(page, 'rating', 'leader correction form');

      await form.getByLabel('Lý do đính chính').fill(CORRECTION_REASON);
      const corrected = Buffer.concat([tinyPdf(), Buffer.from('% dinh chinh\n', 'latin1')]);
      await form.getByLabel(/Tệp kết quả đính chính/).setInputFiles({
        name: 'trich-luc-dinh-chinh.pdf',
        mimeType: 'application/pdf',
        buffer: corrected,
      });
      res = await navigating(page, () => form.getByRole('button', { name: 'Đính chính kết quả' }).click());
      assert.equal(res.status(), 200);
      await page.locator('.success', { hasText: 'kết quả cũ đã bị thu hồi' }).waitFor();
      await page.getByText(/Đã thu hồi lúc/).waitFor();
      assert.ok((await page.locator('.timeline').textContent()).includes(CORRECTION_REASON));
      await checkNoViolations(page, 'rating', 'result corrected');
    } finally {
      await desk.context.close();
    }
    const { context, page } = await signedIn(null, PHONE);
    try {
      const res = await page.goto(`/verify/${dossier.code}`);
      assert.equal(res.status(), 200);
      const tags = await page.locator('ul.results .tag').allTextContents();
      assert.deepEqual(
        tags.map((t) => t.trim()),
        ['Đã bị thu hồi, thay bằng bản đính chính', 'Hợp lệ: đúng kết quả do cơ quan ký, chưa bị thay đổi'],
      );
      await checkNoViolations(page, 'rating', 'verify after correction');
    } finally {
      await context.close();
    }
  });
});
