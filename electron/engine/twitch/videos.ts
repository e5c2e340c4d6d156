/** Archive VODs of a channel, all pages, normalised for discovery. */
import { permanent } from '../util/errors';
import type { HelixClient } from './helix';

export interface HelixVideo {
  id: string;
  stream_id: string | null;
  user_id: string;
  user_login: string;
  user_name: string;
  title: string;
  created_at: string;
  url: string;
  thumbnail_url: string;
  type: string;
  duration: string;
  muted_segments: Array<{ duration: number; offset: number }> | null;
}

export interface ArchiveVideo {
  id: string;
  userId: string;
  userLogin: string;
  userName: string;
  title: string;
  /** ISO 8601 UTC, as Twitch sent it. */
  createdAt: string;
  durationSec: number;
  url: string;
  thumbnailUrl: string;
  mutedSegments: Array<{ offsetSec: number; durationSec: number }>;
}

/** Helix's "3h2m1s" / "4m35s" / "59s" in seconds. */
export function parseTwitchDuration(text: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text.trim());
  if (!m || text.trim() === '' || (m[1] === undefined && m[2] === undefined && m[3] === undefined)) {
    throw new Error(`Not a Twitch duration (like "3h2m1s"): ${JSON.stringify(text)}`);
  }
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

export function toArchiveVideo(v: HelixVideo): ArchiveVideo {
  let durationSec: number;
  try {
    durationSec = parseTwitchDuration(v.duration);
  } catch (err) {
    throw permanent('bad_helix_video', `Twitch sent VOD ${v.id} with an unreadable duration: ${(err as Error).message}`);
  }
  return {
    id: v.id,
    userId: v.user_id,
    userLogin: v.user_login,
    userName: v.user_name,
    title: v.title,
    createdAt: v.created_at,
    durationSec,
    url: v.url,
    thumbnailUrl: v.thumbnail_url,
    mutedSegments: (v.muted_segments ?? []).map((s) => ({ offsetSec: s.offset, durationSec: s.duration })),
  };
}

/** Every archive VOD of a user (newest first, as Helix orders them), following `pagination.cursor`. */
export async function listArchiveVideos(helix: HelixClient, userId: string, options: { signal?: AbortSignal; maxPages?: number } = {}): Promise<ArchiveVideo[]> {
  const out: ArchiveVideo[] = [];
  const seen = new Set<string>();
  let after: string | undefined;
  const maxPages = options.maxPages ?? 1000;
  for (let page = 0; page < maxPages; page++) {
    const body = await helix.get<{ data: HelixVideo[]; pagination?: { cursor?: string } }>('/videos', { user_id: userId, type: 'archive', first: 100, after }, options.signal);
    for (const v of body.data) {
      // A VOD can shift pages while we read (a new one appears): keep the first copy only.
      if (!seen.has(v.id)) out.push(toArchiveVideo(v));
      seen.add(v.id);
    }
    after = body.pagination?.cursor || undefined;
    if (!after || body.data.length === 0) return out;
  }
  throw permanent('too_many_pages', `Stopped listing VODs of user ${userId} after ${maxPages} pages.`);
}
