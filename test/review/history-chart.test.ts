import { describe, expect, it } from 'vitest';
import { svgBarChart, textBarChart } from '../../src/charts/index.js';
import { historyScaleMax } from '../../src/review/index.js';

describe('history charts beside an outlier', () => {
  const months = [10, 12, null, 8];

  it('cuts the scale only for a flagged value far above the usual months', () => {
    expect(historyScaleMax(months, 1000)).toBe(18);
    expect(historyScaleMax(months, 30)).toBeUndefined();
    expect(historyScaleMax([null, null], 1000)).toBeUndefined();
    expect(historyScaleMax(months, null)).toBeUndefined();
  });

  it('keeps the usual months readable and marks the cut bar', () => {
    const bars = [{ label: 'a', value: 9 }, { label: 'b', value: 1000, highlight: true }];
    expect(textBarChart(bars, { width: 10, scaleMax: 18 })).toEqual(['a █████      9.0', 'b █████████» 1000.0 ◀']);
    const svg = svgBarChart(bars, { title: 't', width: 200, height: 140, scaleMax: 18 });
    // Plot height 100: 9 of 18 is 50 high, the cut bar the full 100 with a break mark, its label the true value.
    expect(svg).toContain('height="50.0" fill="#8aa4c8"');
    expect(svg).toContain('height="100.0" fill="#d9534f"><title>b: 1000.0</title>');
    expect(svg).toContain('stroke="#fff"');
  });
});
