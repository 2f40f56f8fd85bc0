/**
 * Scalar formats shared by the zod schemas (`schemas.ts`), the validators generated from them
 * (`validators.ts`) and the normalisers. Nothing here imports zod, so the receiving side can use it
 * at run time.
 *
 * A refinement used by a schema (`.refine(fn)`) must be a named export of this module: the generator
 * (`scripts/generate-validators.ts`) finds it here by identity and imports it by name.
 *
 * @internal
 * @packageDocumentation
 */

/** @internal Up to 15 digits, so that every accepted value is a valid Date (the limit is 8.64e15 ms). */
export const EPOCH_MS_TEXT = /^\d{1,15}$/;
/** @internal The largest epoch millisecond value a `Date` can hold. */
export const MAX_DATE_MS = 8_640_000_000_000_000;
/** @internal `"Mon Mar 26 16:33:26 +0000 2018"` (the weekday is optional here, for tolerance). */
export const TWITTER_DATE =
  /^(?:[A-Z][a-z]{2} )?(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * @internal Reads X's `created_at` format (`"Mon Mar 26 16:33:26 +0000 2018"`) as epoch milliseconds,
 * or `NaN` when the text is not of that format.
 */
export function twitterDateMs(text: string): number {
  const m = TWITTER_DATE.exec(text);
  if (m === null) return Number.NaN;
  const month = MONTHS.indexOf(m[1] as string);
  if (month < 0) return Number.NaN;
  const offsetMinutes = (Number(m[7]) * 60 + Number(m[8])) * (m[6] === '-' ? -1 : 1);
  const ms = Date.UTC(Number(m[9]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
  return ms - offsetMinutes * 60_000;
}

/** @internal Reads epoch milliseconds given as a number or a string of digits. */
export function epochMs(value: string | number): number {
  return typeof value === 'number' ? value : Number(value);
}

/** @internal Whether `text` is a date-time that `Date.parse` reads (ISO-8601 in X's answers). */
export function isIsoDateText(text: string): boolean {
  return !Number.isNaN(Date.parse(text));
}
