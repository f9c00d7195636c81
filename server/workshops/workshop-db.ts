// The workshop database: one SQLite file (WAL, foreign keys), its schema as numbered migrations applied at open.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

export type WorkshopDb = Database.Database;

/** Append only: a migration that has shipped is never edited, a change is a new entry. PRAGMA user_version counts those applied. */
export const workshopMigrations: readonly string[] = [
  `CREATE TABLE workshops (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     join_code TEXT NOT NULL,
     host_token_hash TEXT NOT NULL UNIQUE,
     capacity INTEGER NOT NULL CHECK (capacity > 0),
     max_concurrent_runs INTEGER NOT NULL CHECK (max_concurrent_runs > 0),
     max_runs_per_attendee INTEGER NOT NULL CHECK (max_runs_per_attendee > 0),
     allowed_runtimes TEXT NOT NULL,
     max_timeout_ms INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     ended_at INTEGER
   );
   -- A code names one workshop at a time: among those not ended.
   CREATE UNIQUE INDEX workshops_open_join_code ON workshops (join_code) WHERE ended_at IS NULL;
   CREATE INDEX workshops_join_code ON workshops (join_code, created_at);
   CREATE TABLE attendees (
     id TEXT PRIMARY KEY,
     workshop_id TEXT NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     token_hash TEXT NOT NULL UNIQUE,
     joined_at INTEGER NOT NULL
   );
   CREATE INDEX attendees_workshop ON attendees (workshop_id, joined_at);
   CREATE TABLE progress (
     attendee_id TEXT NOT NULL REFERENCES attendees (id) ON DELETE CASCADE,
     demo TEXT NOT NULL,
     step INTEGER NOT NULL,
     at INTEGER NOT NULL,
     PRIMARY KEY (attendee_id, demo, step)
   );
   CREATE TABLE attendee_runs (
     run_id TEXT PRIMARY KEY,
     attendee_id TEXT NOT NULL REFERENCES attendees (id) ON DELETE CASCADE,
     runtime TEXT NOT NULL,
     started_at INTEGER NOT NULL,
     ended_at INTEGER
   );
   CREATE INDEX attendee_runs_attendee ON attendee_runs (attendee_id, ended_at);`,
  // Who asked for each workshop (their address), so one visitor cannot fill the host with workshops.
  `ALTER TABLE workshops ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
   CREATE INDEX workshops_created_by ON workshops (created_by, ended_at);`,
  // Creators are told apart by visitor (created_by) behind a shared address (created_from, the backstop).
  // Rows from before held the address in created_by.
  `ALTER TABLE workshops ADD COLUMN created_from TEXT NOT NULL DEFAULT '';
   UPDATE workshops SET created_from = created_by;
   CREATE INDEX workshops_created_from ON workshops (created_from, ended_at);`,
  // Interactive sessions: how many an attendee holds at once, and how long one may live.
  `ALTER TABLE workshops ADD COLUMN max_concurrent_sessions INTEGER NOT NULL DEFAULT 1;
   ALTER TABLE workshops ADD COLUMN max_session_lifetime_ms INTEGER NOT NULL DEFAULT 3600000;`,
  // The workshop's person is its facilitator; "host" is the machine. The UNIQUE constraint moves with the column.
  `ALTER TABLE workshops RENAME COLUMN host_token_hash TO facilitator_token_hash;`,
  // Labs: each visitor's or attendee's (owner) progress per demo, and each workshop's board and revealed solutions,
  // so that a restart in the middle of a workshop keeps where everyone was. JSON in the columns the labs module
  // checks with its own schemas when it reads them back.
  `CREATE TABLE lab_progress (
     owner TEXT NOT NULL,
     demo TEXT NOT NULL,
     steps TEXT NOT NULL,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (owner, demo)
   );
   CREATE INDEX lab_progress_updated ON lab_progress (updated_at);
   CREATE TABLE lab_board (
     workshop_id TEXT NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
     attendee_id TEXT NOT NULL,
     entry TEXT NOT NULL,
     PRIMARY KEY (workshop_id, attendee_id)
   );
   CREATE TABLE lab_reveals (
     workshop_id TEXT NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
     demo TEXT NOT NULL,
     step INTEGER NOT NULL,
     reveal TEXT NOT NULL,
     revealed_at INTEGER NOT NULL,
     PRIMARY KEY (workshop_id, demo, step)
   );`,
];

export const workshopDbFile = "workshops.sqlite";

/** Opens (creating if needed) `<dataDir>/workshops.sqlite`, or an in-memory database for ":memory:". */
export function openWorkshopDb(dataDir: string | ":memory:"): WorkshopDb {
  let file = ":memory:";
  if (dataDir !== ":memory:") {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    file = path.join(dataDir, workshopDbFile);
  }
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  // Two server processes may share a data folder (tests, a restart overlapping the old process's exit).
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return db;
}

function migrate(db: WorkshopDb): void {
  const applied = db.pragma("user_version", { simple: true }) as number;
  if (applied > workshopMigrations.length) {
    throw new Error(
      `${db.name} has schema version ${applied}, newer than this playground knows (${workshopMigrations.length}).`,
    );
  }
  db.transaction(() => {
    for (let version = applied; version < workshopMigrations.length; version++) {
      db.exec(workshopMigrations[version]);
    }
    db.pragma(`user_version = ${workshopMigrations.length}`);
  }).immediate();
}
