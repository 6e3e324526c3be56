// End to end in headless Debian Chromium (playwright-core): a supervisor imports the example
// base and starts the campaign; an agent logs in, receives a contact, answers the survey,
// typifies and saves; the supervisor's wallboard shows the complete. Screenshots -> OUT dir.
// usage: node e2e.mjs URL OUT_DIR DOCUMENT_OF_ANY_CONTACT_FILE
import { chromium } from 'playwright-core';
import fs from 'node:fs';

const [url, out, base] = process.argv.slice(2);
const fail = (m) => { console.error('FAIL: ' + m); process.exitCode = 1; };
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let passed = 0;
const ok = () => { passed++; };
try {
  const sup = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
  sup.on('pageerror', (e) => fail('supervisor page error: ' + e.message));
  await sup.goto(url + '/');
  if ((await sup.getAttribute('html', 'lang')) === 'es') ok(); else fail('login page lang');
  await sup.fill('#user', 'sara');
  await sup.fill('#password', 'clave-sara-1');
  await sup.click('#login-btn');
  await sup.waitForURL('**/supervisor');
  await sup.selectOption('#import-campaign', 'demo');
  await sup.setInputFiles('#import-file', base);
  await sup.click('#import-btn');
  await sup.waitForSelector('#funnel tr:nth-child(6)');
  const funnel = await sup.textContent('#funnel');
  if (funnel.includes('REGISTROS A GESTIONAR')) ok(); else fail('funnel: ' + funnel);
  await sup.screenshot({ path: out + '/1-supervisor-import.png' });
  await sup.click('#campaigns button[data-action="start"][data-id="demo"]');
  await sup.waitForFunction(() => [...document.querySelectorAll('#campaigns td.state')].some((t) => t.textContent === 'running'));
  ok();

  const ag = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
  ag.on('pageerror', (e) => fail('agent page error: ' + e.message));
  await ag.goto(url + '/');
  await ag.fill('#user', 'ana');
  await ag.fill('#password', 'clave-ana-1');
  await ag.click('#login-btn');
  await ag.waitForURL('**/agente');
  await ag.waitForSelector('#campaign option[value="demo"]', { state: 'attached' });
  await ag.click('#btn-ready');
  await ag.waitForSelector('#contact:not([hidden])');
  const card = await ag.textContent('#contact');
  const docs = fs.readFileSync(out + '/documents.txt', 'utf8').split('\n').filter((d) => d.length > 5);
  if (docs.some((d) => card.includes(d))) fail('a document number is on the agent screen');
  else ok();
  if ((await ag.textContent('#c-phone')).startsWith('+57')) ok(); else fail('phone');
  // Answer every visible question (branching may reveal more), a few rounds.
  for (let round = 0; round < 6; round++) {
    await ag.evaluate(() => {
      for (const box of document.querySelectorAll('#survey .question:not(.hidden)')) {
        const names = new Set([...box.querySelectorAll('input[type=radio]')].map((i) => i.name));
        for (const n of names) {
          const group = [...box.querySelectorAll('input[type=radio]')].filter((i) => i.name === n);
          if (!group.some((i) => i.checked)) group[group.length > 1 ? group.length - 2 : 0].checked = true;
        }
        const cb = box.querySelector('input[type=checkbox]');
        if (cb && !box.querySelector('input[type=checkbox]:checked')) cb.checked = true;
        for (const t of box.querySelectorAll('textarea, input[type=text]')) if (!t.value) t.value = 'bien';
        for (const t of box.querySelectorAll('input[type=number]')) if (!t.value) t.value = t.min || '1';
        for (const t of box.querySelectorAll('input[type=date]')) if (!t.value) t.value = '2026-01-15';
      }
      document.querySelector('#survey').dispatchEvent(new Event('change'));
    });
  }
  await ag.screenshot({ path: out + '/2-agente-encuesta.png' });
  await ag.click('#dispositions button[data-code="ENCUESTA_EFECTIVA"]');
  await ag.fill('#notes', 'Encuesta completa');
  await ag.click('#btn-save');
  await ag.waitForSelector('.toast');
  const err = await ag.textContent('#save-error');
  if (err === '') ok(); else fail('save error: ' + err);
  await ag.screenshot({ path: out + '/3-agente-guardado.png' });

  await sup.waitForFunction(() => document.querySelector('#k-completes').textContent === '1', null, { timeout: 10000 });
  ok();
  await sup.screenshot({ path: out + '/4-supervisor-tablero.png' });
} catch (e) {
  fail(e.stack || String(e));
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${process.exitCode ? 1 : 0} failed`);
