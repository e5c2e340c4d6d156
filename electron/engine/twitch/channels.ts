/** Channel lookup: login names and numeric ids, in one Helix call per 100. */
import type { TwitchChannelInfo } from '../../contract/domain';
import { permanent } from '../util/errors';
import type { HelixClient } from './helix';

interface HelixUser {
  id: string;
  login: string;
  display_name: string;
  profile_image_url?: string;
}

const LOGIN = /^[a-z0-9_]{1,25}$/i;
const ID = /^\d{1,20}$/;

/** Accepts `name`, `@name`, a numeric id or a channel URL (`https://www.twitch.tv/name`). */
export function normalizeChannelRef(ref: string): { kind: 'id' | 'login'; value: string } {
  let v = ref.trim();
  const fromUrl = /^(?:https?:\/\/)?(?:www\.|m\.)?twitch\.tv\/([^/?#]+)/i.exec(v);
  if (fromUrl) v = fromUrl[1];
  v = v.replace(/^@/, '');
  if (ID.test(v)) return { kind: 'id', value: v };
  if (LOGIN.test(v)) return { kind: 'login', value: v.toLowerCase() };
  throw permanent('bad_channel', `"${ref}" is not a Twitch channel name or id (letters, digits and _; or a numeric id).`);
}

/**
 * Resolves channels in the order given. Unknown names are an error that lists them all, so a
 * typo in the settings is reported once and clearly.
 */
export async function resolveChannels(helix: HelixClient, refs: string[], signal?: AbortSignal): Promise<TwitchChannelInfo[]> {
  const parsed = refs.map(normalizeChannelRef);
  const found: HelixUser[] = [];
  for (let i = 0; i < parsed.length; i += 100) {
    const batch = parsed.slice(i, i + 100);
    const body = await helix.get<{ data: HelixUser[] }>(
      '/users',
      { login: batch.filter((p) => p.kind === 'login').map((p) => p.value), id: batch.filter((p) => p.kind === 'id').map((p) => p.value) },
      signal,
    );
    found.push(...body.data);
  }
  const missing: string[] = [];
  const out: TwitchChannelInfo[] = [];
  parsed.forEach((p, i) => {
    const u = found.find((f) => (p.kind === 'id' ? f.id === p.value : f.login.toLowerCase() === p.value));
    if (!u) return void missing.push(refs[i]);
    out.push({ id: u.id, login: u.login, displayName: u.display_name || u.login, ...(u.profile_image_url ? { avatarUrl: u.profile_image_url } : {}) });
  });
  if (missing.length) throw permanent('channel_not_found', `Twitch has no channel named ${missing.map((m) => JSON.stringify(m)).join(', ')}.`);
  return out;
}
