import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import type { ToolInfo } from '../contract/app';
import { findTool, requireTool, toolVersion, type ToolName, type ToolSearch } from '../engine/util/binaries';

/**
 * The tools as the UI shows them (which copy is used, its version, or what to do when missing),
 * and "Update yt-dlp": its self-update, only on the bundled copy and only when that is writable
 * (an installed app under Program Files or /opt is not, and a PATH copy belongs to the system).
 */
export type ToolReport = ToolInfo;

const NAMES: ToolName[] = ['ffmpeg', 'ffprobe', 'yt-dlp'];

export async function describeTools(search: ToolSearch): Promise<ToolReport[]> {
  return Promise.all(
    NAMES.map(async (name): Promise<ToolReport> => {
      try {
        const found = requireTool(name, search);
        const version = await toolVersion(found);
        return { name, path: found.path, source: found.source, version: version ?? null, error: version ? null : `${found.path} did not run.` };
      } catch (err) {
        return { name, path: null, source: null, version: null, error: (err as Error).message };
      }
    }),
  );
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    accessSync(dirname(path), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export interface UpdateResult {
  updated: boolean;
  message: string;
  version: string | null;
}

export async function updateBundledYtDlp(search: ToolSearch, timeoutMs = 180_000): Promise<UpdateResult> {
  // Only the bundled copy: never PATH (a package manager owns it) nor the override (the user's).
  const bundled = findTool('yt-dlp', { ...search, overrides: {}, envPath: '' });
  if (!bundled || bundled.source !== 'bundled')
    return { updated: false, message: 'There is no bundled yt-dlp to update; update your own copy with its package manager or `yt-dlp -U`.', version: null };
  if (!writable(bundled.path)) return { updated: false, message: `${bundled.path} is not writable (installed for all users); update the app instead.`, version: null };
  const output = await new Promise<{ code: number; text: string }>((resolve) => {
    execFile(bundled.path, ['-U'], { timeout: timeoutMs, windowsHide: true }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, text: `${stdout}\n${stderr}`.trim() });
    });
  });
  const tail = output.text.split('\n').slice(-4).join('\n');
  const version = (await toolVersion(bundled)) ?? null;
  return { updated: output.code === 0, message: tail || (output.code === 0 ? 'Up to date.' : `yt-dlp -U exited with ${output.code}.`), version };
}
