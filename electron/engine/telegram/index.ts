/**
 * Telegram module: connection and login (GramJS behind ./gramjs), destinations, resumable
 * uploader, posting, captions and alerts. The pipeline imports from here.
 */
export { TelegramConnection, LoginFlow } from './gramjs';
export type { PartTransport, PartRequest } from './uploader';
export * from './types';
export * from './caption';
export * from './alerts';
export type { ChatRef } from './destination-rules';
