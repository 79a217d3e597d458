// Customer names and service addresses from small built-in word lists. A few carry commas,
// quotes, apostrophes, accents or CJK text on purpose: the files must survive real-world text.
import { COMMERCIAL, INDUSTRIAL, RESIDENTIAL } from './catalog.js';
import { hash32, Stream } from './random.js';

const GIVEN = [
  'James', 'Mary', 'Wei', 'Fang', 'Carlos', 'Sofia', 'Ahmed', 'Aisha', 'Hiroshi', 'Yuki', 'Olga', 'Ivan',
  'Priya', 'Ravi', 'Emma', 'Liam', 'Lucía', 'José', 'Mei', 'Jun', 'Chloé', 'Seán', 'Grace', 'Daniel',
  'Fatima', 'Omar', 'Anna', 'Pedro', 'Linh', 'Minh', 'Sarah', 'David',
];
const SURNAMES = [
  'Smith', 'Chen', 'Wang', 'Garcia', 'Müller', 'Kim', 'Nguyen', 'Okafor', 'Patel', 'Rossi', 'Tanaka', 'Silva',
  'Novak', 'Cohen', 'Brown', 'Li', 'Zhang', 'Liu', 'Huang', 'Martin', "O'Brien", "D'Angelo", 'van der Berg',
  'Johnson', 'Lopez', 'Ivanova', 'Sato', 'Ahmed', 'Wilson', 'Murphy', 'Khan', 'Lam',
];
const CJK_NAMES = ['王伟', '李娜', '张敏', '刘洋', '陈静', '杨磊', '黄丽', '赵强', '周杰', '吴芳', '徐明', '孙丽华'];
const BUSINESSES = [
  'Bakery', 'Hardware', 'Dental Clinic', 'Logistics', 'Supermarket', 'Hotel', 'Noodle House', 'Print Shop',
  'Fitness Center', 'Pharmacy', 'Laundromat', 'Auto Repair', 'Florist', 'Bookstore', 'Cafe', 'Cold Chain',
];
const PLACES = [
  'Pearl River', 'Northern', 'Eastwind', 'Harbor', 'Summit', 'Greenfield', 'Ironbridge', 'Riverside',
  'Sunrise', 'Delta', 'Golden Bay', 'Westgate',
];
const INDUSTRIES = [
  'Steel Works', 'Plastics', 'Textile Mill', 'Cement', 'Paper Mill', 'Foundry', 'Chemical', 'Cold Storage',
  'Electronics', 'Glassworks',
];
const STREETS = [
  'Oak', 'Maple', 'Cedar', 'Elm', 'Pine', 'Lake', 'Hill', 'Park', 'Station', 'Mill', 'Church', 'River',
  'Spring', 'Garden', 'Market', 'Harbor',
];
const STREET_KINDS = ['Street', 'Road', 'Avenue', 'Lane', 'Drive', 'Way'];
/** One city per region, so addresses agree with the region code. */
const CITIES = [
  'Springfield', 'Riverton', 'Lakeside', 'Fairview', 'Georgetown', 'Ashford', 'Millbrook', 'Clearwater',
  'Kingsport', 'Oakdale', 'Brookfield', 'Westbury',
];
const CJK_CITIES = ['广州市天河区', '深圳市南山区', '佛山市禅城区', '东莞市南城区', '珠海市香洲区'];
const CJK_ROADS = ['体育西路', '中山大道', '科技园路', '人民路', '滨海大道'];

function pick<T>(list: readonly T[], h: number): T {
  return list[h % list.length]!;
}

/** Successive draws from one account's hash: each call mixes in the next counter. */
function draws(seed: number, stream: number, a: number): () => number {
  let j = 0;
  return () => hash32(seed, stream, a, j++);
}

export function accountName(seed: number, a: number, customerClass: number): string {
  const next = draws(seed, Stream.name, a);
  const style = next() % 100;
  if (customerClass === RESIDENTIAL) {
    if (style < 3) return pick(CJK_NAMES, next());
    if (style < 5) return `${pick(SURNAMES, next())}, ${pick(GIVEN, next())}`;
    if (style < 6) return `${pick(GIVEN, next())} "${pick(GIVEN, next())}" ${pick(SURNAMES, next())}`;
    return `${pick(GIVEN, next())} ${pick(SURNAMES, next())}`;
  }
  if (customerClass === COMMERCIAL) {
    if (style < 3) return `${pick(CJK_CITIES, next())}${pick(CJK_ROADS, next())}餐厅`;
    if (style < 8) return `"${pick(PLACES, next())}" ${pick(BUSINESSES, next())}`;
    if (style < 15) return `${pick(SURNAMES, next())} & Sons, Ltd.`;
    return `${pick(SURNAMES, next())} ${pick(BUSINESSES, next())}`;
  }
  if (customerClass === INDUSTRIAL) return `${pick(PLACES, next())} ${pick(INDUSTRIES, next())} Co., Ltd.`;
  return style < 50 ? `${pick(SURNAMES, next())} Family Farm` : `${pick(PLACES, next())} Irrigation Cooperative`;
}

export function accountAddress(seed: number, a: number, region: number): string {
  const next = draws(seed, Stream.address, a);
  const style = next() % 100;
  const number = 1 + (next() % 2400);
  if (style < 3) return `${pick(CJK_CITIES, region)}${pick(CJK_ROADS, next())}${number}号`;
  const street = `${number} ${pick(STREETS, next())} ${pick(STREET_KINDS, next())}`;
  const unit = style < 15 ? `, Apt ${1 + (next() % 30)}${'ABCD'[next() % 4]}` : '';
  return `${street}${unit}, ${pick(CITIES, region)}`;
}
