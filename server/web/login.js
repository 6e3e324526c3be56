'use strict';
// Login page: POST /api/v1/login, then the desk for the role.
document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('login-form');
  const err = document.getElementById('login-error');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    const body = JSON.stringify({
      user: document.getElementById('user').value.trim(),
      password: document.getElementById('password').value,
    });
    let res;
    try {
      res = await fetch('/api/v1/login', {
        method: 'POST', headers: {'Content-Type': 'application/json'}, body,
        credentials: 'same-origin',
      });
    } catch (e) {
      err.textContent = T('error.network');
      err.hidden = false;
      return;
    }
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      err.textContent = (data.error && data.error.message) || T('login.failed');
      err.hidden = false;
      return;
    }
    window.location.href = data.role === 'agent' ? '/agente' : '/supervisor';
  });
});
