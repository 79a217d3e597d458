// The review report's script: filters and sorting for the ranked list, and opening an account.
// Plain browser JavaScript inlined into the report; it reads only the rows' data-* attributes.
/* global document, window, FormData */
(() => {
  const form = document.getElementById('filters');
  const tbody = document.querySelector('#queue-table tbody');
  const rows = Array.from(tbody.rows);
  const shown = document.getElementById('shown');
  const open = new Set(['held', 'escalated']);

  function matches(row, f) {
    const d = row.dataset;
    if (f.status === 'open' ? !open.has(d.status) : f.status && d.status !== f.status) return false;
    if (f.rule && !d.rules.split(' ').includes(f.rule)) return false;
    if (f.region && d.region !== f.region) return false;
    if (f.class && d.class !== f.class) return false;
    if (f.minScore !== '' && Number(d.score) < Number(f.minScore)) return false;
    const q = f.search.trim().toLowerCase();
    return !q || d.account.toLowerCase().includes(q) || d.name.toLowerCase().includes(q);
  }

  function filter() {
    const f = Object.fromEntries(new FormData(form));
    let n = 0;
    for (const row of rows) {
      row.hidden = !matches(row, f);
      if (!row.hidden) n++;
    }
    shown.textContent = `${n} of ${rows.length} accounts`;
  }

  function sort(button) {
    const th = button.closest('th');
    const key = button.dataset.sort;
    const numeric = button.dataset.kind === 'number';
    const direction = th.getAttribute('aria-sort') === 'descending' ? 'ascending' : 'descending';
    for (const other of document.querySelectorAll('#queue-table th[aria-sort]')) other.setAttribute('aria-sort', 'none');
    th.setAttribute('aria-sort', direction);
    const value = (row) => (numeric ? (row.dataset[key] === '' ? -Infinity : Number(row.dataset[key])) : row.dataset[key]);
    const sign = direction === 'ascending' ? 1 : -1;
    rows.sort((a, b) => {
      const x = value(a);
      const y = value(b);
      const order = numeric ? x - y : String(x).localeCompare(String(y));
      return order * sign || a.dataset.account.localeCompare(b.dataset.account);
    });
    tbody.append(...rows);
  }

  function select() {
    const id = decodeURIComponent(window.location.hash.replace(/^#acct-/, ''));
    for (const row of rows) row.classList.toggle('selected', row.dataset.account === id);
  }

  form.addEventListener('input', filter);
  form.addEventListener('change', filter);
  document.querySelector('#queue-table thead').addEventListener('click', (event) => {
    const button = event.target.closest('button[data-sort]');
    if (button) sort(button);
  });
  tbody.addEventListener('click', (event) => {
    const row = event.target.closest('tr');
    if (row && !event.target.closest('a')) window.location.hash = `acct-${row.dataset.account}`;
  });
  window.addEventListener('hashchange', select);
  filter();
  select();
})();
