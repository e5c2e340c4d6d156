/**
 * Pure helpers for icon files: reading a PNG's size and packing PNGs into a Windows .ico
 * (PNG-compressed entries, supported since Windows Vista; 256 px is stored as width/height 0).
 */
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** @param {Buffer} png @returns {{width: number, height: number}} */
export function pngSize(png) {
  if (png.length < 24 || !png.subarray(0, 8).equals(PNG_SIGNATURE) || png.toString('latin1', 12, 16) !== 'IHDR') {
    throw new Error('not a PNG file (bad signature or missing IHDR)');
  }
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** @param {Buffer[]} pngs square PNGs of at most 256 px @returns {Buffer} */
export function buildIco(pngs) {
  if (pngs.length === 0) throw new Error('an .ico needs at least one image');
  const sizes = pngs.map((p, i) => {
    const { width, height } = pngSize(p);
    if (width !== height || width < 1 || width > 256) throw new Error(`image ${i} is ${width}x${height}; .ico entries must be square, 1-256 px`);
    return width;
  });
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(pngs.length, 4);
  const entries = Buffer.alloc(16 * pngs.length);
  let offset = 6 + entries.length;
  pngs.forEach((png, i) => {
    const e = i * 16;
    entries.writeUInt8(sizes[i] === 256 ? 0 : sizes[i], e);
    entries.writeUInt8(sizes[i] === 256 ? 0 : sizes[i], e + 1);
    entries.writeUInt8(0, e + 2); // palette colours
    entries.writeUInt8(0, e + 3); // reserved
    entries.writeUInt16LE(1, e + 4); // colour planes
    entries.writeUInt16LE(32, e + 6); // bits per pixel
    entries.writeUInt32LE(png.length, e + 8);
    entries.writeUInt32LE(offset, e + 12);
    offset += png.length;
  });
  return Buffer.concat([header, entries, ...pngs]);
}

/** Reads an .ico back into its entries (used by the tests and to check generated files). */
export function parseIco(ico) {
  if (ico.length < 6 || ico.readUInt16LE(0) !== 0 || ico.readUInt16LE(2) !== 1) throw new Error('not an .ico file');
  const count = ico.readUInt16LE(4);
  const out = [];
  for (let i = 0; i < count; i++) {
    const e = 6 + i * 16;
    const size = ico.readUInt8(e) || 256;
    const length = ico.readUInt32LE(e + 8);
    const offset = ico.readUInt32LE(e + 12);
    if (offset + length > ico.length) throw new Error(`entry ${i} points past the end of the file`);
    out.push({ size, data: ico.subarray(offset, offset + length) });
  }
  return out;
}
