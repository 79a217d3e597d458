// Wording and number, date and money formats of the statement locales. Formatting is done by
// hand rather than through Intl: it runs a dozen times per statement on the hot path, and the
// statements must not change when the ICU data of a Node release does.
import type { BillStatus, IntervalCounts } from '../../schemas/bill.js';
import type { CustomerClass, ReadType, Register } from '../../schemas/inputs.js';
import type { StatementLocale } from '../../schemas/utility.js';
import { groupDigits } from '../money/index.js';

// Amounts and percentages read the same on a statement, in an explanation and on a screen.
export { formatAmount, formatMoney, formatPercent, groupDigits } from '../money/index.js';

export interface Labels {
  locale: StatementLocale;
  htmlLang: string;
  title: string;
  draftBanner: string;
  /** A label's separator from its value. */
  colon: string;
  correction: (replacedAmount: string) => string;
  meterExchange: (date: string, removed: string, installed: string) => string;
  estimatedRead: string;
  /** A bill priced from interval data alone: how many intervals were measured and estimated. */
  intervalCounts: (c: IntervalCounts) => string;
  account: string;
  customer: string;
  serviceAddress: string;
  customerClass: string;
  classes: Record<CustomerClass, string>;
  tariff: string;
  billingPeriod: string;
  servicePeriod: (from: string, to: string, days: number) => string;
  amountDue: string;
  dueBy: (date: string) => string;
  usageTitle: string;
  chartTitle: string;
  comparison: { period: string; days: string; kwh: string; kwhPerDay: string; amount: (unit: string) => string; change: string; note: string };
  thisPeriod: string;
  previousMonth: string;
  sameMonthLastYear: string;
  noBill: string;
  whyChangedTitle: string;
  /** Below the box's amounts: the items are exact. */
  whyChangedNote: string;
  readsTitle: string;
  reads: { meter: string; register: string; previous: string; current: string; advance: string; multiplier: string; consumption: string };
  removedMeter: string;
  registers: Record<Register, string>;
  readTypes: Record<ReadType, string>;
  consumptionTitle: string;
  totalKwh: string;
  kwhPerDay: string;
  maxDemand: string;
  reactive: string;
  powerFactor: string;
  chargesTitle: string;
  charges: { item: string; quantity: string; rate: string; amount: (unit: string) => string };
  total: string;
  ofWhichTax: string;
  howToPay: string;
  contact: string;
  taxId: string;
  statusNote: Partial<Record<BillStatus, string>>;
  units: Record<string, string>;
  /** The currency as a unit word in column headers: 元 for CNY in Chinese. */
  currencyUnit: (currency: string) => string;
  /** An ISO date YYYY-MM-DD as the locale writes it. */
  date: (iso: string) => string;
  /** Short month for chart axes and comparison rows. */
  month: (period: string) => string;
  /** The billing month in full. */
  monthLong: (period: string) => string;
}

const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const EN_MONTHS_LONG = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October',
  'November', 'December'];

/** A date formatter that remembers: the statements of a run share a few dozen read dates. */
function remembered(format: (iso: string) => string): (iso: string) => string {
  const known = new Map<string, string>();
  return (iso) => {
    let text = known.get(iso);
    if (text === undefined) {
      text = format(iso);
      if (known.size < 100_000) known.set(iso, text);
    }
    return text;
  };
}

/** Year, month and day of an ISO date, without going through Date. */
function ymd(iso: string): [string, number, number] {
  return [iso.slice(0, 4), Number(iso.slice(5, 7)), Number(iso.slice(8, 10))];
}

const EN: Labels = {
  locale: 'en',
  htmlLang: 'en',
  title: 'Electricity statement',
  draftBanner: 'DRAFT: this bill is held for review and must not be sent',
  colon: ': ',
  correction: (amount) => `Corrected bill: this bill was checked and corrected before it was sent. It replaces an earlier calculation of ${amount}.`,
  meterExchange: (date, removed, installed) =>
    `Your meter was exchanged on ${date}: meter ${removed} was replaced by meter ${installed}. Both meters' reads are billed.`,
  estimatedRead: 'This bill uses an estimated read. Your next actual read corrects any difference.',
  account: 'Account',
  customer: 'Customer',
  serviceAddress: 'Service address',
  customerClass: 'Customer class',
  classes: { residential: 'Residential', commercial: 'Commercial', industrial: 'Industrial', agricultural: 'Agricultural' },
  tariff: 'Tariff',
  billingPeriod: 'Billing period',
  servicePeriod: (from, to, days) => `${from} to ${to} (${days} days)`,
  intervalCounts: (c) => `Billed from your smart meter's ${groupDigits(String(c.actual + c.estimated))} readings of ${c.intervalMinutes} minutes: `
    + `${groupDigits(String(c.actual))} measured, ${groupDigits(String(c.estimated))} estimated`
    + `${c.missing > 0 ? ` (${groupDigits(String(c.missing))} not received)` : ''}.`,
  amountDue: 'Amount due',
  dueBy: (date) => `due by ${date}`,
  usageTitle: 'Your usage',
  chartTitle: 'Average kWh per day, last 13 months',
  comparison: { period: 'Period', days: 'Days', kwh: 'kWh', kwhPerDay: 'kWh/day', amount: (u) => `Amount (${u})`, change: 'Change',
    note: "Change: this period's kWh per day against that period's." },
  thisPeriod: 'This period',
  previousMonth: 'Last month',
  sameMonthLastYear: 'Same month last year',
  noBill: 'no bill',
  whyChangedTitle: 'Why your bill changed',
  whyChangedNote: 'Each item is priced with your tariff; together they add up exactly to the change.',
  readsTitle: 'Meter reads',
  reads: {
    meter: 'Meter', register: 'Register', previous: 'Previous read', current: 'Current read', advance: 'Advance',
    multiplier: 'Multiplier', consumption: 'Consumption',
  },
  removedMeter: 'removed',
  registers: {
    total: 'Total', sharp: 'Critical peak', peak: 'Peak', flat: 'Flat', valley: 'Valley',
    demand_kw: 'Maximum demand', reactive_kvarh: 'Reactive energy',
  },
  readTypes: { actual: 'actual', estimated: 'estimated', customer: 'customer read' },
  consumptionTitle: 'Consumption',
  totalKwh: 'Total energy',
  kwhPerDay: 'Per day',
  maxDemand: 'Maximum demand',
  reactive: 'Reactive energy',
  powerFactor: 'Power factor',
  chargesTitle: 'Charges',
  charges: { item: 'Item', quantity: 'Quantity', rate: 'Rate', amount: (u) => `Amount (${u})` },
  total: 'Total',
  ofWhichTax: 'of which VAT',
  howToPay: 'How to pay',
  contact: 'Contact',
  taxId: 'Tax ID',
  statusNote: { released: 'Released after review.' },
  units: { kWh: 'kWh', kW: 'kW', kVA: 'kVA', kvarh: 'kvarh', day: 'days', month: 'month' },
  currencyUnit: (currency) => currency,
  date: remembered((iso) => {
    const [y, m, d] = ymd(iso);
    return `${EN_MONTHS[m - 1]} ${d}, ${y}`;
  }),
  month: (period) => `${EN_MONTHS[Number(period.slice(5, 7)) - 1]} ${period.slice(2, 4)}`,
  monthLong: (period) => `${EN_MONTHS_LONG[Number(period.slice(5, 7)) - 1]} ${period.slice(0, 4)}`,
};

const ZH_CURRENCY_UNITS: Record<string, string> = { CNY: '元', HKD: '港元', USD: '美元', EUR: '欧元', JPY: '日元', GBP: '英镑' };

const ZH: Labels = {
  locale: 'zh-CN',
  htmlLang: 'zh-CN',
  title: '电费账单',
  draftBanner: '草稿：本账单正在复核中，不得寄发',
  colon: '：',
  correction: (amount) => `更正账单：本账单在寄发前经复核更正，替代此前计算的金额 ${amount}。`,
  meterExchange: (date, removed, installed) => `您的电表已于${date}更换：旧表 ${removed}，新表 ${installed}。两块电表的电量均已计费。`,
  estimatedRead: '本期电量按估抄读数计算，差额将在下次实抄时结算。',
  account: '户号',
  customer: '户名',
  serviceAddress: '用电地址',
  customerClass: '用电类别',
  classes: { residential: '居民生活', commercial: '一般工商业', industrial: '大工业', agricultural: '农业生产' },
  tariff: '电价',
  billingPeriod: '账期',
  servicePeriod: (from, to, days) => `${from}至${to}（${days}天）`,
  intervalCounts: (c) => `按智能电表${c.intervalMinutes}分钟数据计费：共${c.actual + c.estimated}个时段，实测${c.actual}个，估算${c.estimated}个`
    + `${c.missing > 0 ? `（其中${c.missing}个未收到）` : ''}。`,
  amountDue: '应缴金额',
  dueBy: (date) => `缴费截止日：${date}`,
  usageTitle: '用电情况',
  chartTitle: '近13个月日均用电量（千瓦时）',
  comparison: { period: '账期', days: '天数', kwh: '电量', kwhPerDay: '日均电量', amount: (u) => `金额（${u}）`, change: '日均变化',
    note: '日均变化：本期日均电量与该期相比。' },
  thisPeriod: '本期',
  previousMonth: '上月',
  sameMonthLastYear: '去年同期',
  noBill: '无账单',
  whyChangedTitle: '账单变化原因',
  whyChangedNote: '各项均按您的电价计算，合计与变化金额完全一致。',
  readsTitle: '抄表读数',
  reads: {
    meter: '表号', register: '示数类型', previous: '上次读数', current: '本次读数', advance: '示数差',
    multiplier: '倍率', consumption: '电量',
  },
  removedMeter: '已拆除',
  registers: {
    total: '总', sharp: '尖峰', peak: '峰', flat: '平', valley: '谷', demand_kw: '最大需量', reactive_kvarh: '无功电量',
  },
  readTypes: { actual: '实抄', estimated: '估抄', customer: '自报' },
  consumptionTitle: '用电量',
  totalKwh: '总电量',
  kwhPerDay: '日均',
  maxDemand: '最大需量',
  reactive: '无功电量',
  powerFactor: '功率因数',
  chargesTitle: '费用明细',
  charges: { item: '项目', quantity: '数量', rate: '单价', amount: (u) => `金额（${u}）` },
  total: '合计',
  ofWhichTax: '其中增值税',
  howToPay: '缴费方式',
  contact: '联系方式',
  taxId: '纳税人识别号',
  statusNote: { released: '本账单已复核放行。' },
  units: { kWh: '千瓦时', kW: '千瓦', kVA: '千伏安', kvarh: '千乏时', day: '天', month: '月' },
  currencyUnit: (currency) => ZH_CURRENCY_UNITS[currency] ?? currency,
  date: remembered((iso) => {
    const [y, m, d] = ymd(iso);
    return `${y}年${m}月${d}日`;
  }),
  month: (period) => `${period.slice(2, 4)}年${Number(period.slice(5, 7))}月`,
  monthLong: (period) => `${period.slice(0, 4)}年${Number(period.slice(5, 7))}月`,
};

export const LABELS: Record<StatementLocale, Labels> = { en: EN, 'zh-CN': ZH };

/**
 * Thousandths as a decimal with at most `maxDecimals` digits, rounded half-up and grouped:
 * 700000 → "700", 1234567 → "1,234.567", (12345, 1) → "12.3".
 */
export function formatMilli(milli: number, maxDecimals = 3, group = true): string {
  if (milli % 1000 === 0) {
    const whole = String(milli < 0 ? -milli / 1000 : milli / 1000);
    return `${milli < 0 ? '-' : ''}${group ? groupDigits(whole) : whole}`;
  }
  const negative = milli < 0;
  let units = negative ? -milli : milli;
  const drop = 3 - maxDecimals;
  if (drop > 0) {
    const d = 10 ** drop;
    units = Math.floor((units + d / 2) / d);
  }
  const digits = String(units).padStart(maxDecimals + 1, '0');
  const whole = digits.slice(0, digits.length - maxDecimals);
  const fraction = digits.slice(digits.length - maxDecimals).replace(/0+$/, '');
  const text = `${group ? groupDigits(whole) : whole}${fraction ? `.${fraction}` : ''}`;
  return negative && (units !== 0) ? `-${text}` : text;
}

/** Thousandths with exactly `decimals` digits: (23333, 2) → "23.33". */
export function formatMilliFixed(milli: number, decimals: number, group = true): string {
  const negative = milli < 0;
  const d = 10 ** (3 - decimals);
  const units = Math.floor(((negative ? -milli : milli) + d / 2) / d);
  const digits = String(units).padStart(decimals + 1, '0');
  const integer = digits.slice(0, digits.length - decimals);
  const whole = group ? groupDigits(integer) : integer;
  const text = decimals > 0 ? `${whole}.${digits.slice(digits.length - decimals)}` : whole;
  return negative && units !== 0 ? `-${text}` : text;
}

/** An exact decimal text × 100, for multipliers shown as percentages: "-0.0075" → "-0.75". */
export function decimalTimes100(text: string): string {
  const negative = text.startsWith('-');
  const unsigned = negative ? text.slice(1) : text;
  const [whole = '0', fraction = ''] = unsigned.split('.');
  const padded = fraction.padEnd(2, '0');
  const shiftedWhole = `${whole}${padded.slice(0, 2)}`.replace(/^0+(?=\d)/, '');
  const rest = padded.slice(2).replace(/0+$/, '');
  const out = rest ? `${shiftedWhole}.${rest}` : shiftedWhole;
  return negative && out !== '0' ? `-${out}` : out;
}
