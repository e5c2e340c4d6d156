/**
 * Telegram module: connection and login (GramJS behind ./gramjs), destinations, resumable
 * uploader, posting, captions and alerts. The pipeline imports from here.
 */
export { TelegramConnection, LoginFlow, messageLink } from './gramjs';
export { uploadFile, canResume, ackedParts, partLimit, type PartTransport, type PartRequest } from './uploader';
export * from './types';
export * from './caption';
export * from './alerts';
export { toEngineError, isLoginNeeded, floodWaitSeconds, isDestinationError, destinationError, DESTINATION_ERRORS } from './rpcErrors';
export { parseChatRef, cannotPostReason, type ChatRef } from './destination-rules';
