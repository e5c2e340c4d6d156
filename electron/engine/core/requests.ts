import type { ParsedParams, RequestName, RequestResult } from '../../contract/protocol';
import { SECRET_NAMES, secretsPresence, type Secrets } from '../../contract/settings';
import { importLegacy } from '../settings/legacy-import';
import { getVod } from '../store/vods';
import { findTool, toolVersion, type ToolName } from '../util/binaries';
import { EngineError } from '../util/errors';
import { recentLogLines } from '../util/log';
import type { Engine } from './engine';
import type { Services } from './services';
import { listHistory } from '../queries/history';
import { previewCaption } from '../queries/caption-preview';
import { previewScope } from '../queries/scope-preview';
import { repostTo, retryDestination } from '../queries/vod-actions';
import { vodThumbnail } from '../twitch/thumbnails';

type Handler<N extends RequestName> = (params: ParsedParams<N>) => Promise<RequestResult<N>> | RequestResult<N>;
export type Handlers = { [N in RequestName]: Handler<N> };

function need<T>(service: T | undefined, what: string): T {
  if (!service) throw new EngineError('permanent', 'not_ready', `${what} is not available until the settings are complete.`);
  return service;
}

/** One handler per protocol request. Params arrive validated (see host/dispatch). */
export function createHandlers(engine: Engine, services: Services): Handlers {
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
    'settings.update': ({ settings }) => {
      const result = engine.updateSettings(settings, { persist: true });
      if (!result.ok) {
        const first = result.problems[0];
        throw Object.assign(new EngineError('permanent', 'invalid_settings', `Invalid settings: ${result.problems.map((p) => `${p.path} ${p.message}`).join('; ')}`), {
          field: first?.path,
          problems: result.problems,
        });
      }
      return result.view;
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
    'twitch.test': (candidate) => need(services.twitch, 'Twitch').test(candidate),
    'twitch.resolveChannels': ({ channels }) => need(services.twitch, 'Twitch').resolveChannels(channels),
    'telegram.login.start': (params) => need(services.telegram, 'Telegram').startLogin(params),
    'telegram.login.code': ({ code }) => need(services.telegram, 'Telegram').submitCode(code),
    'telegram.login.password': ({ password }) => need(services.telegram, 'Telegram').submitPassword(password),
    'telegram.login.cancel': () => need(services.telegram, 'Telegram').cancelLogin(),
    'telegram.logout': async () => {
      await need(services.telegram, 'Telegram').logout();
      return ok;
    },
    'telegram.chats': () => need(services.telegram, 'Telegram').chats(),
    'queue.checkNow': () => (need(services.queue, 'The queue').checkNow(), ok),
    'queue.pause': () => (need(services.queue, 'The queue').pause(), ok),
    'queue.resume': () => (need(services.queue, 'The queue').resume(), ok),
    'vod.retryNow': ({ vodId }) => (vodMustExist(vodId), need(services.queue, 'The queue').retryNow(vodId), ok),
    'vod.skip': ({ vodId }) => (vodMustExist(vodId), need(services.queue, 'The queue').skip(vodId), ok),
    'vod.cancel': ({ vodId }) => (vodMustExist(vodId), need(services.queue, 'The queue').cancel(vodId), ok),
    'vod.repost': ({ vodId }) => (vodMustExist(vodId), need(services.queue, 'The queue').repost(vodId), ok),
    'vod.retryDestination': (params) => retryDestination(engine, need(services.queue, 'The queue'), params),
    'vod.repostTo': (params) => repostTo(engine, need(services.queue, 'The queue'), params),
    'vod.thumbnail': async ({ vodId, part }) => ({
      dataUrl: await vodThumbnail({ db: engine.db, dataDir: engine.paths.dataDir, livePhrases: engine.settings.vod.liveThumbnailPhrases }, vodId, part),
    }),
    'caption.preview': (params) => previewCaption(engine.db, params, engine.account?.premium ?? engine.settings.telegram.premium === 'yes'),
    'scope.preview': (params) => previewScope(params, (channel) => need(services.twitch, 'Twitch').archive(channel)),
    'history.list': (params) => listHistory(engine, params),
    'logs.tail': ({ limit, level }) => recentLogLines(limit, level),
    'tools.info': async () => {
      const tools = engine.settings.advanced.tools;
      const overrides = { ffmpeg: tools.ffmpeg || undefined, ffprobe: tools.ffprobe || undefined, 'yt-dlp': tools.ytDlp || undefined };
      return Promise.all(
        (['ffmpeg', 'ffprobe', 'yt-dlp'] as ToolName[]).map(async (name) => {
          const found = findTool(name, { overrides, resourcesDir: engine.paths.resourcesDir || undefined });
          if (!found) return { name, path: null, source: null, version: null, error: `${name} was not found` };
          return { name, path: found.path, source: found.source, version: (await toolVersion(found)) ?? null, error: null };
        }),
      );
    },
  };
}
