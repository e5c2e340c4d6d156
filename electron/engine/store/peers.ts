import { nowIso, type Db } from './database';
import { getMeta, setMeta } from './meta';

/**
 * Telegram peers with their access hashes, so sending works after a restart (StringSession keeps
 * none). One row per real peer id; the username is a column. Rows whose id starts with `@` are
 * aliases an earlier version wrote: never read back (their id is not a peer id).
 */
export interface PeerRecord {
  id: string;
  kind: string;
  accessHash: string;
  title: string;
  username?: string;
}

type Row = { id: string; kind: string; access_hash: string; title: string; username: string | null };

const toRecord = (row: Row | undefined): PeerRecord | undefined =>
  row && { id: row.id, kind: row.kind, accessHash: row.access_hash, title: row.title, username: row.username ?? undefined };

export function getPeer(db: Db, id: string): PeerRecord | undefined {
  if (id.startsWith('@')) return undefined;
  return toRecord(db.prepare(`SELECT id, kind, access_hash, title, username FROM tg_peers WHERE id = ?`).get(id) as Row | undefined);
}

/** The peer that has this username (without `@`, any case), newest first. */
export function getPeerByUsername(db: Db, username: string): PeerRecord | undefined {
  const row = db
    .prepare(`SELECT id, kind, access_hash, title, username FROM tg_peers WHERE lower(username) = lower(?) AND id NOT LIKE '@%' ORDER BY updated_at DESC LIMIT 1`)
    .get(username.replace(/^@/, '')) as Row | undefined;
  return toRecord(row);
}

export function putPeer(db: Db, peer: PeerRecord): void {
  if (peer.id.startsWith('@')) throw new Error(`tg_peers: "${peer.id}" is a username, not a peer id`);
  db.prepare(
    `INSERT INTO tg_peers (id, kind, access_hash, title, username, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, access_hash = excluded.access_hash, title = excluded.title,
       username = excluded.username, updated_at = excluded.updated_at`,
  ).run(peer.id, peer.kind, peer.accessHash, peer.title, peer.username ?? null, nowIso());
}

export function deletePeer(db: Db, id: string): void {
  db.prepare(`DELETE FROM tg_peers WHERE id = ?`).run(id);
}

/**
 * Access hashes are bound to the account that received them (another account sees other values
 * for the same chat), so the cache belongs to one account: when a different account is in use,
 * the old rows go. True when rows were dropped.
 */
export function bindPeersToAccount(db: Db, accountId: string): boolean {
  return db.transaction(() => {
    const current = getMeta(db, PEERS_ACCOUNT);
    if (current === accountId) return false;
    db.prepare(`DELETE FROM tg_peers`).run();
    setMeta(db, PEERS_ACCOUNT, accountId);
    return current !== undefined;
  })();
}

const PEERS_ACCOUNT = 'tg_peers_account';
