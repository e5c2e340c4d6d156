/**
 * How big an MP4 gets from MPEG-TS input, as upper bounds the planner and the builder share.
 *
 * - Media bytes: a TS file is 188-byte packets with at least 4 bytes of header each; PES headers,
 *   ADTS headers (removed by aac_adtstoasc) and PAT/PMT packets also go away in MP4. Annex B start
 *   codes become 4-byte lengths (at most +1 byte per NAL, far less than the PES header each frame
 *   loses). So the MP4's media payload is at most 184/188 of the TS bytes.
 * - moov: reserved up front (`-moov_size`) so the file is written once with the index first. Its
 *   size grows with the sample count. Per video sample: stsz 4 + stco 4 + stsc 12 (worst case one
 *   chunk per sample) + ctts 8 + stss/stts slack 4 = 32 bytes; per audio frame: stsz 4 + stco 4 +
 *   stsc 12 = 20 bytes. Measured moovs are well under this (about 8-14 bytes per sample).
 * - Fixed: ftyp, mvhd/trak headers, codec configs, the `free` and `mdat` headers: 64 KiB.
 */
export const TS_PAYLOAD_RATIO = 184 / 188;
export const MOOV_BYTES_PER_VIDEO_SAMPLE = 32;
export const MOOV_BYTES_PER_AUDIO_FRAME = 20;
export const MOOV_FIXED_BYTES = 64 * 1024;
/** Twitch serves at most 60 fps; AAC at 48 kHz is 46.875 frames per second. */
export const DEFAULT_VIDEO_FPS = 60;
export const DEFAULT_AUDIO_FRAMES_PER_SEC = 48_000 / 1024;

export interface SampleRates {
  videoFps?: number;
  audioFramesPerSec?: number;
}

/** Bytes to reserve for the moov atom of a part lasting `durationSec`. */
export function moovReserveBytes(durationSec: number, rates: SampleRates = {}): number {
  const fps = rates.videoFps && rates.videoFps > 0 ? rates.videoFps : DEFAULT_VIDEO_FPS;
  const afps = rates.audioFramesPerSec && rates.audioFramesPerSec > 0 ? rates.audioFramesPerSec : DEFAULT_AUDIO_FRAMES_PER_SEC;
  const perSec = fps * MOOV_BYTES_PER_VIDEO_SAMPLE + afps * MOOV_BYTES_PER_AUDIO_FRAME;
  return Math.ceil(Math.max(0, durationSec) * perSec) + MOOV_FIXED_BYTES;
}
