import { describe, expect, it } from 'vitest';
import { formatBytes, formatCountdown, formatDuration, formatHours, formatOrdinal, formatPercent, formatSpeed, thumbnailSrc } from '../src/lib/format';

describe('number formatting', () => {
  it("prints binary sizes (the unit of Telegram's limits) with a unit and fixed precision", () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1,023 B');
    expect(formatBytes(1024)).toBe('1.00 KiB');
    expect(formatBytes(123 * 1024 * 1024)).toBe('123 MiB');
    expect(formatBytes(2000 * 1024 * 1024)).toBe('1.95 GiB');
    expect(formatBytes(-1)).toBe('–');
    expect(formatBytes(null)).toBe('–');
    expect(formatSpeed(8.2 * 1024 * 1024)).toBe('8.20 MiB/s');
  });

  it("uses the locale's digits and separators", () => {
    expect(formatBytes(1.5 * 1024 * 1024, 'it-IT')).toBe('1,50 MiB');
    expect(formatSpeed(12.25 * 1024 * 1024, 'it-IT')).toBe('12,3 MiB/s');
    expect(formatPercent(0.456, 'it-IT')).toBe('45%');
    expect(formatHours(41.5 * 3600, 'it-IT')).toBe('42 h');
    expect(formatHours(5.25 * 3600, 'en-GB')).toBe('5.3 h');
    expect(formatOrdinal(2, 'en-GB')).toBe('2nd');
    expect(formatOrdinal(11, 'en-GB')).toBe('11th');
    expect(formatOrdinal(2, 'it-IT')).toBe('2º');
  });

  it('prints durations as h:mm:ss or m:ss, and percentages floored', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(59.6)).toBe('1:00');
    expect(formatDuration(7509)).toBe('2:05:09');
    expect(formatDuration(Number.NaN)).toBe('–');
    expect(formatPercent(0.999)).toBe('99%');
    expect(formatPercent(1.5)).toBe('100%');
    expect(formatCountdown('2026-01-01T00:05:00Z', Date.parse('2026-01-01T00:00:00Z'))).toBe('5:00');
    expect(formatCountdown('2025-01-01T00:00:00Z', Date.parse('2026-01-01T00:00:00Z'))).toBe('0:00');
  });

  it('fills Twitch thumbnail templates', () => {
    expect(thumbnailSrc('https://x/t-%{width}x%{height}.jpg')).toBe('https://x/t-160x90.jpg');
    expect(thumbnailSrc('https://x/t-{width}x{height}.jpg', 320, 180)).toBe('https://x/t-320x180.jpg');
  });
});
