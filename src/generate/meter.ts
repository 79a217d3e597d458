// What a register shows. Values are kept as unwrapped thousandths of a register unit (exact
// integers in a float64 up to 2^53), so advances are plain differences and a rollover is only
// the display taking the value modulo the register's capacity (10^digits units).
import { Stream, uniform } from './random.js';

export function capacityMilli(digits: number): number {
  return 10 ** digits * 1000;
}

/** The register's face: the unwrapped value modulo capacity. */
export function displayMilli(value: number, capacity: number): number {
  const face = value % capacity;
  return face < 0 ? face + capacity : face;
}

/** Five-digit registers are electromechanical dials read in whole units: the fraction never shows. */
export function readableMilli(value: number, digits: number): number {
  return digits === 5 ? Math.floor(value / 1000) * 1000 : value;
}

/**
 * Register value when the window opens or a meter is fitted. Old five-digit dials start in the top
 * quarter of their range so their rollovers fall inside the window; fitted meters start near zero.
 */
export function initialMilli(seed: number, meterNo: number, register: number, digits: number, fitted: boolean): number {
  const u = uniform(seed, fitted ? Stream.newMeterRegister : Stream.initialRegister, meterNo, register);
  const capacity = capacityMilli(digits);
  const value = fitted ? u * 50_000 : digits === 5 ? capacity * (1 - 0.25 * u) : u * capacity;
  return readableMilli(Math.floor(value), digits);
}
