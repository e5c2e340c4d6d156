import { z } from 'zod';
import { EngineStatus } from './domain';
import { Notice } from './protocol';
import { SecretsSchema } from './settings';

/**
 * Messages between the engine and whatever hosts it (Electron's main process over the utility
 * process's parentPort; the headless runner in-process). Renderer traffic does not pass here: the
 * renderer gets its own MessagePort straight to the engine.
 */

export const EnginePaths = z.object({
  /** App data folder: default home of the database and work folder. */
  dataDir: z.string().min(1),
  /** The engine's own rotating log file (headless); empty = no file: the Electron app's engine sends
   *  its lines to main as `log` messages instead, so one process writes and rotates the one file. */
  logFile: z.string(),
  /** `process.resourcesPath` in a packaged app (bundled tools live in bin/); empty otherwise. */
  resourcesDir: z.string(),
});
export type EnginePaths = z.infer<typeof EnginePaths>;

/** Host -> engine. */
export const HostToEngine = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('init'),
    settings: z.unknown(),
    secrets: SecretsSchema,
    paths: EnginePaths,
    /** What was wrong with the stored settings (the host then sends defaults); shown in the UI. */
    settingsProblems: z.array(z.object({ path: z.string(), message: z.string() })).default([]),
  }),
  z.object({ type: z.literal('settings.changed'), settings: z.unknown() }),
  z.object({ type: z.literal('secrets.changed'), secrets: SecretsSchema }),
  /** A renderer's port follows in the message's `ports`. */
  z.object({ type: z.literal('port') }),
  z.object({ type: z.literal('shutdown') }),
  /** An app update is downloaded: may it be installed now (no upload in flight)? Answered by `safePoint`. */
  z.object({ type: z.literal('safePoint.request') }),
]);
export type HostToEngine = z.infer<typeof HostToEngine>;

/** Engine -> host. */
export const EngineToHost = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  /** Secrets changed inside the engine (a new Telegram session, refreshed Twitch tokens): store them. */
  z.object({ type: z.literal('persist.secrets'), patch: SecretsSchema.partial(), remove: z.array(z.string()).default([]) }),
  z.object({ type: z.literal('persist.settings'), settings: z.unknown() }),
  z.object({ type: z.literal('notice'), notice: Notice }),
  /** For the tray: state, message, and a one-line progress summary. */
  z.object({ type: z.literal('status'), status: EngineStatus, summary: z.string() }),
  z.object({ type: z.literal('fatal'), message: z.string() }),
  z.object({ type: z.literal('safePoint'), safe: z.boolean(), reason: z.string() }),
  /** One engine log line (already redacted) for main's log file. */
  z.object({
    type: z.literal('log'),
    line: z.object({ time: z.string(), level: z.enum(['debug', 'info', 'warn', 'error']), scope: z.string(), message: z.string() }),
  }),
]);
export type EngineToHost = z.infer<typeof EngineToHost>;
