import type { ParsedParams, RequestResult } from '../../../contract/protocol';
import type { Db } from '../../store/database';
import { CAPTION_LIMIT, CAPTION_LIMIT_PREMIUM, renderCaption } from '../../telegram/caption';

/**
 * `caption.preview`: the form's caption template rendered by the same `renderCaption` the VOD job
 * uses, on the newest VOD the database knows (a sample when there is none), so the user sees
 * what Telegram will get before saving. A template error comes back as text, not a failure.
 */
const SAMPLE = {
  title: 'My stream title',
  channel_name: 'streamer',
  created_at: '2026-01-31T20:00:00Z',
  duration: 3 * 3600,
  url: 'https://www.twitch.tv/videos/123456789',
  parts_total: null as number | null,
};

export function previewCaption(db: Db, params: ParsedParams<'caption.preview'>, premium: boolean): RequestResult<'caption.preview'> {
  const vod =
    (db.prepare(`SELECT title, channel_name, created_at, duration, url, parts_total FROM vods ORDER BY created_at DESC LIMIT 1`).get() as typeof SAMPLE | undefined) ?? null;
  const v = vod ?? SAMPLE;
  try {
    const html = renderCaption(
      { title: v.title, channel: v.channel_name, createdAt: v.created_at, part: 1, parts: v.parts_total ?? 1, durationSec: v.duration / (v.parts_total ?? 1), url: v.url },
      { template: params.template, dateFormat: params.dateFormat, timeZone: params.timeZone, limit: premium ? CAPTION_LIMIT_PREMIUM : CAPTION_LIMIT },
    );
    return { html, vodTitle: vod?.title ?? null, error: null };
  } catch (error) {
    return { html: '', vodTitle: vod?.title ?? null, error: (error as Error).message };
  }
}
