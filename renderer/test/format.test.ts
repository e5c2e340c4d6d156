import { describe, expect, it } from 'vitest';
import { formatBytes, formatCountdown, formatDuration, formatPercent, formatSpeed, thumbnailSrc } from '../src/lib/format';

describe('number formatting', () => {
  it('prints decimal sizes with a unit and fixed precision', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.00 kB');
    expect(formatBytes(123_400_000)).toBe('123 MB');
    expect(formatBytes(2_097_152_000)).toBe('2.10 GB');
    expect(formatBytes(-1)).toBe('–');
    expect(formatBytes(null)).toBe('–');
    expect(formatSpeed(8_200_000)).toBe('8.20 MB/s');
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
