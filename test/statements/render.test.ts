// The worker's side on hand-made batches: formats per locale, hostile data, accounts that cannot
// get a statement.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Statement } from '../../schemas/statement.js';
import type { StatementLocale } from '../../schemas/utility.js';
import { processBatch } from '../../src/statements/batch.js';
import { statementPath } from '../../src/statements/layout.js';
import {
  decimalTimes100, formatAmount, formatMilli, formatMilliFixed, formatMoney, formatPercent, LABELS,
} from '../../src/statements/locale.js';
import { FILE_OUTCOME, type StatementTask } from '../../src/statements/protocol.js';
import { displayWidth } from '../../src/statements/render-text.js';
import { tempDir } from '../helpers.js';

const utility = {
  name: { en: 'Hostile <Power> & "Light"', 'zh-CN': '电力<公司>' },
  address: ['1 Main St'],
  phone: '123',
  payment: { due_days: 10, instructions: 'Pay <b>now</b>' },
};

/** A batch with one account per id, all with the same small bill and an estimated closing read. */
function task(root: string, locale: StatementLocale, ids: string[], names: string[], currency = 'CNY'): StatementTask {
  const n = ids.length;
  const fill = (v: number) => Float64Array.from({ length: n }, () => v);
  const day = (iso: string) => Date.parse(iso) / 86_400_000;
  return {
    batchNo: 0,
    settings: {
      period: '2025-07', root, formats: ['html', 'txt', 'json'], locale, utility, shardDigits: 1, fresh: false,
      charges: [{ key: 7, component: 'energy', label: 'Tier 1 <0–260 kWh>', unit: 'kWh', rate: '0.58886875' }],
      contexts: [{ key: 9, tariffId: 'GD-RES', tariffName: 'Tiered & "fair"', versions: '2012-07', currency }],
    },
    accounts: {
      rowCount: n,
      columns: {
        ordinal: Int32Array.from({ length: n }, (_, i) => i), account_id: ids, name: names, address: names.map((x) => `${x} road`),
        region: ids.map(() => 'R01'), class_code: new Uint8Array(n), bill_version: Int32Array.from({ length: n }, () => 1),
        status_code: new Uint8Array(n), context_key: fill(9), start_date: Int32Array.from({ length: n }, () => day('2025-06-15')),
        end_date: Int32Array.from({ length: n }, () => day('2025-07-15')), days: Int32Array.from({ length: n }, () => 30),
        kwh: fill(100_000), kwh_sharp: fill(NaN), kwh_peak: fill(NaN), kwh_flat: fill(NaN), kwh_valley: fill(NaN), demand: fill(NaN),
        kvarh: fill(NaN), amount: fill(5889), tax_included: fill(678), read_flags: new Int32Array(n), replaces_version: new Int32Array(n),
        replaced_amount: fill(0), interval_minutes: Int32Array.from({ length: n }, () => -1), intervals_actual: Int32Array.from({ length: n }, () => -1),
        intervals_estimated: Int32Array.from({ length: n }, () => -1), intervals_missing: Int32Array.from({ length: n }, () => -1),
      },
    },
    lines: {
      rowCount: n,
      columns: { ordinal: Int32Array.from({ length: n }, (_, i) => i), charge_key: fill(7), quantity: fill(100_000), amount: fill(5889) },
    },
    reads: {
      rowCount: n,
      columns: {
        ordinal: Int32Array.from({ length: n }, (_, i) => i), meter_id: ids.map((id) => `M-${id}\u001b[31m`), removed: new Uint8Array(n),
        removed_on: new Int32Array(n), register_code: new Uint8Array(n), open_value: fill(1_000_000), open_date: Int32Array.from({ length: n }, () => day('2025-06-15')),
        open_type: new Uint8Array(n), close_value: fill(1_100_000), close_date: Int32Array.from({ length: n }, () => day('2025-07-15')),
        close_type: Uint8Array.from({ length: n }, () => 1), advance: fill(100_000), quantity: fill(100_000), multiplier: fill(1),
      },
    },
    history: { rowCount: 0, columns: { ordinal: new Int32Array(0), back: new Uint8Array(0), days: new Int32Array(0), kwh: new Float64Array(0), amount: new Float64Array(0) } },
  };
}

describe('statement rendering', () => {
  it('escapes every string from data in HTML and strips control characters from text', () => {
    const root = tempDir();
    const hostile = '<script>alert("x")</script> & \'co\'';
    const result = processBatch(task(root, 'en', ['A1'], [hostile]));
    expect(result.rejects).toEqual([]);
    const html = readFileSync(join(root, statementPath('A1', 'R01', 1, false, 'html')), 'utf8');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;');
    for (const raw of ['<Power>', '<0–260 kWh>', '"fair"', '<b>now</b>']) expect(html).not.toContain(raw);
    expect(html).toContain('Tier 1 &lt;0–260 kWh&gt;');
    expect(html).not.toMatch(/<(?!\/?(html|head|meta|title|style|body|main|header|div|h[1-3]|p|span|b|br|small|dl|dt|dd|section|table|thead|tbody|tfoot|tr|th|td|svg|line|g|rect|text|footer)\b|!DOCTYPE)/);
    const text = readFileSync(join(root, statementPath('A1', 'R01', 1, false, 'txt')), 'utf8');
    expect(text).not.toContain('\u001b');
    expect(text).toContain('M-A1 [31m');
    // The estimated closing read (close_type 1) is stated.
    expect(text).toContain('estimated');
  });

  it('rejects accounts whose id cannot name a file or whose currency is unknown, and writes nothing for them', () => {
    const root = tempDir();
    const bad = processBatch(task(root, 'en', ['../evil', 'OK-1'], ['x', 'y']));
    expect(bad.rejects).toEqual([{ row: 0, reason: expect.stringMatching(/cannot name a file/) }]);
    expect([...bad.fileOutcome]).toEqual([0, 0, 0, FILE_OUTCOME.written, FILE_OUTCOME.written, FILE_OUTCOME.written]);
    expect(readdirSync(root)).toEqual(['R01']);
    expect(existsSync(join(root, '..', 'evil.html'))).toBe(false);
    const currency = processBatch(task(tempDir(), 'en', ['OK-2'], ['y'], 'XXX'));
    expect(currency.rejects).toEqual([{ row: 0, reason: 'unknown currency XXX' }]);
  });

  it('writes JSON that parses with the published schema, in either locale', () => {
    for (const locale of ['en', 'zh-CN'] as const) {
      const root = tempDir();
      processBatch(task(root, locale, ['J1'], ['陈']));
      const statement = Statement.parse(JSON.parse(readFileSync(join(root, statementPath('J1', 'R01', 1, false, 'json')), 'utf8')));
      expect(statement).toMatchObject({ locale, bill: { dueDate: '2025-07-25', amountMinor: 5889 }, comparison: { previousMonth: null } });
      expect(statement.utility.name).toBe(locale === 'en' ? 'Hostile <Power> & "Light"' : '电力<公司>');
    }
  });
});

describe('locale formats', () => {
  it('writes money, dates and quantities the way each locale reads them', () => {
    expect(formatMoney(45921, 'CNY')).toBe('¥459.21');
    expect(formatMoney(-5, 'CNY')).toBe('-¥0.05');
    expect(formatMoney(123456789, 'USD')).toBe('$1,234,567.89');
    expect(formatMoney(1234, 'JPY')).toBe('¥1,234');
    expect(formatMoney(1234, 'CHF')).toBe('CHF 12.34');
    expect(formatAmount(100, 'KWD')).toBe('0.100');
    expect(LABELS.en.date('2025-07-15')).toBe('Jul 15, 2025');
    expect(LABELS['zh-CN'].date('2025-07-15')).toBe('2025年7月15日');
    expect(LABELS['zh-CN'].currencyUnit('CNY')).toBe('元');
    expect(LABELS['zh-CN'].monthLong('2025-07')).toBe('2025年7月');
    expect(formatMilli(700_000)).toBe('700');
    expect(formatMilli(1_234_567)).toBe('1,234.567');
    expect(formatMilli(12_345, 1)).toBe('12.3');
    expect(formatMilli(-400)).toBe('-0.4');
    expect(formatMilliFixed(23_333, 2)).toBe('23.33');
    expect(formatMilliFixed(5, 2)).toBe('0.01');
    expect(formatMilliFixed(1_234_500, 3, false)).toBe('1234.500');
    expect(formatPercent(12.34)).toBe('+12.3%');
    expect(formatPercent(-4)).toBe('−4.0%');
    expect(formatPercent(0.01)).toBe('0.0%');
    expect(decimalTimes100('-0.0075')).toBe('-0.75');
    expect(decimalTimes100('0.13')).toBe('13');
    expect(decimalTimes100('1.5')).toBe('150');
    expect(decimalTimes100('0')).toBe('0');
    expect(displayWidth('电费 kWh')).toBe(8);
  });
});
