// The utility that issues the statements: the name, contact and payment terms printed on every
// statement (`billrun statements --utility FILE`, samples/utility.yaml). Text a customer reads
// can be given once or per locale; a locale without its own text falls back to `en`, then to the
// first text given.
import { z } from 'zod';

export const STATEMENT_LOCALES = ['en', 'zh-CN'] as const;
export const StatementLocale = z.enum(STATEMENT_LOCALES);
export type StatementLocale = z.infer<typeof StatementLocale>;

const Text = z.string().trim().min(1).max(200);
export const LocalizedText = z.union([
  Text,
  z.object({ en: Text.optional(), 'zh-CN': Text.optional() }).strict()
    .refine((t) => t.en !== undefined || t['zh-CN'] !== undefined, 'give the text in at least one locale'),
]);
export type LocalizedText = z.infer<typeof LocalizedText>;

export const UtilityConfig = z.object({
  name: LocalizedText,
  /** Postal address lines of the utility, as printed under its name. */
  address: z.array(LocalizedText).min(1).max(6),
  phone: Text,
  email: Text.optional(),
  website: Text.optional(),
  /** Tax registration number printed on the statement (VAT invoices need it). */
  tax_id: Text.optional(),
  payment: z.object({
    /** The bill is due this many days after the period's closing read. */
    due_days: z.number().int().min(0).max(120),
    /** How to pay, one short paragraph. */
    instructions: LocalizedText,
  }).strict(),
}).strict();
export type UtilityConfig = z.infer<typeof UtilityConfig>;

/** The text of `text` for `locale`: its own, else English, else the first one given. */
export function localized(text: LocalizedText, locale: StatementLocale): string {
  if (typeof text === 'string') return text;
  return text[locale] ?? text.en ?? text['zh-CN']!;
}
