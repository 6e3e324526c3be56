'use strict';
// Supervisor console: campaigns (start/pause), import with funnel and rejects, live wallboard
// over WebSocket, SMS composer with live estimate, downloads.
async function loadCampaigns() {
  const list = (await App.api('GET', '/campaigns')).campaigns;
  const body = document.querySelector('#campaigns tbody');
  body.replaceChildren();
  for (const c of list) {
    const tr = App.el('tr');
    tr.appendChild(App.el('td', {}, c.id));
    tr.appendChild(App.el('td', {}, c.name));
    tr.appendChild(App.el('td', {class: 'state'}, c.state));
    const td = App.el('td');
    const start = App.el('button', {'data-action': 'start', 'data-id': c.id}, T('sup.start'));
    const pause = App.el('button', {'data-action': 'pause', 'data-id': c.id}, T('sup.pause'));
    start.disabled = c.state === 'running' || c.state === 'finished';
    pause.disabled = c.state !== 'running';
    for (const b of [start, pause]) {
      b.addEventListener('click', async () => {
        try { await App.api('POST', '/campaigns/' + encodeURIComponent(c.id) + '/' + b.dataset.action, {}); }
        catch (e) { App.toast(e.message); }
        loadCampaigns();
      });
      td.appendChild(b);
    }
    tr.appendChild(td);
    body.appendChild(tr);
  }
  for (const id of ['import-campaign', 'dl-campaign']) {
    const sel = document.getElementById(id);
    const keep = sel.value;
    sel.replaceChildren(...list.map((c) => App.el('option', {value: c.id}, c.name || c.id)));
    if (keep) sel.value = keep;
  }
  updateDownloads();
}

function updateDownloads() {
  const id = encodeURIComponent(document.getElementById('dl-campaign').value || '');
  const fmt = document.getElementById('dl-format').value;
  document.getElementById('dl-report').href = '/api/v1/campaigns/' + id + '/report?format=' + fmt;
  document.getElementById('dl-export').href = '/api/v1/campaigns/' + id + '/export?format=csv';
}

async function importBase() {
  const err = document.getElementById('import-error');
  err.textContent = '';
  const file = document.getElementById('import-file').files[0];
  const id = document.getElementById('import-campaign').value;
  if (!file || !id) return;
  try {
    const r = await App.api('POST', '/campaigns/' + encodeURIComponent(id) + '/import?filename=' +
      encodeURIComponent(file.name), await file.arrayBuffer(), {raw: true, contentType: 'application/octet-stream'});
    const f = r.funnel;
    const rows = [['BASE INICIAL', f.initial], ['RECHAZADOS', f.rejected], ['BASE DEPURADA', f.cleaned],
      ['DUPLICADOS', f.duplicates], ['SUPRIMIDOS', f.suppressed], ['REGISTROS A GESTIONAR', f.callable]];
    const body = document.querySelector('#funnel tbody');
    body.replaceChildren();
    for (const [k, v] of rows) {
      const tr = App.el('tr');
      tr.appendChild(App.el('td', {}, k));
      tr.appendChild(App.el('td', {}, String(v)));
      body.appendChild(tr);
    }
    const a = document.getElementById('rejects');
    a.href = r.rejects_url;
    a.hidden = f.rejected === 0;
  } catch (e) {
    err.textContent = e.message;
  }
}

function pct(x) { return x === null || x === undefined ? '—' : (100 * x).toFixed(1) + ' %'; }

const agents = {};
function renderWallboard(w) {
  document.getElementById('k-attempts').textContent = w.attempts_today;
  document.getElementById('k-contacts').textContent = w.contacts_today;
  document.getElementById('k-completes').textContent = w.completes_today;
  document.getElementById('k-ab-today').textContent = pct(w.abandon_rate_today);
  document.getElementById('k-ab-30').textContent = pct(w.abandon_rate_30d);
  document.getElementById('k-lines').textContent = w.lines_per_agent === null ? '—' : w.lines_per_agent.toFixed(2);
  document.getElementById('k-sms').textContent = w.sms_month ? w.sms_month.sent + ' / ' + w.sms_month.cap : '—';
  const ab = document.querySelector('#agents tbody');
  ab.replaceChildren();
  for (const a of w.agents) {
    const tr = App.el('tr');
    tr.appendChild(App.el('td', {}, a.user));
    const st = App.el('td');
    st.appendChild(App.el('span', {class: 'pill ' + a.state}, a.state + (a.reason ? ' · ' + a.reason : '')));
    tr.appendChild(st);
    tr.appendChild(App.el('td', {}, a.campaign || ''));
    tr.appendChild(App.el('td', {}, Math.floor(a.seconds / 60) + ' min'));
    ab.appendChild(tr);
  }
  const al = document.getElementById('alerts');
  if (al) {
    al.replaceChildren();
    for (const a of (w.alerts || []).slice(-5).reverse()) {
      al.appendChild(App.el('li', {}, a.at.slice(11, 16) + ' · ' + a.campaign + ': ' + a.message));
    }
    al.hidden = !(w.alerts && w.alerts.length);
  }
  const db = document.querySelector('#dispositions tbody');
  db.replaceChildren();
  for (const [code, n] of Object.entries(w.dispositions || {})) {
    const tr = App.el('tr');
    tr.appendChild(App.el('td', {}, code));
    tr.appendChild(App.el('td', {}, String(n)));
    db.appendChild(tr);
  }
}

let smsTimer = null;
function smsEstimate() {
  clearTimeout(smsTimer);
  smsTimer = setTimeout(async () => {
    const text = document.getElementById('sms-text').value;
    const recipients = parseInt(document.getElementById('sms-recipients').value || '0', 10) || 0;
    try {
      const r = await App.api('POST', '/sms/estimate', {text, recipients});
      document.getElementById('sms-estimate').textContent = r.text.encoding + ' · ' + r.text.units +
        ' · ' + r.text.segments + ' ' + T('sup.segments') + ' × ' + recipients + ' = ' + r.text.total_segments;
      const ng = document.getElementById('sms-nongsm');
      ng.replaceChildren();
      for (const c of r.text.non_gsm_chars) ng.appendChild(App.el('span', {class: 'nongsm'}, c));
      document.getElementById('sms-alt').textContent = r.alternative_text + ' (' + r.alternative.segments +
        ' ' + T('sup.segments') + ' × ' + recipients + ' = ' + r.alternative.total_segments + ')';
      document.getElementById('sms-use-alt').dataset.text = r.alternative_text;
    } catch (e) { /* shown on next keystroke */ }
  }, 150);
}

document.addEventListener('DOMContentLoaded', async () => {
  await App.init();
  await loadCampaigns();
  document.getElementById('import-btn').addEventListener('click', importBase);
  document.getElementById('dl-campaign').addEventListener('change', updateDownloads);
  document.getElementById('dl-format').addEventListener('change', updateDownloads);
  document.getElementById('sms-text').addEventListener('input', smsEstimate);
  document.getElementById('sms-recipients').addEventListener('input', smsEstimate);
  document.getElementById('sms-use-alt').addEventListener('click', (ev) => {
    document.getElementById('sms-text').value = ev.target.dataset.text || '';
    smsEstimate();
  });
  renderWallboard(await App.api('GET', '/wallboard'));
  App.socket((m) => {
    if (m.type === 'wallboard') renderWallboard(m);
    if (m.type === 'campaign') loadCampaigns();
    if (m.type === 'alert') App.toast(m.campaign + ': ' + m.message);
    if (m.type === 'result' || m.type === 'agent' || m.type === 'alert') {
      App.api('GET', '/wallboard').then(renderWallboard).catch(() => {});
    }
  });
});
