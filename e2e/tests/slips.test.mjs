// Slips as PDF, seen as a person sees them: the dossiers are driven through the JSON API
// (received then an apology; a supplement request; a refusal), the citizen's dossier page lists
// the slips and passes axe, and each slip PDF is drawn by pdf.js into a canvas and saved as a
// picture (screenshots/slips-*.png) to look at; its text must hold the Vietnamese title (NFC)
// and the dossier code. pdf.js is served to the page from node_modules (no network).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRequire } from 'node:module';
import {
  SCREENSHOT_DIR,
  apiLogin,
  checkNoViolations,
  launchBrowser,
  signIn,
  startApp,
  tinyPdf,
} from './helpers.mjs';

const require = createRequire(import.meta.url);
const PDFJS_DIR = join(require.resolve('pdfjs-dist/package.json'), '..', 'legacy', 'build');
const CITIZEN = '019195012345';
const INTAKE = 'tiepnhan.ubnd5443';

const TITLES = {
  receipt: 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả',
  supplement: 'Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ',
  refusal: 'Phiếu từ chối tiếp nhận giải quyết hồ sơ',
  apology: 'Phiếu xin lỗi và hẹn lại ngày trả kết quả',
  control: 'Phiếu kiểm soát quá trình giải quyết hồ sơ',
};

/** A birth registration filed by the demo citizen; resolves to { id, code }. */
async function filed(citizen) {
  const { body: procedure } = await citizen.call('GET', '/api/v1/procedures/HT-01');
  const agency = procedure.agencies.find((a) => a.name.includes('Phan Đình Phùng'));
  const form = {
    child_full_name: 'Nguyễn Minh Khôi',
    child_birth_date: '2026-02-03',
    child_sex: 'Nam',
    child_birth_place: 'Bệnh viện Đa khoa Trung ương Thái Nguyên',
    child_ethnicity: 'Kinh',
    mother_personal_id: CITIZEN,
    relationship: 'Mẹ',
  };
  const created = await citizen.call('POST', '/api/v1/dossiers', { procedure_code: 'HT-01', agency_id: agency.id, form });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id;
  const upload = new FormData();
  upload.append('component_index', '2');
  upload.append('file', new Blob([tinyPdf()], { type: 'application/pdf' }), 'giay-chung-sinh.pdf');
  assert.equal((await citizen.call('POST', `/api/v1/dossiers/${id}/attachments`, upload)).status, 201);
  const submitted = await citizen.call('POST', `/api/v1/dossiers/${id}/actions`, { action: 'submit' });
  assert.equal(submitted.status, 200, JSON.stringify(submitted.body));
  return { id, code: submitted.body.code };
}

async function act(officer, id, body) {
  const res = await officer.call('POST', `/api/v1/dossiers/${id}/actions`, body);
  assert.equal(res.status, 200, `${body.action}: ${JSON.stringify(res.body)}`);
}

/**
 * Fetches `url` in the page (with its session), draws page 1 with pdf.js into a canvas that
 * replaces the page's content, and answers the response's type and the PDF's text.
 */
async function drawPdf(page, url) {
  return page.evaluate(async (pdfUrl) => {
    const pdfjs = await import('/__pdfjs/pdf.mjs');
    pdfjs.GlobalWorkerOptions.workerSrc = '/__pdfjs/pdf.worker.mjs';
    const res = await fetch(pdfUrl);
    const type = res.headers.get('content-type');
    const disposition = res.headers.get('content-disposition');
    const data = new Uint8Array(await res.arrayBuffer());
    const doc = await pdfjs.getDocument({ data, disableFontFace: false, isEvalSupported: false }).promise;
    const first = await doc.getPage(1);
    const viewport = first.getViewport({ scale: 2 });
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(viewport.width);
    canvas.height = Math.ceil(viewport.height);
    canvas.style.border = '1px solid #999';
    document.body.replaceChildren(canvas);
    await first.render({ canvas, canvasContext: canvas.getContext('2d'), viewport }).promise;
    const parts = [];
    for (let n = 1; n <= doc.numPages; n += 1) {
      const content = await (await doc.getPage(n)).getTextContent();
      parts.push(content.items.map((item) => item.str).join(' '));
    }
    const size = [viewport.width / 2, viewport.height / 2];
    return { type, disposition, status: res.status, pages: doc.numPages, size, text: parts.join(' ') };
  }, url);
}

describe('slips as PDF', () => {
  let app;
  let browser;
  const dossiers = {};

  before(async () => {
    app = await startApp();
    browser = await launchBrowser();
    const citizen = await apiLogin(app.baseURL, CITIZEN);
    const intake = await apiLogin(app.baseURL, INTAKE);
    dossiers.received = await filed(citizen);
    await act(intake, dossiers.received.id, { action: 'receive' });
    await act(intake, dossiers.received.id, {
      action: 'apologize',
      reason: 'Cần xác minh thêm thông tin nơi cư trú của người mẹ với Công an phường',
      new_due_date: '2099-01-05',
    });
    dossiers.supplement = await filed(citizen);
    await act(intake, dossiers.supplement.id, {
      action: 'request_supplement',
      reason: '- Bản sao giấy chứng nhận kết hôn của cha mẹ (nếu có)\n- Tờ khai đăng ký khai sinh có chữ ký của người đi đăng ký',
    });
    dossiers.refused = await filed(citizen);
    await act(intake, dossiers.refused.id, {
      action: 'refuse',
      reason: 'Trẻ sinh ra tại địa bàn khác; hồ sơ không thuộc thẩm quyền giải quyết của phường.',
    });
  });

  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('lists the slips that apply on the dossier page and draws each PDF with Vietnamese text', async () => {
    const { context, page } = await signIn(browser, app.baseURL, CITIZEN, { viewport: { width: 1000, height: 1400 } });
    await context.route('**/__pdfjs/*', (route) => {
      const file = new URL(route.request().url()).pathname.split('/').pop();
      route.fulfill({ body: readFileSync(join(PDFJS_DIR, file)), contentType: 'text/javascript' });
    });
    const { id, code } = dossiers.received;
    await page.goto(`/dossiers/${id}`);
    const links = page.getByRole('region', { name: 'Phiếu, giấy tờ để in (PDF)' }).getByRole('link');
    const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.deepEqual(hrefs, ['receipt', 'apology', 'control'].map((k) => `/dossiers/${id}/slips/${k}.pdf`));
    await checkNoViolations(page, 'slips', 'dossier-page-links');

    const cases = [
      ['receipt', dossiers.received],
      ['apology', dossiers.received],
      ['control', dossiers.received],
      ['supplement', dossiers.supplement],
      ['refusal', dossiers.refused],
    ];
    for (const [kind, d] of cases) {
      const shown = await drawPdf(page, `/dossiers/${d.id}/slips/${kind}.pdf`);
      assert.equal(shown.status, 200, kind);
      assert.equal(shown.type, 'application/pdf', kind);
      assert.equal(shown.disposition, `inline; filename="${d.code}-${kind}.pdf"`);
      assert.deepEqual(shown.size.map(Math.round), [420, 595], `${kind}: A5 portrait`);
      await page.locator('canvas').screenshot({ path: join(SCREENSHOT_DIR, `slips-${kind}.png`) });
      const text = shown.text.replace(/\s+/g, ' ');
      assert.equal(text, text.normalize('NFC'), `${kind}: text is NFC`);
      const title = TITLES[kind].normalize('NFC').toLocaleUpperCase('vi');
      assert.ok(text.includes(title), `${kind}: "${title}" not in: ${text}`);
      assert.ok(text.includes(d.code), `${kind}: code ${d.code} not in: ${text}`);
      assert.ok(text.includes('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'), `${kind}: national header`);
    }
    // A slip for an act that never happened is not there.
    const missing = await page.goto(`/dossiers/${dossiers.refused.id}/slips/receipt.pdf`);
    assert.equal(missing.status(), 404);
    await context.close();
  });
});
