import type { ParsedParams, RequestResult } from '../../../contract/protocol';
import { vodRow } from '../vod-rows';
import type { Engine } from '../engine';
import { historyChannels, historyPage } from '../../store/history';

/** `history.list`: one page of finished VODs with every post (links included), and the channel filter's choices. */
export function listHistory(engine: Engine, params: ParsedParams<'history.list'>): RequestResult<'history.list'> {
  const { records, total } = historyPage(engine.db, params);
  return { rows: records.map((v) => vodRow(engine.db, v, engine.settings)), total, channels: historyChannels(engine.db) };
}
