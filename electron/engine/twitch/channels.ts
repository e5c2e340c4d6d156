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

/** One configured channel: found, or why not (the others go on either way). */
export type ChannelLookup = { ref: string; channel: TwitchChannelInfo } | { ref: string; problem: string };

const notFound = (ref: string) =>
  `Twitch has no channel ${JSON.stringify(ref)}: unknown, renamed (use the new name or the numeric id) or suspended. Its VODs are not checked until it is fixed in Settings > Channels.`;

const toInfo = (u: HelixUser): TwitchChannelInfo => ({
  id: u.id,
  login: u.login,
  displayName: u.display_name || u.login,
  ...(u.profile_image_url ? { avatarUrl: u.profile_image_url } : {}),
});

async function getUsers(helix: HelixClient, batch: Array<{ kind: 'id' | 'login'; value: string }>, signal?: AbortSignal): Promise<HelixUser[]> {
  const query = { login: batch.filter((p) => p.kind === 'login').map((p) => p.value), id: batch.filter((p) => p.kind === 'id').map((p) => p.value) };
  return (await helix.get<{ data: HelixUser[] }>('/users', query, signal)).data;
}

/**
 * Looks each channel up on its own terms: a malformed name, or one Twitch does not list (Get Users
 * leaves out unknown and suspended accounts, and a renamed one under its old login), is a problem
 * of that channel only. One call per 100; failures of the call itself (5xx, network) throw.
 */
export async function lookupChannels(helix: HelixClient, refs: string[], signal?: AbortSignal): Promise<ChannelLookup[]> {
  type Parsed = { ref: string; kind: 'id' | 'login'; value: string } | { ref: string; problem: string };
  const parsed = refs.map((ref): Parsed => {
    try {
      return { ref, ...normalizeChannelRef(ref) };
    } catch (err) {
      return { ref, problem: (err as Error).message };
    }
  });
  const valid = parsed.filter((p): p is Extract<Parsed, { kind: string }> => !('problem' in p));
  const found: HelixUser[] = [];
  for (let i = 0; i < valid.length; i += 100) found.push(...(await getUsers(helix, valid.slice(i, i + 100), signal)));
  return parsed.map((p): ChannelLookup => {
    if ('problem' in p) return { ref: p.ref, problem: p.problem };
    const u = found.find((f) => (p.kind === 'id' ? f.id === p.value : f.login.toLowerCase() === p.value));
    if (u) return { ref: p.ref, channel: toInfo(u) };
    return { ref: p.ref, problem: notFound(p.ref) };
  });
}

/** Resolves channels in the order given; any that cannot be found is an error listing them all. */
export async function resolveChannels(helix: HelixClient, refs: string[], signal?: AbortSignal): Promise<TwitchChannelInfo[]> {
  const looked = await lookupChannels(helix, refs, signal);
  const missing = looked.filter((l) => 'problem' in l).map((l) => l.ref);
  if (missing.length) throw permanent('channel_not_found', `Twitch has no channel named ${missing.map((m) => JSON.stringify(m)).join(', ')}.`);
  return looked.map((l) => (l as { channel: TwitchChannelInfo }).channel);
}
