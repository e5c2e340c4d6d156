/**
 * A file name from a hostile title: no path separators, no characters Windows refuses, no
 * control characters, no trailing dots or spaces, bounded length (bytes matter on most file
 * systems, so the cut is by UTF-8 size without splitting a character).
 */
export function safeFileName(text: string, maxBytes = 150): string {
  let name = text
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
    .replace(/[\u0000-\u001f\u007f<>:"/\\|?*]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '');
  if (/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(name)) name = `_${name}`;
  let out = '';
  for (const ch of name) {
    if (Buffer.byteLength(out + ch) > maxBytes) break;
    out += ch;
  }
  out = out.replace(/[. ]+$/, '');
  return out || 'untitled';
}

/** A part's file name wherever a user sees it (a folder archive, a Telegram document): `part-01`. */
export function partName(index: number): string {
  return `part-${String(index).padStart(2, '0')}`;
}
