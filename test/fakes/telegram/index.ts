/** The Telegram stand-in: a loopback MTProto server for GramJS (see README.md). */
export { startTelegramStandIn } from './server';
export type { StandInOptions, StandInSnapshot, TelegramStandIn } from './server';
export type { FaultSpec, ActiveFault } from './faults';
export { accessHashFor } from './views';
export type { ChatRecord, ChatSeed, MessageRecord, UploadRecord, UserRecord, UserSeed, DocumentRecord } from './state';
export { serverSetting, STANDIN_API_HASH, STANDIN_API_ID } from './client';
export type { StandInAddress } from './client';
export type { StandInProcess, StandInProcessInfo } from './process';
