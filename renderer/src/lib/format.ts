/**
 * Number formatting for the UI: always with units, fixed precision so numbers do not make rows
 * jump, digits and separators from `Intl` for the UI's locale. One unit system: binary sizes
 * (1 MiB = 1,048,576 bytes), the unit Telegram's limits are stated in (2000 MiB, 4000 MiB).
 */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
const numberFormats = new Map<string, Intl.NumberFormat>();

export function formatNumber(value: number, locale = 'en-GB', digits = 0): string {
  const key = `${locale}/${digits}`;
  let nf = numberFormats.get(key);
  if (!nf) {
    nf = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits });
    numberFormats.set(key, nf);
  }
  return nf.format(value);
}

export function formatBytes(bytes: number | null | undefined, locale = 'en-GB'): string {
  if (bytes == null || !Number.isFinite(bytes) || bytes < 0) return '–';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 ? 0 : value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${formatNumber(value, locale, digits)} ${UNITS[unit]}`;
}

export function formatSpeed(bytesPerSec: number | null | undefined, locale = 'en-GB'): string {
  if (bytesPerSec == null || !Number.isFinite(bytesPerSec) || bytesPerSec < 0) return '–';
  return `${formatBytes(bytesPerSec, locale)}/s`;
}

/** "2nd" / "2º": a place in the queue. */
export function formatOrdinal(n: number, locale = 'en-GB'): string {
  if (!locale.startsWith('en')) return `${n}º`;
  const rule = new Intl.PluralRules(locale, { type: 'ordinal' }).select(n);
  return `${n}${{ one: 'st', two: 'nd', few: 'rd' }[rule as 'one'] ?? 'th'}`;
}

/** Hours with one decimal ("41.5 h"), for totals. */
export function formatHours(totalSec: number, locale = 'en-GB'): string {
  return `${formatNumber(totalSec / 3600, locale, totalSec < 36_000 ? 1 : 0)} h`;
}

/** h:mm:ss (or m:ss under an hour). */
export function formatDuration(totalSec: number | null | undefined): string {
  if (totalSec == null || !Number.isFinite(totalSec) || totalSec < 0) return '–';
  const s = Math.round(totalSec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(sec).padStart(2, '0')}`;
}

/** A length in words, minutes at most: "1 h 12 min", "12 min", "0 min". */
export function formatHoursMinutes(totalSec: number): string {
  const m = Math.floor(Math.max(0, totalSec) / 60);
  return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m} min`;
}

export function formatPercent(fraction: number | null | undefined, locale = 'en-GB'): string {
  if (fraction == null || !Number.isFinite(fraction)) return '–';
  const clamped = Math.min(1, Math.max(0, fraction));
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0, roundingMode: 'floor' } as Intl.NumberFormatOptions).format(Math.floor(clamped * 100) / 100);
}

/** Local date and time of an ISO timestamp in the UI language. */
export function formatDateTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(locale, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

/** "in 4:59" style countdown to an ISO time, from `now` (ms). */
export function formatCountdown(iso: string | null | undefined, now: number): string {
  if (!iso) return '–';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return '–';
  return formatDuration(Math.max(0, (t - now) / 1000));
}

/** Twitch thumbnail templates carry `%{width}x%{height}` (or `{width}x{height}`). */
export function thumbnailSrc(template: string, width = 160, height = 90): string {
  return template.replace(/%?\{width\}/g, String(width)).replace(/%?\{height\}/g, String(height));
}
