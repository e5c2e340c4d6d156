/**
 * Number formatting for the UI: always with units, fixed precision so numbers do not make rows
 * jump. Sizes are decimal (1 MB = 1,000,000 bytes) like the settings' MB values.
 */

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null || !Number.isFinite(bytes) || bytes < 0) return '–';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 ? 0 : value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

export function formatSpeed(bytesPerSec: number | null | undefined): string {
  if (bytesPerSec == null || !Number.isFinite(bytesPerSec) || bytesPerSec < 0) return '–';
  return `${formatBytes(bytesPerSec)}/s`;
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

export function formatPercent(fraction: number | null | undefined): string {
  if (fraction == null || !Number.isFinite(fraction)) return '–';
  const clamped = Math.min(1, Math.max(0, fraction));
  return `${Math.floor(clamped * 100)}%`;
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
