// Money: exact decimals (decimal.ts), exact quantity × price in minor units (amount.ts) and the
// ISO 4217 currencies billrun accepts (currency.ts), amounts as people read them (display.ts). No
// binary float ever holds a price or amount.
export * from './decimal.js';
export * from './amount.js';
export * from './currency.js';
export * from './display.js';
