import { z } from 'zod';

/**
 * Domain values shared by the engine, the shell and the UI. Plain data only: these cross the
 * protocol, so every type has a schema and the TypeScript type is derived from it.
 */

export const VodStatus = z.enum(['pending', 'live', 'processing', 'completed', 'failed', 'skipped']);
export type VodStatus = z.infer<typeof VodStatus>;

export const VodStage = z.enum(['queued', 'waiting', 'downloading', 'building', 'uploading', 'posting', 'cleaning', 'done']);
export type VodStage = z.infer<typeof VodStage>;

export const ErrorClassSchema = z.enum(['transient', 'permanent', 'login', 'disk', 'cancelled']);

export const StepState = z.enum(['pending', 'active', 'done', 'failed']);
export type StepState = z.infer<typeof StepState>;

export const PostRow = z.object({
  destinationId: z.string(),
  destinationName: z.string(),
  state: StepState,
  messageId: z.number().int().optional(),
  /** t.me link, or a file path for a local-folder destination. */
  link: z.string().optional(),
  error: z.string().optional(),
});
export type PostRow = z.infer<typeof PostRow>;

export const PartRow = z.object({
  index: z.number().int().min(1),
  bytes: z.number().int().nonnegative(),
  durationSec: z.number().nonnegative(),
  build: StepState,
  upload: StepState,
  /** 0..1 */
  uploadProgress: z.number().min(0).max(1),
  uploadSpeedBps: z.number().nonnegative().optional(),
  posts: z.array(PostRow),
});
export type PartRow = z.infer<typeof PartRow>;

export const DownloadProgress = z.object({
  bytes: z.number().nonnegative(),
  segmentsDone: z.number().int().nonnegative(),
  segmentsTotal: z.number().int().nonnegative(),
  speedBps: z.number().nonnegative(),
  etaSec: z.number().nonnegative().nullable(),
});
export type DownloadProgress = z.infer<typeof DownloadProgress>;

export const VodRow = z.object({
  id: z.string(),
  channelId: z.string(),
  channelName: z.string(),
  title: z.string(),
  /** ISO 8601, UTC. */
  createdAt: z.string(),
  durationSec: z.number().int().nonnegative(),
  url: z.string(),
  thumbnailUrl: z.string(),
  status: VodStatus,
  stage: VodStage,
  retries: z.number().int().nonnegative(),
  nextRetryAt: z.string().nullable(),
  lastError: z.string().nullable(),
  errorClass: ErrorClassSchema.nullable(),
  /** The engine's code for `lastError` (EngineError.code), for the UI's own words. */
  errorCode: z.string().nullable(),
  download: DownloadProgress.nullable(),
  parts: z.array(PartRow),
  partsTotal: z.number().int().nonnegative().nullable(),
  updatedAt: z.string(),
  /** The broadcast is being recorded now (live archiving): `durationSec` is its length so far. */
  recording: z.boolean().optional(),
});
export type VodRow = z.infer<typeof VodRow>;

export const EngineState = z.enum(['idle', 'working', 'paused', 'error', 'loginNeeded', 'setupNeeded']);
export type EngineState = z.infer<typeof EngineState>;

/** A configured channel that discovery could not check, and why (the UI shows it beside the channel). */
export const ChannelProblem = z.object({ channel: z.string(), message: z.string() });
export type ChannelProblem = z.infer<typeof ChannelProblem>;

export const EngineStatus = z.object({
  state: EngineState,
  message: z.string().nullable(),
  nextCheckAt: z.string().nullable(),
  diskFreeBytes: z.number().nullable(),
  /** From the last discovery pass; absent before the first one. The other channels go on. */
  channelProblems: z.array(ChannelProblem).optional(),
});
export type EngineStatus = z.infer<typeof EngineStatus>;

/** What the Telegram login form shows next. */
export const LoginStep = z.discriminatedUnion('step', [
  z.object({ step: z.literal('idle') }),
  z.object({ step: z.literal('phone'), error: z.string().optional() }),
  z.object({
    step: z.literal('code'),
    /** Where Telegram sent the code. */
    via: z.enum(['app', 'sms', 'call', 'email', 'other']),
    codeLength: z.number().int().optional(),
    error: z.string().optional(),
  }),
  z.object({ step: z.literal('password'), hint: z.string().optional(), error: z.string().optional() }),
  z.object({ step: z.literal('qr'), url: z.string(), expiresAt: z.string() }),
  z.object({ step: z.literal('done'), account: z.lazy(() => TelegramAccount) }),
  z.object({ step: z.literal('failed'), error: z.string() }),
]);
export type LoginStep = z.infer<typeof LoginStep>;

export const TelegramAccount = z.object({
  id: z.string(),
  name: z.string(),
  username: z.string().optional(),
  premium: z.boolean(),
  bot: z.boolean(),
});
export type TelegramAccount = z.infer<typeof TelegramAccount>;

export const ChatOption = z.object({
  /** Bot-API style id: `-100…` for channels and supergroups, `-…` for basic groups. */
  id: z.string(),
  title: z.string(),
  kind: z.enum(['channel', 'supergroup', 'group', 'forum', 'user']),
  username: z.string().optional(),
  topics: z.array(z.object({ id: z.number().int(), title: z.string() })).optional(),
});
export type ChatOption = z.infer<typeof ChatOption>;

export const TwitchChannelInfo = z.object({
  id: z.string(),
  login: z.string(),
  displayName: z.string(),
  avatarUrl: z.string().optional(),
});
export type TwitchChannelInfo = z.infer<typeof TwitchChannelInfo>;
