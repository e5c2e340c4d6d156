import type { ParsedParams, RequestResult } from '../../../contract/protocol';
import { scopePreview, type ScopeVideo } from '../../twitch/backup-scope';

/**
 * `scope.preview`: the channel's archive as Twitch lists it now, judged by the scope the user is
 * choosing. `listVideos` is the Twitch service's archive listing (all pages).
 */
export async function previewScope(
  params: ParsedParams<'scope.preview'>,
  listVideos: (channel: string) => Promise<ScopeVideo[]>,
  now = Date.now(),
): Promise<RequestResult<'scope.preview'>> {
  return scopePreview(params.scope, await listVideos(params.channel), now);
}
