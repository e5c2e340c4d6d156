import type { ParsedParams, RequestName, RequestResult } from '../../contract/protocol';
import { SECRET_NAMES, secretsPresence, type Secrets } from '../../contract/settings';
import { importLegacy } from '../settings/legacy-import';
import type { QueueControl } from '../pipeline/ports';
import { operationsFor } from '../store/operations';
import { getVod } from '../store/vods';
import { EngineError } from '../util/errors';
import { recentLogLines } from '../util/log';
import type { Engine } from './engine';
import type { TelegramService } from './telegram-service';
import type { TwitchService } from './twitch-service';
import { listHistory } from './queries/history';
import { previewCaption } from './queries/caption-preview';
import { previewScope } from './queries/scope-preview';
import { repostTo, retryDestination } from './queries/vod-actions';
import { vodThumbnail } from '../twitch/thumbnails';
import { destinationWarnings } from './queries/destination-warnings';

type Handler<N extends RequestName> = (params: ParsedParams<N>) => Promise<RequestResult<N>> | RequestResult<N>;
export type Handlers = { [N in RequestName]: Handler<N> };

/** The services the handlers drive, all built before the handlers (core/start-engine.ts). */
export interface HandlerServices {
  queue: QueueControl;
  telegram: TelegramService;
  twitch: TwitchService;
}

/** One handler per protocol request. Params arrive validated (see ./dispatch). */
export function createHandlers(engine: Engine, services: HandlerServices): Handlers {
  const { queue, telegram, twitch } = services;
  const ok = { ok: true } as const;
  const vodMustExist = (vodId: string) => {
    if (!getVod(engine.db, vodId)) throw new EngineError('permanent', 'not_found', `No VOD ${vodId} is known.`);
  };
  return {
    'snapshot.get': () => ({
      status: engine.status,
      vods: engine.queueRows(),
      login: engine.login,
      account: engine.account,
      settings: engine.settingsView(),
    }),
    'settings.get': () => engine.settingsView(),
    'settings.update': async ({ settings }) => {
      const result = engine.updateSettings(settings, { persist: true });
      if (!result.ok) {
        const first = result.problems[0];
        throw Object.assign(new EngineError('permanent', 'invalid_settings', `Invalid settings: ${result.problems.map((p) => `${p.path} ${p.message}`).join('; ')}`), {
          field: first?.path,
          problems: result.problems,
        });
      }
      // Saved first; then whether the account can post in each Telegram destination (issue 16 item 1).
      return { ...result.view, warnings: await destinationWarnings(telegram, result.view.settings.destinations) };
    },
    'settings.validate': ({ settings }) => {
      const result = engine.updateSettingsDryRun(settings);
      return { problems: result };
    },
    'settings.importLegacy': (params) => importLegacy(engine, params),
    'secrets.set': ({ patch }) => {
      const clean: Partial<Secrets> = {};
      const remove: Array<keyof Secrets> = [];
      for (const name of SECRET_NAMES) {
        if (!(name in patch)) continue;
        const value = patch[name];
        if (value) clean[name] = value;
        else remove.push(name);
      }
      engine.updateSecrets(clean, remove);
      return { secrets: secretsPresence(engine.secrets) };
    },
    'twitch.test': (candidate) => twitch.test(candidate),
    'twitch.resolveChannels': ({ channels }) => twitch.resolveChannels(channels),
    'telegram.login.start': (params) => telegram.startLogin(params),
    'telegram.login.code': ({ code }) => telegram.submitCode(code),
    'telegram.login.password': ({ password }) => telegram.submitPassword(password),
    'telegram.login.cancel': () => telegram.cancelLogin(),
    'telegram.logout': async () => {
      await telegram.logout();
      return ok;
    },
    'telegram.chats': () => telegram.chats(),
    'queue.checkNow': () => (queue.checkNow(), ok),
    'queue.pause': () => (queue.pause(), ok),
    'queue.resume': () => (queue.resume(), ok),
    'vod.retryNow': ({ vodId }) => (vodMustExist(vodId), queue.retryNow(vodId), ok),
    'vod.skip': ({ vodId }) => (vodMustExist(vodId), queue.skip(vodId), ok),
    'vod.cancel': ({ vodId }) => (vodMustExist(vodId), queue.cancel(vodId), ok),
    'vod.repost': ({ vodId }) => (vodMustExist(vodId), queue.repost(vodId), ok),
    'vod.retryDestination': (params) => retryDestination(engine, queue, params),
    'vod.repostTo': (params) => repostTo(engine, queue, params),
    'vod.thumbnail': async ({ vodId, part }) => ({
      dataUrl: await vodThumbnail({ db: engine.db, dataDir: engine.paths.dataDir, livePhrases: engine.settings.vod.liveThumbnailPhrases }, vodId, part),
    }),
    'caption.preview': (params) => previewCaption(engine.db, params, engine.account?.premium ?? engine.settings.telegram.premium === 'yes'),
    'scope.preview': (params) => previewScope(params, (channel) => twitch.archive(channel)),
    'history.list': (params) => listHistory(engine, params),
    'logs.tail': ({ limit, level }) => recentLogLines(limit, level),
    'vod.operations': ({ vodId, limit }) => {
      vodMustExist(vodId);
      return operationsFor(engine.db, vodId, limit).map((o) => ({ id: o.id, type: o.operation_type, status: o.status, time: o.timestamp, details: o.details }));
    },
  };
}
