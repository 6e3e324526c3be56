'use strict';
// Agent desktop: Listo/Pausa, contact card, script, survey, dispositions with shortcuts,
// callback picker limited to the campaign windows, notes, "Guardar y siguiente".
const Desk = { offer: null, disposition: null, key: null };

function setPill(state, reason) {
  const p = document.getElementById('state-pill');
  p.className = 'pill ' + state;
  p.textContent = state + (reason ? ' · ' + reason : '');
}

async function setState(state) {
  const reason = state === 'pausa' ? document.getElementById('pause-reason').value : '';
  const campaign = document.getElementById('campaign').value;
  const r = await App.api('POST', '/agent/state', {state, reason, campaign});
  setPill(r.state, r.reason);
  if (state === 'listo' && !Desk.offer) nextContact();
}

function showOffer(o) {
  Desk.offer = o;
  Desk.disposition = null;
  Desk.key = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());
  const c = o.contact;
  document.getElementById('waiting').hidden = true;
  document.getElementById('contact').hidden = false;
  document.getElementById('c-name').textContent = c.name;
  document.getElementById('c-municipio').textContent = c.municipio + (c.departamento ? ' (' + c.departamento + ')' : '');
  document.getElementById('c-phone').textContent = c.phone;
  document.getElementById('btn-call').hidden = o.mode !== 'preview';
  const prev = document.getElementById('c-previous');
  prev.replaceChildren();
  if (!c.previous_attempts.length) prev.appendChild(App.el('li', {class: 'muted'}, T('agent.none')));
  for (const a of c.previous_attempts) {
    prev.appendChild(App.el('li', {}, a.at.slice(0, 16).replace('T', ' ') + ' · ' + a.disposition + (a.notes ? ' · ' + a.notes : '')));
  }
  document.getElementById('script').textContent = o.script || '';
  Survey.render(o.survey, o.fields, document.getElementById('survey'));
  const box = document.getElementById('dispositions');
  box.replaceChildren();
  for (const d of o.dispositions) {
    const b = App.el('button', {type: 'button', 'data-code': d.code});
    if (d.key) b.appendChild(App.el('kbd', {}, d.key));
    b.appendChild(document.createTextNode(d.label));
    b.addEventListener('click', () => chooseDisposition(d));
    box.appendChild(b);
  }
  document.getElementById('notes').value = '';
  document.getElementById('callback-box').hidden = true;
  document.getElementById('save-error').textContent = '';
  document.getElementById('btn-save').disabled = true;
  setPill('en_llamada', '');
}

function clearOffer() {
  Desk.offer = null;
  document.getElementById('contact').hidden = true;
  document.getElementById('waiting').hidden = false;
  document.getElementById('script').textContent = '';
  Survey.render(null, {}, document.getElementById('survey'));
  document.getElementById('dispositions').replaceChildren();
  document.getElementById('btn-save').disabled = true;
}

function chooseDisposition(d) {
  Desk.disposition = d;
  document.querySelectorAll('#dispositions button').forEach((b) => b.classList.toggle('active', b.dataset.code === d.code));
  const cb = document.getElementById('callback-box');
  cb.hidden = !d.callback;
  if (d.callback) {
    const w = Desk.offer.windows || {days: {}};
    const names = ['dom', 'lun', 'mar', 'mié', 'jue', 'vie', 'sáb'];
    const parts = [];
    for (let i = 0; i < 7; i++) {
      const ws = (w.days && w.days[String(i)]) || [];
      if (ws.length) parts.push(names[i] + ' ' + ws.map((x) => x[0] + '-' + x[1]).join(', '));
    }
    document.getElementById('callback-hint').textContent = parts.join(' · ') + ' (' + (w.zone || '') + ')';
    const now = new Date(Date.now() + 3600 * 1000);
    document.getElementById('callback').min = now.toISOString().slice(0, 16);
  }
  document.getElementById('btn-save').disabled = false;
}

// True when the local "YYYY-MM-DDTHH:MM" lies in one of the campaign's windows.
function inWindows(value) {
  const w = Desk.offer.windows;
  if (!w || !value) return false;
  const d = new Date(value + ':00');
  const ws = w.days[String(d.getDay())] || [];
  const hm = value.slice(11, 16);
  return ws.some((x) => hm >= x[0] && hm < x[1]);
}

async function save() {
  const err = document.getElementById('save-error');
  err.textContent = '';
  if (!Desk.offer) return;
  if (!Desk.disposition) { err.textContent = T('agent.choose_disposition'); return; }
  if (Desk.disposition.complete && Survey.missing().length) { err.textContent = T('agent.required'); return; }
  const body = {
    idempotency_key: Desk.key,
    disposition: Desk.disposition.code,
    answers: Survey.answers(),
    notes: document.getElementById('notes').value,
  };
  if (Desk.disposition.callback) {
    const v = document.getElementById('callback').value;
    if (!inWindows(v)) { err.textContent = document.getElementById('callback-hint').textContent; return; }
    body.callback_at = v;
  }
  const btn = document.getElementById('btn-save');
  btn.disabled = true;
  try {
    // Retries reuse the same idempotency key: a result is never saved twice.
    await App.api('POST', '/contacts/' + Desk.offer.contact.id + '/result', body);
    App.toast(T('agent.saved'));
    clearOffer();
    await nextContact();
  } catch (e) {
    err.textContent = e.message;
    btn.disabled = false;
  }
}

async function nextContact() {
  const campaign = document.getElementById('campaign').value;
  if (!campaign) return;
  try {
    const o = await App.api('POST', '/campaigns/' + encodeURIComponent(campaign) + '/next', {});
    if (o.contact) showOffer(o);
    else { clearOffer(); App.toast(T(o.waiting ? 'agent.waiting_call' : 'agent.no_contacts')); }
  } catch (e) {
    App.toast(e.message);
  }
}

document.addEventListener('DOMContentLoaded', async () => {
  await App.init();
  const list = await App.api('GET', '/campaigns');
  const sel = document.getElementById('campaign');
  for (const c of list.campaigns.filter((x) => x.state === 'running')) {
    sel.appendChild(App.el('option', {value: c.id}, c.name || c.id));
  }
  setPill(App.me.state || 'pausa', App.me.reason || '');
  document.getElementById('btn-ready').addEventListener('click', () => setState('listo'));
  document.getElementById('btn-pause').addEventListener('click', () => setState('pausa'));
  document.getElementById('btn-next').addEventListener('click', nextContact);
  document.getElementById('btn-save').addEventListener('click', save);
  document.getElementById('btn-call').addEventListener('click', () => {
    setPill('en_llamada', Desk.offer ? Desk.offer.contact.phone : '');
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'F2') { ev.preventDefault(); setState('listo'); return; }
    if (ev.key === 'F3') { ev.preventDefault(); setState('pausa'); return; }
    if (ev.key === 'Enter' && ev.ctrlKey) { ev.preventDefault(); save(); return; }
    const tag = (ev.target.tagName || '').toLowerCase();
    if (tag === 'textarea' || (tag === 'input' && ev.target.type !== 'radio' && ev.target.type !== 'checkbox')) return;
    if (Desk.offer && /^[1-9]$/.test(ev.key)) {
      const d = Desk.offer.dispositions.find((x) => x.key === ev.key);
      if (d) { ev.preventDefault(); chooseDisposition(d); }
    }
  });
  // Progressive/predictive: the call arrives pushed with its contact.
  App.socket((m) => {
    if (m.type === 'call' && m.offer) showOffer(m.offer);
    // Preview: the dialed number did not answer (busy, no answer...): on to the next one.
    if (m.type === 'call_failed' && Desk.offer && Desk.offer.call &&
        Desk.offer.call.attempt_id === m.attempt_id) {
      clearOffer();
      App.toast(T('agent.call_failed') + ' (' + m.disposition + ')');
      nextContact();
    }
    // The agent's phone did not answer the call (SIP): the call was lost, the agent paused.
    if (m.type === 'phone_failed') {
      if (Desk.offer && Desk.offer.call && Desk.offer.call.attempt_id === m.attempt_id) clearOffer();
      App.toast(T('agent.phone_failed'));
    }
    if (m.type === 'call_ended') App.toast(T('agent.call_ended'));
    if (m.type === 'agent' && m.user === App.me.user) setPill(m.state, m.reason);
  });
});
