// Splitting a period's quantities between tariff versions by days. Quantities are integers (Wh,
// W, thousandths of a month), so each share is rounded down and the units left over go to the
// segments with the largest remainders, earlier segments first on ties: the parts always add up
// to the whole, and the same inputs always split the same way.

/** Parts of `total` proportional to `weights` (positive integers), summing exactly to `total`. */
export function splitByDays(total: number, weights: readonly number[]): number[] {
  let sum = 0;
  for (const w of weights) sum += w;
  const negative = total < 0;
  const amount = negative ? -total : total;
  if (!Number.isSafeInteger(amount * sum)) return splitBig(total, weights, sum);
  const parts = new Array<number>(weights.length);
  const remainders = new Array<number>(weights.length);
  let given = 0;
  for (let i = 0; i < weights.length; i++) {
    const product = amount * weights[i]!;
    const r = product % sum;
    parts[i] = (product - r) / sum;
    remainders[i] = r;
    given += parts[i]!;
  }
  distribute(parts, remainders, amount - given);
  return negative ? parts.map((p) => 0 - p) : parts;
}

function splitBig(total: number, weights: readonly number[], sum: number): number[] {
  const big = BigInt(total < 0 ? -total : total);
  const s = BigInt(sum);
  const parts: number[] = [];
  const remainders: number[] = [];
  let given = 0n;
  for (const w of weights) {
    const product = big * BigInt(w);
    const part = product / s;
    parts.push(Number(part));
    remainders.push(Number(product - part * s));
    given += part;
  }
  distribute(parts, remainders, Number(big - given));
  return total < 0 ? parts.map((p) => 0 - p) : parts;
}

function distribute(parts: number[], remainders: number[], left: number): void {
  for (; left > 0; left--) {
    let best = 0;
    for (let i = 1; i < remainders.length; i++) if (remainders[i]! > remainders[best]!) best = i;
    parts[best] = parts[best]! + 1;
    remainders[best] = -1;
  }
}
