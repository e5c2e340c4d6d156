/**
 * The only entry into GramJS (`telegram`, pinned 2.26.22). Everything else in the product uses
 * these classes and the plain types in ../types.
 */
export { TelegramConnection } from './connection';
export { LoginFlow } from './login';
export { editPostCaption, pinIndexMessage, postIndexMessage } from './live-posts';
