// Expected pricing failures. They cross worker threads as plain objects (an Error's class does not
// survive structured clone), so callers branch on `code`, never on instanceof.

export const PRICING_ERROR_CODES = [
  'invalid_policy', 'empty_period', 'no_version_in_force', 'negative_quantity', 'missing_tou',
  'tou_period_not_priced', 'missing_demand', 'missing_tou_demand', 'missing_contract',
  'missing_reactive', 'pf_standard_unsupported', 'no_tou_schedule',
] as const;
export type PricingErrorCode = (typeof PRICING_ERROR_CODES)[number];

export class PricingError extends Error {
  override readonly name = 'PricingError';

  constructor(readonly code: PricingErrorCode, message: string) {
    super(message);
  }
}

export function isPricingError(error: unknown): error is { code: PricingErrorCode; message: string } {
  return typeof error === 'object' && error !== null
    && (PRICING_ERROR_CODES as readonly unknown[]).includes((error as { code?: unknown }).code);
}
