import { nowIso, type Db } from './database';

/** Telegram peers with their access hashes, so sending works after a restart (StringSession keeps none). */
export interface PeerRecord {
  id: string;
  kind: string;
  accessHash: string;
  title: string;
  username?: string;
}

export function getPeer(db: Db, id: string): PeerRecord | undefined {
  const row = db.prepare(`SELECT id, kind, access_hash, title, username FROM tg_peers WHERE id = ?`).get(id) as
    | { id: string; kind: string; access_hash: string; title: string; username: string | null }
    | undefined;
  return row ? { id: row.id, kind: row.kind, accessHash: row.access_hash, title: row.title, username: row.username ?? undefined } : undefined;
}

export function putPeer(db: Db, peer: PeerRecord): void {
  db.prepare(
    `INSERT INTO tg_peers (id, kind, access_hash, title, username, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, access_hash = excluded.access_hash, title = excluded.title,
       username = excluded.username, updated_at = excluded.updated_at`,
  ).run(peer.id, peer.kind, peer.accessHash, peer.title, peer.username ?? null, nowIso());
}
