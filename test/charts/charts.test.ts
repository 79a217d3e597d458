import { describe, expect, it } from 'vitest';
import { svgBarChart, textBarChart } from '../../src/charts/index.js';

describe('charts', () => {
  it('draws text bars scaled to the largest value, with gaps and the highlighted period marked', () => {
    const lines = textBarChart([
      { label: '2025-05', value: 10 },
      { label: '2025-06', value: null },
      { label: '2025-07', value: 5, highlight: true },
    ], { width: 8 });
    // 10 → 8 full blocks; 5 → 4 full blocks; the gap says so.
    expect(lines).toEqual([
      '2025-05 ████████ 10.0',
      '2025-06   (no bill)',
      '2025-07 ████     5.0 ◀',
    ]);
  });

  it('draws SVG bars with heights proportional to values and escapes labels', () => {
    const svg = svgBarChart([
      { label: '<b>', value: 4 },
      { label: 'now', value: 2, highlight: true },
    ], { title: 'kWh & day', width: 200, height: 140 });
    // Plot height = 140 − 18 − 22 = 100: the bars are 100 and 50 high.
    expect(svg).toContain('height="100.0" fill="#8aa4c8"');
    expect(svg).toContain('height="50.0" fill="#d9534f"');
    expect(svg).toContain('&lt;b&gt;');
    expect(svg).toContain('<title>kWh &amp; day</title>');
    expect(svg).not.toContain('<b>');
  });
});
