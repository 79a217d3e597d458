// Keyboard-first triage for the review desk. Pages work without this script (links and forms);
// it adds the keys, and decisions from the queue without leaving it. Every text from the server
// is set with textContent, never as markup. Writes carry the CSRF token from the page's <meta>.
/* global document, location, fetch, FormData, HTMLElement, TextDecoder */
(() => {
  'use strict';
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
  const toast = document.getElementById('toast');
  const say = (text, error = false) => {
    if (!toast) return;
    toast.textContent = text;
    toast.className = error ? 'error' : '';
  };
  const post = async (url, body) => {
    const response = await fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, accept: 'application/json' },
      body: JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
    if (!response.ok) throw new Error(data.error ?? `HTTP ${response.status}`);
    return data;
  };
  const typing = (e) => e.target instanceof HTMLElement && /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName);

  // ---- the queue ----
  const table = document.getElementById('queue');
  if (table) {
    const rows = [...table.querySelectorAll('tbody tr[data-account]')];
    const bar = document.getElementById('decide');
    const what = document.getElementById('decide-what');
    const note = document.getElementById('decide-note');
    let at = 0;
    let pending = null;
    const select = (i) => {
      if (rows.length === 0) return;
      at = Math.max(0, Math.min(rows.length - 1, i));
      rows.forEach((r, j) => r.classList.toggle('current', j === at));
      rows[at].focus({ preventScroll: true });
      rows[at].scrollIntoView({ block: 'nearest' });
    };
    const row = () => rows[at];
    const setStatus = (r, status, claim) => {
      const badge = r.querySelector('.status');
      badge.textContent = status;
      badge.className = `status ${status}`;
      r.dataset.status = status;
      if (claim !== undefined) r.querySelector('.claim').textContent = claim;
      if (status !== 'held') r.classList.add('done');
    };
    const ACTIONS = { r: 'release', c: 'correct', d: 'dismiss', e: 'escalate', h: 'hold' };
    const ask = (action) => {
      const r = row();
      if (!r) return;
      pending = { action, row: r };
      what.textContent = `${action} ${r.dataset.account} (${r.dataset.period}):`;
      bar.hidden = false;
      note.value = '';
      note.focus();
    };
    const cancel = () => {
      pending = null;
      bar.hidden = true;
      row()?.focus();
    };
    bar.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!pending) return;
      const { action, row: r } = pending;
      if (!note.value.trim()) return say('a decision needs a note saying why', true);
      cancel();
      try {
        const record = await post('/api/decisions', { account: r.dataset.account, period: r.dataset.period, action, note: note.value });
        setStatus(r, record.toStatus, record.toStatus === 'held' ? record.reviewer : '');
        say(`${r.dataset.account}: ${record.action} (${record.fromStatus} → ${record.toStatus})`);
        select(rows.indexOf(r) + 1);
      } catch (error) {
        say(`${r.dataset.account}: ${error.message}`, true);
      }
    });
    note.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        cancel();
      }
    });
    document.addEventListener('keydown', async (e) => {
      if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      const r = row();
      if (e.key === 'j' || e.key === 'ArrowDown') select(at + 1);
      else if (e.key === 'k' || e.key === 'ArrowUp') select(at - 1);
      else if (e.key === 'Enter' && r) location.href = r.querySelector('a').href;
      else if (e.key === 'n') document.querySelector('a[rel="next"]')?.click();
      else if (e.key === 'p') document.querySelector('a[rel="prev"]')?.click();
      else if (e.key === 'a' && r) {
        try {
          const result = await post('/api/claims', { account: r.dataset.account, period: r.dataset.period });
          r.querySelector('.claim').textContent = result.user;
          say(`${r.dataset.account}: claimed`);
        } catch (error) {
          say(`${r.dataset.account}: ${error.message}`, true);
        }
      } else if (ACTIONS[e.key] && r) ask(ACTIONS[e.key]);
      else return;
      e.preventDefault();
    });
    select(0);
  }

  // ---- the account page: letter keys pick the action and go to the note ----
  const form = document.getElementById('decision-form');
  if (form) {
    const KEYS = { r: 'release', c: 'correct', d: 'dismiss', e: 'escalate', h: 'hold' };
    document.addEventListener('keydown', (e) => {
      if (typing(e) || e.ctrlKey || e.metaKey || e.altKey || !KEYS[e.key]) return;
      const radio = form.querySelector(`input[name="action"][value="${KEYS[e.key]}"]`);
      if (!radio) return;
      e.preventDefault();
      radio.checked = true;
      (KEYS[e.key] === 'correct' ? form.querySelector('textarea[name="reads"]') : form.querySelector('input[name="note"]')).focus();
    });
  }

  // ---- bill runs: follow the NDJSON progress ----
  const runForm = document.getElementById('run-form');
  if (runForm) {
    const log = document.getElementById('run-log');
    runForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      const data = Object.fromEntries(new FormData(runForm));
      delete data._csrf;
      log.textContent = '';
      const response = await fetch('/api/runs', {
        method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(data),
      });
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        log.textContent += decoder.decode(value, { stream: true });
      }
    });
  }
})();
