import type { ChannelProblem, TwitchChannelInfo } from '../../contract/domain';
import type { Secrets, Settings } from '../../contract/settings';
import { resolveChannels } from '../twitch/channels';
import { HelixClient } from '../twitch/helix';
import { listArchiveVideos } from '../twitch/videos';
import { EngineError } from '../util/errors';
import { registerSecret } from '../util/redact';
import type { Engine } from './engine';

/**
 * The engine's Twitch account: one Helix client built from the current settings and secrets,
 * rebuilt when either changes. Refreshed user tokens go back to the host to be stored.
 */
export class TwitchService {
  private helixClient?: HelixClient;
  private key = '';
  private readonly channelCache = new Map<string, TwitchChannelInfo>();

  constructor(private readonly engine: Engine) {}

  helix(): HelixClient {
    const { settings, secrets } = this.engine;
    const key = JSON.stringify([settings.twitch.clientId, settings.advanced.twitch, secrets.twitchClientSecret, secrets.twitchUserToken]);
    if (!this.helixClient || key !== this.key) {
      if (!settings.twitch.clientId || !secrets.twitchClientSecret) {
        throw new EngineError('login', 'twitch_credentials_missing', 'The Twitch Client ID and Client Secret are needed (Settings > Accounts).');
      }
      this.helixClient = createHelix(settings, secrets, (tokens) => this.engine.updateSecrets({ twitchUserToken: tokens.accessToken, twitchRefreshToken: tokens.refreshToken }));
      this.key = key;
      this.channelCache.clear();
    }
    return this.helixClient;
  }

  async test(candidate: { clientId?: string; clientSecret?: string } = {}): Promise<{ ok: boolean; message: string }> {
    try {
      registerSecret(candidate.clientSecret);
      const { settings, secrets } = this.engine;
      // Candidates are tried on a client of their own, so nothing is stored until they work.
      const helix =
        candidate.clientId || candidate.clientSecret
          ? createHelix(
              { ...settings, twitch: { ...settings.twitch, clientId: candidate.clientId ?? settings.twitch.clientId } },
              { twitchClientSecret: candidate.clientSecret ?? secrets.twitchClientSecret },
              () => {},
            )
          : this.helix();
      await helix.tokens.token();
      await helix.get('/users', { login: 'twitch' });
      return { ok: true, message: `Connected to Twitch with a${helix.tokens.kind === 'user' ? ' user' : 'n app'} token.` };
    } catch (error) {
      return { ok: false, message: (error as Error).message };
    }
  }

  /**
   * Discovery's per-channel problems: kept in the engine status (the UI shows them by channel),
   * and a notice for each one that is new since the last pass.
   */
  reportChannelProblems(problems: ChannelProblem[]): void {
    const key = (p: ChannelProblem) => `${p.channel}\n${p.message}`;
    const before = new Set((this.engine.status.channelProblems ?? []).map(key));
    for (const p of problems) {
      if (!before.has(key(p))) this.engine.notice({ kind: 'channelProblem', title: `Channel ${p.channel} cannot be checked`, body: p.message });
    }
    if (problems.length !== before.size || problems.some((p) => !before.has(key(p))) || this.engine.status.channelProblems === undefined) {
      this.engine.setStatus({ channelProblems: problems });
    }
  }

  async resolveChannels(refs: string[], signal?: AbortSignal): Promise<TwitchChannelInfo[]> {
    const missing = refs.filter((r) => !this.channelCache.has(r.toLowerCase()));
    if (missing.length) {
      const found = await resolveChannels(this.helix(), missing, signal);
      missing.forEach((ref, i) => this.channelCache.set(ref.toLowerCase(), found[i]));
    }
    return refs.map((r) => this.channelCache.get(r.toLowerCase()) as TwitchChannelInfo);
  }

  async archive(channelRef: string, signal?: AbortSignal): Promise<Array<{ id: string; createdAt: string; title: string; durationSec: number }>> {
    const [channel] = await this.resolveChannels([channelRef], signal);
    if (!channel) throw new EngineError('permanent', 'channel_not_found', `Twitch has no channel ${channelRef}.`);
    return listArchiveVideos(this.helix(), channel.id, { signal });
  }
}

function createHelix(settings: Settings, secrets: Secrets, onTokens: (t: { accessToken: string; refreshToken: string }) => void): HelixClient {
  return new HelixClient({
    endpoints: settings.advanced.twitch,
    clientId: settings.twitch.clientId,
    clientSecret: secrets.twitchClientSecret ?? '',
    userTokens: secrets.twitchUserToken && secrets.twitchRefreshToken ? { accessToken: secrets.twitchUserToken, refreshToken: secrets.twitchRefreshToken } : undefined,
    onTokens,
  });
}
