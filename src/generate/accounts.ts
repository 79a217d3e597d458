// The account master (accounts.csv) as column batches, in ACCOUNT_COLUMNS order.
import { ACCOUNT_COLUMNS, CUSTOMER_CLASSES, type AccountRow } from '../../schemas/inputs.js';
import { allocateColumn, type ColumnBatch, type ColumnKind, type ColumnSpec } from '../store/columnar.js';
import { EVENT_EXCHANGE, EVENT_MOVE_OUT, TARIFFS } from './catalog.js';
import { accountAddress, accountName } from './names.js';
import type { Population } from './population.js';

const KINDS: Record<keyof AccountRow, ColumnKind> = {
  account_id: 'varchar', name: 'varchar', address: 'varchar', customer_class: 'varchar', tariff_id: 'varchar',
  region: 'varchar', meter_id: 'varchar', multiplier: 'int32', register_digits: 'uint8', household_size: 'uint8',
  start_date: 'date', end_date: 'date', contract_kva: 'int32', pf_standard: 'varchar', previous_meter_id: 'varchar',
  meter_exchanged_at: 'date',
};
export const ACCOUNT_SPECS: readonly ColumnSpec[] = ACCOUNT_COLUMNS.map((name) => ({ name, kind: KINDS[name] }));

const accountId = (accountNo: number): string => `A${String(accountNo).padStart(7, '0')}`;
const meterId = (meterNo: number): string => `M${String(meterNo).padStart(7, '0')}`;
export const regionCode = (region: number): string => `R${String(region + 1).padStart(2, '0')}`;

/** Accounts [from, to) as a batch for the scratch store. */
export function accountBatch(seed: number, pop: Population, from: number, to: number): ColumnBatch {
  const n = to - from;
  const batch: ColumnBatch = { rowCount: n, columns: {}, nulls: {} };
  for (const spec of ACCOUNT_SPECS) batch.columns[spec.name] = allocateColumn(spec.kind, n);
  const text = (name: keyof AccountRow) => batch.columns[name] as string[];
  const int32 = (name: keyof AccountRow) => batch.columns[name] as Int32Array;
  const uint8 = (name: keyof AccountRow) => batch.columns[name] as Uint8Array;
  const nulls = (name: keyof AccountRow) => (batch.nulls[name] = new Uint8Array(n));
  const [householdNull, endNull, kvaNull, pfNull, previousNull, exchangedNull] = (
    ['household_size', 'end_date', 'contract_kva', 'pf_standard', 'previous_meter_id', 'meter_exchanged_at'] as const
  ).map(nulls) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];

  for (let i = 0; i < n; i++) {
    const a = from + i;
    const cls = pop.customerClass[a]!;
    const event = pop.event[a]!;
    const exchanged = event === EVENT_EXCHANGE;
    text('account_id')[i] = accountId(a + 1);
    text('name')[i] = accountName(seed, a, cls);
    text('address')[i] = accountAddress(seed, a, pop.region[a]!);
    text('customer_class')[i] = CUSTOMER_CLASSES[cls]!;
    text('tariff_id')[i] = TARIFFS[pop.tariff[a]!]!.id;
    text('region')[i] = regionCode(pop.region[a]!);
    text('meter_id')[i] = meterId(exchanged ? pop.newMeterNo[a]! : a + 1);
    int32('multiplier')[i] = pop.multiplier[a]!;
    uint8('register_digits')[i] = pop.registerDigits[a]!;
    uint8('household_size')[i] = pop.householdSize[a]!;
    householdNull[i] = pop.householdSize[a] === 0 ? 1 : 0;
    int32('start_date')[i] = pop.startDay[a]!;
    int32('end_date')[i] = event === EVENT_MOVE_OUT ? pop.eventDay[a]! : 0;
    endNull[i] = event === EVENT_MOVE_OUT ? 0 : 1;
    int32('contract_kva')[i] = pop.contractKva[a]!;
    kvaNull[i] = pop.contractKva[a] === 0 ? 1 : 0;
    text('pf_standard')[i] = pop.pfStandard[a] === 0 ? '' : `0.${pop.pfStandard[a]}`;
    pfNull[i] = pop.pfStandard[a] === 0 ? 1 : 0;
    text('previous_meter_id')[i] = exchanged ? meterId(a + 1) : '';
    previousNull[i] = exchanged ? 0 : 1;
    int32('meter_exchanged_at')[i] = exchanged ? pop.eventDay[a]! : 0;
    exchangedNull[i] = exchanged ? 0 : 1;
  }
  return batch;
}
