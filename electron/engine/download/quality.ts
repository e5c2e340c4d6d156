/**
 * Variant choice (pure). The preference list is tried in order: `best`/`source`/`chunked` is the
 * source variant; a variant's group id or label matches exactly first (`720p60`; `720p` is
 * Twitch's label for 720p30, as in yt-dlp's format ids); otherwise `720p`/`720` matches any 720p
 * variant, highest frame rate first; `audio_only` the audio. If nothing matches, the best video variant is used
 * and a warning says so.
 *
 * Codecs: an entry may name one (`1440p60 hevc`, `best av1`, `source h265`). An entry without a
 * codec matches H.264 renditions only, so HEVC/AV1 (Enhanced Broadcasting, which older players and
 * Telegram clients may not play) are chosen only when the user opts in by naming them.
 */
import type { Variant, VideoCodec } from './playlist';

const CODEC_WORDS: Record<string, VideoCodec> = { h264: 'h264', avc: 'h264', avc1: 'h264', hevc: 'hevc', h265: 'hevc', hvc1: 'hevc', av1: 'av1', av01: 'av1' };

/** Splits `1440p60 hevc` into the quality and the codec (H.264 when none is named). */
export function parsePreference(pref: string): { quality: string; codec: VideoCodec } {
  const m = /^(.*?)[\s_-]+(h264|avc1?|hevc|h265|hvc1|av1|av01)$/i.exec(pref.trim());
  if (!m) return { quality: pref.trim(), codec: 'h264' };
  return { quality: m[1].trim() || 'best', codec: CODEC_WORDS[m[2].toLowerCase()] };
}

/** Twitch's H.264 renditions carry no codec word in their CODECS-less entries: undefined is H.264. */
const codecOf = (v: Variant): VideoCodec => v.videoCodec ?? 'h264';

export interface VariantChoice {
  variant: Variant;
  /** Which preference entry matched; undefined when none did. */
  matched?: string;
  warning?: string;
}

const rank = (v: Variant) => [v.audioOnly ? 0 : 1, v.height ?? 0, v.fps ?? 0, v.bandwidth] as const;
function better(a: Variant, b: Variant): number {
  const ra = rank(a);
  const rb = rank(b);
  for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return rb[i] - ra[i];
  return 0;
}

export function sourceVariant(variants: readonly Variant[]): Variant | undefined {
  return variants.find((v) => v.name === 'chunked') ?? variants.find((v) => /source/i.test(v.label)) ?? [...variants].filter((v) => !v.audioOnly).sort(better)[0];
}

function match(pref: string, variants: readonly Variant[]): Variant | undefined {
  const p = pref.trim().toLowerCase();
  if (p === 'best' || p === 'source' || p === 'chunked') return sourceVariant(variants);
  if (p === 'worst')
    return [...variants]
      .filter((v) => !v.audioOnly)
      .sort(better)
      .at(-1);
  if (p === 'audio_only' || p === 'audio') return variants.find((v) => v.audioOnly);
  const exact = variants.find((v) => v.name.toLowerCase() === p || v.label.toLowerCase() === p);
  if (exact) return exact;
  const m = /^(\d{3,4})p?(\d{2,3})?$/.exec(p);
  if (!m) return undefined;
  const height = Number(m[1]);
  const fps = m[2] ? Number(m[2]) : undefined;
  const nameOf = (v: Variant) => /^(\d{3,4})p(\d{2,3})?/.exec(v.name) ?? /^(\d{3,4})p(\d{2,3})?/.exec(v.label);
  return [...variants]
    .filter((v) => !v.audioOnly)
    .filter((v) => {
      const n = nameOf(v);
      const h = v.height ?? (n ? Number(n[1]) : undefined);
      const f = v.fps ?? (n?.[2] ? Number(n[2]) : undefined);
      return h === height && (fps === undefined || f === fps);
    })
    .sort(better)[0];
}

export function pickVariant(variants: readonly Variant[], preferences: readonly string[]): VariantChoice {
  if (variants.length === 0) throw new Error('No variants to choose from.');
  for (const pref of preferences) {
    const { quality, codec } = parsePreference(pref);
    const audio = ['audio_only', 'audio'].includes(quality.toLowerCase());
    const v = match(quality, audio ? variants : variants.filter((x) => x.audioOnly || codecOf(x) === codec));
    if (v) return { variant: v, matched: pref };
  }
  const h264 = variants.filter((v) => !v.audioOnly && codecOf(v) === 'h264');
  const fallback = sourceVariant(h264.length ? h264 : variants) ?? variants[0];
  return {
    variant: fallback,
    warning: `None of the preferred qualities (${preferences.join(', ') || 'none set'}) is offered; using ${fallback.label} (offered: ${variants.map((v) => v.name).join(', ')}).`,
  };
}
