import { z } from 'zod';
import type { ChatOption, DownloadProgress, EngineStatus, LoginStep, PartRow, TelegramAccount, TwitchChannelInfo, VodRow } from './domain';
import type { Problem, SecretsPresence, Settings } from './settings';
import { BackupScope, SecretsSchema } from './settings';

/**
 * The UI <-> engine protocol. Every request the UI can make and every event the engine emits is
 * listed here once; the transports (a MessagePort in the app, a loopback WebSocket in browser mode,
 * direct calls in tests) only carry these messages. Params are validated at the engine's edge with
 * these schemas; results are typed by `RequestResults`.
 */

const empty = z.object({}).strict().prefault({});
const vodId = z.object({ vodId: z.string().min(1).max(64) }).strict();

export const requests = {
  'snapshot.get': empty,
  'settings.get': empty,
  /** Full settings object; the engine validates, persists through its host and applies live. */
  'settings.update': z.object({ settings: z.unknown() }).strict(),
  'settings.validate': z.object({ settings: z.unknown() }).strict(),
  /** Legacy import: `apply: false` only summarises. */
  'settings.importLegacy': z.object({ configJson: z.string().max(1_000_000), vodsDbPath: z.string().max(4096).optional(), apply: z.boolean() }).strict(),
  'secrets.set': z.object({ patch: SecretsSchema.partial() }).strict(),
  /** Tests the stored Twitch credentials, or these candidates without storing them (a refused secret is never kept). */
  'twitch.test': z
    .object({ clientId: z.string().trim().min(1).max(100).optional(), clientSecret: z.string().min(1).max(200).optional() })
    .strict()
    .prefault({}),
  'twitch.resolveChannels': z.object({ channels: z.array(z.string().trim().min(1).max(64)).min(1).max(50) }).strict(),
  'telegram.login.start': z.discriminatedUnion('method', [
    z
      .object({
        method: z.literal('phone'),
        phone: z
          .string()
          .trim()
          .regex(/^\+?[0-9 ()-]{5,20}$/, 'must be a phone number in international form, e.g. +39 333 1234567'),
      })
      .strict(),
    z.object({ method: z.literal('qr') }).strict(),
    z
      .object({
        method: z.literal('bot'),
        token: z
          .string()
          .trim()
          .regex(/^\d+:[A-Za-z0-9_-]{8,}$/, 'must be a bot token from @BotFather (123456:ABC…)'),
      })
      .strict(),
  ]),
  'telegram.login.code': z
    .object({
      code: z
        .string()
        .trim()
        .regex(/^[0-9]{4,8}$/, 'must be the 4-8 digit code'),
    })
    .strict(),
  'telegram.login.password': z.object({ password: z.string().min(1).max(256) }).strict(),
  'telegram.login.cancel': empty,
  'telegram.logout': empty,
  'telegram.chats': empty,
  'queue.checkNow': empty,
  'queue.pause': empty,
  'queue.resume': empty,
  'vod.retryNow': vodId,
  'vod.skip': vodId,
  'vod.cancel': vodId,
  'vod.repost': vodId,
  /** Post the VOD's failed (or unposted) parts to one destination again, leaving the others alone. */
  'vod.retryDestination': z.object({ vodId: z.string().min(1).max(64), destination: z.string().min(1).max(300) }).strict(),
  /** "Post again" to the chosen destinations only (a new generation for those). */
  'vod.repostTo': z.object({ vodId: z.string().min(1).max(64), destinations: z.array(z.string().min(1).max(300)).min(1).max(50) }).strict(),
  /** The VOD's picture as a data: URL the CSP allows (Twitch's, fetched and cached by the engine, or a part's own). */
  'vod.thumbnail': z.object({ vodId: z.string().min(1).max(64), part: z.number().int().min(1).optional() }).strict(),
  /** The caption the form's template makes for the newest known VOD (part 1), as Telegram would get it. */
  'caption.preview': z.object({ template: z.string().max(4096), dateFormat: z.string().max(64), timeZone: z.string().max(64) }).strict(),
  /** What a backup scope means for a channel before the first check: "12 VODs, 41 h, about 96 GB". */
  'scope.preview': z.object({ channel: z.string().trim().min(1).max(64), scope: BackupScope }).strict(),
  'history.list': z
    .object({
      query: z.string().max(200).default(''),
      /** Channel id or name; empty = every channel. */
      channel: z.string().max(64).default(''),
      status: z.enum(['completed', 'failed', 'skipped', 'all']).default('all'),
      limit: z.number().int().min(1).max(500).default(100),
      offset: z.number().int().min(0).default(0),
    })
    .strict()
    .prefault({}),
  'logs.tail': z
    .object({ limit: z.number().int().min(1).max(1000).default(200), level: z.enum(['debug', 'info', 'warn', 'error']).default('info') })
    .strict()
    .prefault({}),
  /** The VOD's audit log (newest first): each step's outcome, for History and support. */
  'vod.operations': z.object({ vodId: z.string().min(1).max(64), limit: z.number().int().min(1).max(1000).default(200) }).strict(),
} as const;

export type RequestName = keyof typeof requests;
export type RequestParams<N extends RequestName> = z.input<(typeof requests)[N]>;
export type ParsedParams<N extends RequestName> = z.output<(typeof requests)[N]>;

export interface SettingsView {
  settings: Settings;
  /** Validation problems of the stored settings plus what a run still needs. */
  problems: Problem[];
  secrets: SecretsPresence;
}
export interface Snapshot {
  status: z.infer<typeof EngineStatus>;
  vods: z.infer<typeof VodRow>[];
  login: z.infer<typeof LoginStep>;
  account: z.infer<typeof TelegramAccount> | null;
  settings: SettingsView;
}
export interface ImportSummary {
  applied: boolean;
  settings: Settings;
  /** Which secrets the legacy file held (values never leave the engine). */
  secretsFound: string[];
  /** Legacy keys that have no equivalent, with the reason. */
  unmapped: Array<{ key: string; reason: string }>;
  notes: string[];
  database: null | { path: string; vods: number; byStatus: Record<string, number>; alreadyKnown: number };
}
export interface OperationLine {
  id: number;
  type: string;
  status: string;
  time: string;
  details: string | null;
}
export interface LogLine {
  time: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  scope: string;
  message: string;
}

export interface RequestResults {
  'snapshot.get': Snapshot;
  'settings.get': SettingsView;
  /**
   * `warnings`: saved anyway, but worth showing by the field, e.g. `destinations.N.chatId` "This
   * account cannot post in X: ..." (checked with Telegram at each save; empty when not logged in).
   */
  'settings.update': SettingsView & { warnings: Problem[] };
  'settings.validate': { problems: Problem[] };
  'settings.importLegacy': ImportSummary;
  'secrets.set': { secrets: SecretsPresence };
  'twitch.test': { ok: boolean; message: string };
  'twitch.resolveChannels': z.infer<typeof TwitchChannelInfo>[];
  'telegram.login.start': z.infer<typeof LoginStep>;
  'telegram.login.code': z.infer<typeof LoginStep>;
  'telegram.login.password': z.infer<typeof LoginStep>;
  'telegram.login.cancel': z.infer<typeof LoginStep>;
  'telegram.logout': { ok: true };
  'telegram.chats': z.infer<typeof ChatOption>[];
  'queue.checkNow': { ok: true };
  'queue.pause': { ok: true };
  'queue.resume': { ok: true };
  'vod.retryNow': { ok: true };
  'vod.skip': { ok: true };
  'vod.cancel': { ok: true };
  'vod.repost': { ok: true };
  'vod.retryDestination': { ok: true };
  'vod.repostTo': { ok: true };
  'vod.thumbnail': { dataUrl: string | null };
  'caption.preview': { html: string; vodTitle: string | null; error: string | null };
  'scope.preview': { vods: number; durationSec: number; estimatedBytes: number; skipped: number };
  'history.list': { rows: z.infer<typeof VodRow>[]; total: number; channels: Array<{ id: string; name: string }> };
  'logs.tail': LogLine[];
  'vod.operations': OperationLine[];
}
export type RequestResult<N extends RequestName> = RequestResults[N];

export const Notice = z.object({
  kind: z.enum(['vodCompleted', 'vodFailed', 'loginNeeded', 'lowDisk', 'engineError', 'channelProblem']),
  title: z.string(),
  body: z.string(),
  vodId: z.string().optional(),
});
export type Notice = z.infer<typeof Notice>;

export interface EventData {
  status: z.infer<typeof EngineStatus>;
  /** A VOD row was added or changed (whole row). */
  vod: z.infer<typeof VodRow>;
  'vod.removed': { id: string };
  'download.progress': { vodId: string; progress: z.infer<typeof DownloadProgress> };
  'part.progress': { vodId: string; part: z.infer<typeof PartRow> };
  login: z.infer<typeof LoginStep>;
  account: z.infer<typeof TelegramAccount> | null;
  settings: SettingsView;
  log: LogLine;
  notice: Notice;
}
export type EventName = keyof EventData;
// ---- Wire messages -------------------------------------------------------------------------

export const RequestMessage = z.object({
  kind: z.literal('request'),
  id: z.number().int().nonnegative(),
  method: z.string().min(1).max(64),
  params: z.unknown().optional(),
});
export type RequestMessage = z.infer<typeof RequestMessage>;

export interface ProtocolError {
  /** `bad_request` (malformed message), `invalid_params` (field named in `field`), `unknown_method`, or an engine code. */
  code: string;
  message: string;
  field?: string;
  errorClass?: string;
}
export type ResponseMessage = { kind: 'response'; id: number; ok: true; result: unknown } | { kind: 'response'; id: number; ok: false; error: ProtocolError };
export interface EventMessage {
  kind: 'event';
  event: EventName;
  data: unknown;
}
export type EngineMessage = ResponseMessage | EventMessage;

export const RESPONSE_SCHEMA = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('response'), id: z.number(), ok: z.boolean(), result: z.unknown().optional(), error: z.unknown().optional() }),
  z.object({ kind: z.literal('event'), event: z.string(), data: z.unknown() }),
]);

export function isRequestName(name: string): name is RequestName {
  return Object.prototype.hasOwnProperty.call(requests, name);
}
export const REQUEST_NAMES = Object.keys(requests) as RequestName[];
