// Review rules as data: thresholds per customer class, versioned like tariffs. The run records
// which rules version produced each flag.
import { z } from 'zod';

const ClassThresholds = z.object({
  /** Relative change of kWh/day vs last month (after dividing out the peer group's change) that flags. */
  mom_change: z.number().positive(),
  /** Same, vs the same period last year. */
  yoy_change: z.number().positive(),
  /** Minimum absolute change in kWh over the period: no flag for 2 → 5 kWh. */
  min_change_kwh: z.number().nonnegative(),
});
export type ClassThresholds = z.infer<typeof ClassThresholds>;

export const ReviewRules = z.object({
  version: z.string().min(1),
  classes: z.object({
    residential: ClassThresholds,
    commercial: ClassThresholds,
    industrial: ClassThresholds,
    agricultural: ClassThresholds,
  }),
});
export type ReviewRules = z.infer<typeof ReviewRules>;
