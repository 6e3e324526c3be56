'use strict';
// Shared by the desktop and the console: the session (me + CSRF), JSON calls, the WebSocket.
const App = {
  me: null,
  async api(method, path, body, opts = {}) {
    const headers = {};
    if (method !== 'GET') headers['X-CSRF-Token'] = App.me ? App.me.csrf : '';
    if (body !== undefined && !opts.raw) headers['Content-Type'] = 'application/json';
    if (opts.contentType) headers['Content-Type'] = opts.contentType;
    const res = await fetch('/api/v1' + path, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : (opts.raw ? body : JSON.stringify(body)),
    });
    if (res.status === 401) { window.location.href = '/'; throw new Error('401'); }
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error((data.error && data.error.message) || ('HTTP ' + res.status));
    return data;
  },
  async init() {
    App.me = await App.api('GET', '/me');
    document.getElementById('who').textContent = App.me.user;
    document.getElementById('logout').addEventListener('click', async () => {
      await App.api('POST', '/logout', {}).catch(() => {});
      window.location.href = '/';
    });
    return App.me;
  },
  socket(onMessage) {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    let ws;
    const open = () => {
      ws = new WebSocket(proto + '//' + location.host + '/ws');
      ws.onmessage = (ev) => { try { onMessage(JSON.parse(ev.data)); } catch (e) { /* ignore */ } };
      ws.onclose = () => setTimeout(open, 2000);
    };
    open();
    setInterval(() => { if (ws && ws.readyState === 1) ws.send('ping'); }, 20000);
  },
  toast(text) {
    const t = document.createElement('div');
    t.className = 'toast';
    t.textContent = text;
    document.body.appendChild(t);
    setTimeout(() => t.remove(), 2500);
  },
  el(tag, attrs = {}, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  },
};
