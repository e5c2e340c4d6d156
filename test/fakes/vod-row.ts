import type { VodRow } from '../../electron/contract/domain';

/** A queue row as the engine sends it (core/vod-rows.ts), pending with nothing done; tests patch what they look at. */
export function vodRowFixture(patch: Partial<VodRow> = {}): VodRow {
  const id = patch.id ?? '1';
  return {
    id,
    channelId: '1',
    channelName: 'alice',
    title: `VOD ${id}`,
    createdAt: '2026-01-01T00:00:00Z',
    durationSec: 60,
    url: '',
    thumbnailUrl: '',
    status: 'pending',
    stage: 'queued',
    retries: 0,
    nextRetryAt: null,
    lastError: null,
    errorClass: null,
    errorCode: null,
    download: null,
    parts: [],
    partsTotal: null,
    updatedAt: '2026-01-01T00:00:00Z',
    ...patch,
  };
}
