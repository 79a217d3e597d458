// The words of an explanation in each statement locale: a short label per cause (the statement's
// box, a CSV column), a sentence per cause with its numbers (the agent's script), and the short
// customer text. Numbers come from the causes' facts; amounts are formatted exactly from minor
// units. The tariff's own labels (tier names) stay as the tariff writes them, as on the bill.
import type { Cause, CauseKind, Comparison, Explanation, ExplanationText } from '../../schemas/explanation.js';
import type { WhyChanged } from '../../schemas/statement.js';
import type { CustomerClass } from '../../schemas/inputs.js';
import { STATEMENT_LOCALES, type StatementLocale } from '../../schemas/utility.js';
import { formatMoney, formatPercent, groupDigits } from '../money/index.js';

/** Change in money with its sign: "+¥12.30", "−¥4.00". */
function signed(amountMinor: number, currency: string): string {
  const money = formatMoney(Math.abs(amountMinor), currency);
  return amountMinor < 0 ? `−${money}` : `+${money}`;
}

/** Wh per day as kWh per day with one decimal. */
function kwhPerDay(wh: number | undefined): string {
  return ((wh ?? 0) / 1000).toFixed(1);
}

/** Wh as whole kWh, grouped. */
function kwh(milli: number | undefined): string {
  const whole = Math.round(Math.abs(milli ?? 0) / 1000);
  return groupDigits(String(whole));
}

interface Wording {
  labels: Record<CauseKind, string>;
  classes: Record<CustomerClass, string>;
  against: Record<Comparison, string>;
  month: (period: string) => string;
  sentence: (cause: Cause, money: string, e: Explanation) => string;
  agentOpening: (e: Explanation, change: string) => string;
  agentClosing: (total: string) => string;
  customerOpening: (e: Explanation, change: string) => string;
  customerCause: (cause: Cause, money: string) => string;
  join: (parts: string[]) => string;
  moreCauses: string;
}

const EN_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const EN: Wording = {
  labels: {
    days: 'Days in the period',
    weather: 'Weather and season in your area',
    usage: 'Your own usage',
    estimate: 'Estimated reading',
    catch_up: 'Catch-up after estimated readings',
    meter_exchange: 'Usage across your meter exchange',
    tier: 'Tier boundary crossed',
    season: 'Seasonal prices',
    price_version: 'New prices',
    correction: 'Reading corrected',
    other: 'Other',
  },
  classes: { residential: 'residential', commercial: 'commercial', industrial: 'industrial', agricultural: 'agricultural' },
  against: { last_month: 'last month', last_year: 'the same month last year' },
  month: (period) => `${EN_MONTHS[Number(period.slice(5, 7)) - 1]} ${period.slice(0, 4)}`,
  sentence: (c, money, e) => {
    const f = c.facts;
    switch (c.kind) {
      case 'days':
        return `The period has ${f.toDays} days against ${f.fromDays}: ${money}.`;
      case 'weather':
        return `${cap(EN.classes[e.customerClass])} customers in ${e.region} used ${Math.abs(f.peerChangePercent ?? 0).toFixed(1)}% ` +
          `${(f.peerChangePercent ?? 0) >= 0 ? 'more' : 'less'} per day than ${EN.against[e.against]} (weather and season): ${money}.`;
      case 'usage':
        return `${peersMoved(e) ? 'Beyond what the peers did, the' : 'The'} customer's own usage went from ${kwhPerDay(f.fromWhPerDay)} ` +
          `to ${kwhPerDay(f.toWhPerDay)} kWh a day: ${money}.`;
      case 'estimate':
        return `This bill uses an estimated reading (${kwhPerDay(f.toWhPerDay)} kWh a day against ${kwhPerDay(f.fromWhPerDay)}); ` +
          `the next actual reading settles any difference: ${money}.`;
      case 'catch_up':
        return `An actual reading followed ${f.estimatedBills} estimated bill${f.estimatedBills === 1 ? '' : 's'}; ` +
          `${kwh(f.kwhMilli)} kWh the estimates ${(f.kwhMilli ?? 0) >= 0 ? 'did not bill are billed now' : 'billed too much are credited now'}: ${money}.`;
      case 'meter_exchange':
        return `The meter was exchanged${f.date ? ` on ${f.date}` : ''}; the old meter's final reading and the new meter's reading together ` +
          `give ${kwhPerDay(f.toWhPerDay)} kWh a day against ${kwhPerDay(f.fromWhPerDay)}: ${money}.`;
      case 'tier':
        return `The usage ${c.amountMinor >= 0 ? 'reached' : 'fell back to'} ${f.toTier ?? 'another tier'} ` +
          `(last time up to ${f.fromTier ?? 'another tier'}), priced differently from the earlier top tier: ${money}.`;
      case 'season':
        return `${EN.month(f.toPeriod!)} is billed at another season's prices and tiers than ${EN.month(f.fromPeriod!)}: ${money}.`;
      case 'price_version':
        return `Prices changed: ${(f.fromVersions ?? []).join(' + ') || 'the earlier tariff'} → ${(f.toVersions ?? []).join(' + ') || 'the current tariff'}: ${money}.`;
      case 'correction':
        return `Second review corrected the meter reading before the bill was sent; the first reading would have billed ` +
          `${formatMoney(f.firstAmountMinor ?? 0, e.currency)}: ${money}.`;
      case 'other':
        return `Other differences (the earlier bill was priced under an earlier revision of the tariff, or account details changed): ${money}.`;
    }
  },
  agentOpening: (e, change) =>
    `Account ${e.accountId}, ${EN.month(e.period)}: ${formatMoney(e.current.amountMinor, e.currency)} against ` +
    `${formatMoney(e.previous.amountMinor, e.currency)} ${EN.against[e.against]} (${EN.month(e.previous.period)}), ${change}` +
    `${e.changePercent === null ? '' : ` (${formatPercent(e.changePercent)})`}. Step by step:`,
  agentClosing: (total) => `Together: ${total}, exactly the change.`,
  customerOpening: (e, change) =>
    `Your ${EN.month(e.period)} bill is ${change.replace(/^[+−]/, '')} ${e.changeMinor >= 0 ? 'more' : 'less'} than ${EN.against[e.against]} ` +
    `(${formatMoney(e.previous.amountMinor, e.currency)} → ${formatMoney(e.current.amountMinor, e.currency)}).`,
  customerCause: (c, money) => `${EN.labels[c.kind].toLowerCase()} ${money}`,
  join: (parts) => `Mainly: ${parts.join('; ')}.`,
  moreCauses: ' Smaller items are listed on your statement.',
};

const ZH: Wording = {
  labels: {
    days: '计费天数变化',
    weather: '本地区气候与季节影响',
    usage: '您自身的用电变化',
    estimate: '估抄读数',
    catch_up: '估抄后的实抄补计',
    meter_exchange: '换表期间的用电',
    tier: '阶梯档位变化',
    season: '季节电价',
    price_version: '电价调整',
    correction: '读数更正',
    other: '其他',
  },
  classes: { residential: '居民', commercial: '一般工商业', industrial: '大工业', agricultural: '农业' },
  against: { last_month: '上月', last_year: '去年同期' },
  month: (period) => `${period.slice(0, 4)}年${Number(period.slice(5, 7))}月`,
  sentence: (c, money, e) => {
    const f = c.facts;
    switch (c.kind) {
      case 'days':
        return `本期计费${f.toDays}天，对比期为${f.fromDays}天：${money}。`;
      case 'weather':
        return `${e.region}的${ZH.classes[e.customerClass]}用户日均用电比${ZH.against[e.against]}` +
          `${(f.peerChangePercent ?? 0) >= 0 ? '增加' : '减少'}${Math.abs(f.peerChangePercent ?? 0).toFixed(1)}%（气候与季节）：${money}。`;
      case 'usage':
        return `${peersMoved(e) ? '除同类用户的共同变化外，' : ''}客户自身日均用电由${kwhPerDay(f.fromWhPerDay)}千瓦时变为${kwhPerDay(f.toWhPerDay)}千瓦时：${money}。`;
      case 'estimate':
        return `本期按估抄读数计费（日均${kwhPerDay(f.toWhPerDay)}千瓦时，对比${kwhPerDay(f.fromWhPerDay)}千瓦时），差额在下次实抄时结算：${money}。`;
      case 'catch_up':
        return `此前连续${f.estimatedBills}期为估抄，本期实抄${(f.kwhMilli ?? 0) >= 0 ? '补计估抄少计' : '退还估抄多计'}的${kwh(f.kwhMilli)}千瓦时：${money}。`;
      case 'meter_exchange':
        return `电表已${f.date ? `于${f.date}` : ''}更换，旧表止码与新表读数合计日均${kwhPerDay(f.toWhPerDay)}千瓦时（对比${kwhPerDay(f.fromWhPerDay)}千瓦时）：${money}。`;
      case 'tier':
        return `用电量进入“${f.toTier ?? '其他档位'}”（对比期最高为“${f.fromTier ?? '其他档位'}”），档位电价不同：${money}。`;
      case 'season':
        return `${ZH.month(f.toPeriod!)}与${ZH.month(f.fromPeriod!)}适用不同季节的电价和阶梯：${money}。`;
      case 'price_version':
        return `电价调整：${(f.fromVersions ?? []).join(' + ') || '原电价'} → ${(f.toVersions ?? []).join(' + ') || '现行电价'}：${money}。`;
      case 'correction':
        return `账单寄发前经复核更正了抄表读数，按原读数应为${formatMoney(f.firstAmountMinor ?? 0, e.currency)}：${money}。`;
      case 'other':
        return `其他差异（对比期账单按较早版本的电价计算，或户籍资料有变更）：${money}。`;
    }
  },
  agentOpening: (e, change) =>
    `户号${e.accountId}，${ZH.month(e.period)}电费${formatMoney(e.current.amountMinor, e.currency)}，${ZH.against[e.against]}` +
    `（${ZH.month(e.previous.period)}）为${formatMoney(e.previous.amountMinor, e.currency)}，变化${change}` +
    `${e.changePercent === null ? '' : `（${formatPercent(e.changePercent)}）`}。逐项说明：`,
  agentClosing: (total) => `合计${total}，与变化金额一致。`,
  customerOpening: (e, change) =>
    `您${ZH.month(e.period)}的电费比${ZH.against[e.against]}${e.changeMinor >= 0 ? '增加' : '减少'}${change.replace(/^[+−]/, '')}` +
    `（${formatMoney(e.previous.amountMinor, e.currency)} → ${formatMoney(e.current.amountMinor, e.currency)}）。`,
  customerCause: (c, money) => `${ZH.labels[c.kind]}${money}`,
  join: (parts) => `主要原因：${parts.join('；')}。`,
  moreCauses: '其余较小项目见账单明细。',
};

const WORDING: Record<StatementLocale, Wording> = { en: EN, 'zh-CN': ZH };

/** Whether the waterfall has a weather step before the account's own usage. */
function peersMoved(e: Explanation): boolean {
  return e.causes.some((c) => c.kind === 'weather');
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Short label of a cause, as the statement's box and the CSV export show it. */
export function causeLabel(kind: CauseKind, locale: StatementLocale): string {
  return WORDING[locale].labels[kind];
}

/** The causes a customer text names: the largest three by amount. */
const CUSTOMER_CAUSES = 3;

export function explanationText(e: Omit<Explanation, 'text'>, locale: StatementLocale): ExplanationText {
  return { agent: agentText(e, locale), customer: customerText(e, locale) };
}

/** The step-by-step text for an agent on the phone: every cause, and that they add up. */
function agentText(e: Omit<Explanation, 'text'>, locale: StatementLocale): string {
  const w = WORDING[locale];
  const full = e as Explanation;
  const steps = e.causes.map((c, i) => `${i + 1}. ${w.sentence(c, signed(c.amountMinor, e.currency), full)}`);
  return [w.agentOpening(full, signed(e.changeMinor, e.currency)), ...steps,
    w.agentClosing(signed(e.causes.reduce((s, c) => s + c.amountMinor, 0), e.currency))].join('\n');
}

/** The customer's text: the change and its largest causes. */
function customerText(e: Omit<Explanation, 'text'>, locale: StatementLocale): string {
  const w = WORDING[locale];
  const largest = [...e.causes].sort((a, b) => Math.abs(b.amountMinor) - Math.abs(a.amountMinor)).slice(0, CUSTOMER_CAUSES);
  return w.customerOpening(e as Explanation, signed(e.changeMinor, e.currency)) + (locale === 'en' ? ' ' : '') +
    w.join(largest.map((c) => w.customerCause(c, signed(c.amountMinor, e.currency)))) +
    (e.causes.length > largest.length ? w.moreCauses : '');
}

/** The texts in every statement locale. */
export function explanationTexts(e: Omit<Explanation, 'text'>): Explanation['text'] {
  return Object.fromEntries(STATEMENT_LOCALES.map((l) => [l, explanationText(e, l)])) as Explanation['text'];
}


/** The statement's "Why your bill changed" box in one locale. */
export function statementBox(e: Omit<Explanation, 'text'>, locale: StatementLocale): WhyChanged {
  return {
    against: e.against,
    comparedPeriod: e.previous.period,
    previousAmountMinor: e.previous.amountMinor,
    changeMinor: e.changeMinor,
    causes: e.causes.map((c) => ({ kind: c.kind, label: causeLabel(c.kind, locale), amountMinor: c.amountMinor })),
    // Only the text the box shows: an explanation's texts are made when first read (explainChange).
    text: customerText(e, locale),
  };
}
