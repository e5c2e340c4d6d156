/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many ran. Never edit a
 * shipped migration: add a new one. The legacy script's columns are kept in `vods` (same names) so
 * an imported database reads the same.
 */
export const MIGRATIONS: string[] = [
  /* 1 */ `
  CREATE TABLE vods (
    id            TEXT PRIMARY KEY,
    channel_id    TEXT NOT NULL DEFAULT '',
    channel_name  TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    duration      INTEGER NOT NULL DEFAULT 0,
    duration_str  TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('pending','live','processing','completed','failed','skipped')),
    stage         TEXT NOT NULL DEFAULT 'queued',
    retries       INTEGER NOT NULL DEFAULT 0,
    last_attempt  TEXT,
    next_retry    TEXT,
    last_checked  TEXT,
    last_error    TEXT,
    error_class   TEXT,
    url           TEXT NOT NULL DEFAULT '',
    thumbnail_url TEXT NOT NULL DEFAULT '',
    stream_id     TEXT,
    published_at  TEXT,
    muted_segments TEXT,
    quality       TEXT,
    parts_total   INTEGER,
    missing_since TEXT,
    generation    INTEGER NOT NULL DEFAULT 0,
    imported      INTEGER NOT NULL DEFAULT 0,
    updated_at    TEXT NOT NULL
  );
  CREATE INDEX vods_status ON vods(status, next_retry);

  CREATE TABLE segments (
    vod_id   TEXT NOT NULL REFERENCES vods(id) ON DELETE CASCADE,
    idx      INTEGER NOT NULL,
    uri      TEXT NOT NULL,
    duration REAL NOT NULL,
    muted    INTEGER NOT NULL DEFAULT 0,
    bytes    INTEGER,
    done     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (vod_id, idx)
  );

  CREATE TABLE parts (
    vod_id        TEXT NOT NULL REFERENCES vods(id) ON DELETE CASCADE,
    idx           INTEGER NOT NULL,
    first_segment INTEGER NOT NULL,
    last_segment  INTEGER NOT NULL,
    planned_bytes INTEGER NOT NULL,
    start_sec     REAL NOT NULL,
    duration      REAL NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('planned','built','uploaded','posted')),
    bytes         INTEGER,
    width         INTEGER,
    height        INTEGER,
    path          TEXT,
    thumb_path    TEXT,
    upload_resume TEXT,
    document      TEXT,
    PRIMARY KEY (vod_id, idx)
  );

  CREATE TABLE uploads (
    vod_id      TEXT NOT NULL REFERENCES vods(id) ON DELETE CASCADE,
    generation  INTEGER NOT NULL DEFAULT 0,
    part_idx    INTEGER NOT NULL,
    destination TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('pending','sending','posted','failed')),
    random_id   TEXT,
    message_id  INTEGER,
    link        TEXT,
    posted_at   TEXT,
    error       TEXT,
    PRIMARY KEY (vod_id, generation, part_idx, destination)
  );

  CREATE TABLE operations (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    vod_id         TEXT,
    operation_type TEXT NOT NULL,
    status         TEXT NOT NULL,
    timestamp      TEXT NOT NULL,
    details        TEXT
  );
  CREATE INDEX operations_vod ON operations(vod_id, id);

  CREATE TABLE tg_peers (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    access_hash TEXT NOT NULL,
    title       TEXT NOT NULL DEFAULT '',
    username    TEXT,
    updated_at  TEXT NOT NULL
  );

  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
  /* 2: the codec/picture signature of each segment, so a part never spans a change of it */ `
  ALTER TABLE segments ADD COLUMN stream_key TEXT;
  `,
  /* 3: the last message id recorded in the chat when a send began, where a lost post is looked for */ `
  ALTER TABLE uploads ADD COLUMN after_message_id INTEGER;
  `,
  /* 4: live archiving (issue 15): each segment's discontinuity run, the caption each post carries
     (and its edit state), and the index message per destination */ `
  ALTER TABLE segments ADD COLUMN discontinuity_seq INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE uploads ADD COLUMN caption TEXT;
  ALTER TABLE uploads ADD COLUMN edit_state TEXT CHECK (edit_state IN ('refused'));
  CREATE TABLE index_posts (
    vod_id      TEXT NOT NULL REFERENCES vods(id) ON DELETE CASCADE,
    generation  INTEGER NOT NULL DEFAULT 0,
    destination TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    random_id   TEXT NOT NULL,
    message_id  INTEGER,
    pinned      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (vod_id, generation, destination, seq)
  );
  `,
  /* 5: the engine's code for the last error beside its (English) message, so the UI says it in the
     user's language without matching sentences */ `
  ALTER TABLE vods ADD COLUMN error_code TEXT;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
