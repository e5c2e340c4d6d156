import { describe, expect, it } from 'vitest';
import type { EngineStatus, PartRow, VodRow } from '../../electron/contract/domain';
import { appStatus, queueFacts, statusWordKey } from '../../electron/contract/status';
import { shellText } from '../../electron/contract/shell-text';
import { statusLine } from '../../electron/main/tray-model';
import { formatHoursMinutes } from '../../renderer/src/lib/format';
import { vodPhase } from '../../renderer/src/lib/queue';
import { vodRowFixture } from '../fakes/vod-row';

const status = (state: EngineStatus['state']): EngineStatus => ({ state, message: null, nextCheckAt: null, diskFreeBytes: null });
const part = (index: number, posted: boolean): PartRow => ({
  index,
  bytes: 1,
  durationSec: 600,
  build: 'done',
  upload: posted ? 'done' : 'pending',
  uploadProgress: posted ? 1 : 0,
  posts: [{ destinationId: 'tg:1', destinationName: 'Archive', state: posted ? 'done' : 'pending' }],
});
const recording = (patch: Partial<VodRow> = {}): VodRow =>
  vodRowFixture({
    channelName: 'a',
    title: 'Live night',
    durationSec: 72 * 60 + 20,
    status: 'processing',
    stage: 'downloading',
    parts: [part(1, true), part(2, true), part(3, true), part(4, false)],
    recording: true,
    ...patch,
  });

describe('a broadcast backed up as it runs', () => {
  it('reads "Recording: 1 h 12 min so far, 3 parts posted" on its queue card', () => {
    const phrase = vodPhase(recording(), 0);
    expect(phrase).toEqual({ key: 'phase.recording', params: { time: '1 h 12 min', count: 3 } });
    expect(formatHoursMinutes(59)).toBe('0 min');
    // Once recorded, the card says what the stages do again.
    expect(vodPhase(recording({ recording: false }), 0).key).toBe('phase.waitingDownload');
  });

  it('makes the header and the tray say "Recording" while a broadcast is recorded, "Working" otherwise', () => {
    const live = appStatus(status('working'), queueFacts([recording()]));
    expect(statusWordKey(live)).toBe('status.recording');
    const plain = appStatus(status('working'), queueFacts([recording({ recording: false })]));
    expect(statusWordKey(plain)).toBe('status.working');
    expect(shellText('en', 'status.recording')).toBe('Recording');
    expect(shellText('it', 'status.recording')).toBe('In registrazione');
    expect(statusLine({ status: live, lang: 'en', locale: 'en-GB', lastBackupAt: null, now: Date.now() })).toMatch(/^Recording/);
  });
});
