/** upload.saveFilePart / upload.saveBigFilePart, with the per-part latency used by benchmarks. */
import { setTimeout as sleep } from 'node:timers/promises';
import { Api } from 'telegram';
import { tlBool } from '../tl';
import { on } from './registry';

on(Api.upload.SaveFilePart, async (ctx, req) => {
  const u = ctx.user();
  ctx.core.uploads.savePart(u.id, req.fileId.toString(), req.filePart, Buffer.from(req.bytes));
  if (ctx.core.partDelayMs > 0) await sleep(ctx.core.partDelayMs);
  return tlBool(true);
});

on(Api.upload.SaveBigFilePart, async (ctx, req) => {
  const u = ctx.user();
  ctx.core.uploads.savePart(u.id, req.fileId.toString(), req.filePart, Buffer.from(req.bytes), req.fileTotalParts);
  if (ctx.core.partDelayMs > 0) await sleep(ctx.core.partDelayMs);
  return tlBool(true);
});
