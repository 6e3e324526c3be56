'use strict';
// Renders a survey from its JSON (surveys::ToJsonString) with live branching (`when`,
// `end_if`, as in docs/surveys.md) and required-answer checks. Everything is text: no HTML
// from the survey or the base is ever interpreted.
const Survey = {
  def: null, fields: {}, form: null,
  fill(text) {
    return String(text || '').replace(/\{(\w+)\}/g, (m, k) => (k in Survey.fields ? Survey.fields[k] : m));
  },
  answers() {
    const a = {};
    if (!Survey.def) return a;
    for (const q of Survey.def.questions) {
      const box = Survey.form.querySelector(`[data-q="${CSS.escape(q.id)}"]`);
      if (!box || box.classList.contains('hidden')) continue;
      if (q.type === 'matrix') {
        const m = {};
        for (const it of q.items || []) {
          const c = box.querySelector(`input[name="${CSS.escape(q.id + '.' + it.id)}"]:checked`);
          if (c) m[it.id] = c.value;
        }
        if (Object.keys(m).length) a[q.id] = m;
      } else if (q.type === 'multi_choice') {
        const v = [...box.querySelectorAll('input:checked')].map((i) => i.value);
        if (v.length) a[q.id] = v;
      } else if ((q.options || []).length) {
        const c = box.querySelector('input:checked');
        if (c) a[q.id] = c.value;
      } else {
        const i = box.querySelector('input,textarea');
        if (i && i.value.trim() !== '') a[q.id] = i.value.trim();
      }
    }
    return a;
  },
  value(a, ref) {
    const [q, item] = ref.split('.');
    const v = a[q];
    if (v === undefined) return undefined;
    return item ? (v && typeof v === 'object' ? v[item] : undefined) : v;
  },
  cmp(v, op, want) {
    if (v === undefined) return false;
    if (Array.isArray(v)) return op === 'eq' ? v.includes(String(want)) : op === 'in' ? want.some((w) => v.includes(String(w))) : false;
    const nv = Number(v), nw = Number(want);
    const num = !isNaN(nv) && !isNaN(nw) && v !== '' && want !== '';
    switch (op) {
      case 'eq': return String(v) === String(want);
      case 'ne': return String(v) !== String(want);
      case 'in': return want.map(String).includes(String(v));
      case 'lt': case '<': return num && nv < nw;
      case 'le': case '<=': return num && nv <= nw;
      case 'gt': case '>': return num && nv > nw;
      case 'ge': case '>=': return num && nv >= nw;
    }
    return false;
  },
  holds(c, a) {
    if (c === null || c === undefined || c === true) return true;
    if (c === false) return false;
    if (Array.isArray(c)) return c.every((x) => Survey.holds(x, a));
    if (typeof c !== 'object') return Boolean(c);
    return Object.entries(c).every(([k, v]) => {
      if (k === 'and') return v.every((x) => Survey.holds(x, a));
      if (k === 'or') return v.some((x) => Survey.holds(x, a));
      if (k === 'not') return !Survey.holds(v, a);
      const got = Survey.value(a, k);
      if (Array.isArray(v)) return Survey.cmp(got, 'in', v);
      if (v && typeof v === 'object') return Object.entries(v).every(([op, w]) => Survey.cmp(got, op, w));
      return Survey.cmp(got, 'eq', v);
    });
  },
  // Shows the questions whose `when` holds, up to the first `end_if` that holds.
  refresh() {
    if (!Survey.def) return;
    let ended = false;
    for (const q of Survey.def.questions) {
      const box = Survey.form.querySelector(`[data-q="${CSS.escape(q.id)}"]`);
      const a = Survey.answers();
      const show = !ended && Survey.holds(q.when, a);
      box.classList.toggle('hidden', !show);
      if (show && q.end_if !== undefined && q.end_if !== null && Survey.value(a, q.id) !== undefined &&
          Survey.holds(q.end_if, a)) ended = true;
    }
  },
  // The ids of required visible questions left blank.
  missing() {
    const a = Survey.answers();
    const out = [];
    if (!Survey.def) return out;
    for (const q of Survey.def.questions) {
      const box = Survey.form.querySelector(`[data-q="${CSS.escape(q.id)}"]`);
      if (box.classList.contains('hidden') || !q.required) continue;
      const v = a[q.id];
      const blank = v === undefined || (q.type === 'matrix' && Object.keys(v).length < (q.items || []).length);
      box.querySelector('.req-msg').hidden = !blank;
      if (blank) out.push(q.id);
    }
    return out;
  },
  render(def, fields, form) {
    Survey.def = def; Survey.fields = fields || {}; Survey.form = form;
    form.replaceChildren();
    if (!def) return;
    for (const q of def.questions) {
      const box = App.el('div', {class: 'question', 'data-q': q.id});
      const t = App.el('div', {class: 'qtext'}, Survey.fill(q.text));
      if (q.required) t.appendChild(App.el('span', {class: 'req'}, ' *'));
      box.appendChild(t);
      if (q.help) box.appendChild(App.el('div', {class: 'muted'}, q.help));
      let opts = q.options || [];
      if (q.ns_nr) opts = opts.concat([{code: 'NS/NR', label: 'No sabe / No responde'}]);
      if (q.type === 'matrix') {
        const tbl = App.el('table', {class: 'matrix'});
        const head = App.el('tr');
        head.appendChild(App.el('th'));
        for (const o of opts) head.appendChild(App.el('th', {}, o.label));
        tbl.appendChild(head);
        for (const it of q.items || []) {
          const tr = App.el('tr');
          tr.appendChild(App.el('td', {}, it.label));
          for (const o of opts) {
            const td = App.el('td');
            td.appendChild(App.el('input', {type: 'radio', name: q.id + '.' + it.id, value: o.code, 'aria-label': it.label + ': ' + o.label}));
            tr.appendChild(td);
          }
          tbl.appendChild(tr);
        }
        box.appendChild(tbl);
      } else if (opts.length) {
        const wrap = App.el('div', {class: 'options'});
        for (const o of opts) {
          const l = App.el('label');
          l.appendChild(App.el('input', {type: q.type === 'multi_choice' ? 'checkbox' : 'radio', name: q.id, value: o.code}));
          l.appendChild(document.createTextNode(o.label));
          wrap.appendChild(l);
        }
        box.appendChild(wrap);
      } else if (q.type === 'text') {
        box.appendChild(App.el('textarea', {name: q.id, rows: '2', maxlength: String(q.max_length || 500)}));
      } else {
        box.appendChild(App.el('input', {name: q.id, type: q.type === 'numeric' ? 'number' : q.type === 'date' ? 'date' : 'text'}));
      }
      const msg = App.el('div', {class: 'error req-msg'}, T('agent.required'));
      msg.hidden = true;
      box.appendChild(msg);
      form.appendChild(box);
    }
    form.addEventListener('change', Survey.refresh);
    form.addEventListener('input', Survey.refresh);
    Survey.refresh();
  },
};
