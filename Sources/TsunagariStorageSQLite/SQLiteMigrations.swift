import GRDB

/// Append-only, numbered migrations. Never edit one that has shipped: add the next.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("001_members_profiles_sessions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE members (
                      id TEXT PRIMARY KEY,
                      email TEXT NOT NULL UNIQUE,
                      password_hash TEXT NOT NULL,
                      role TEXT NOT NULL DEFAULT 'member',
                      name TEXT NOT NULL,
                      name_reading TEXT,
                      handle TEXT NOT NULL,
                      handle_key TEXT NOT NULL UNIQUE,
                      headline TEXT,
                      location TEXT,
                      industry TEXT,
                      about TEXT,
                      profile_visibility TEXT NOT NULL,
                      connections_visibility TEXT NOT NULL,
                      open_to_work_enabled BOOLEAN NOT NULL DEFAULT 0,
                      open_to_work_visibility TEXT NOT NULL,
                      open_to_work_titles TEXT NOT NULL DEFAULT '[]',
                      open_to_work_locations TEXT NOT NULL DEFAULT '[]',
                      locale TEXT,
                      created_at INTEGER NOT NULL,
                      updated_at INTEGER NOT NULL
                    );
                    CREATE TABLE companies (
                      id TEXT PRIMARY KEY,
                      name_key TEXT NOT NULL UNIQUE,
                      name TEXT NOT NULL,
                      created_at INTEGER NOT NULL
                    );
                    CREATE TABLE positions (
                      id TEXT PRIMARY KEY,
                      member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      company_id TEXT NOT NULL REFERENCES companies(id),
                      company_name TEXT NOT NULL,
                      title TEXT NOT NULL,
                      location TEXT,
                      start_month TEXT NOT NULL,
                      end_month TEXT,
                      description TEXT,
                      created_at INTEGER NOT NULL
                    );
                    CREATE INDEX positions_member ON positions(member_id);
                    CREATE INDEX positions_company ON positions(company_id, end_month);
                    CREATE TABLE educations (
                      id TEXT PRIMARY KEY,
                      member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      school TEXT NOT NULL,
                      degree TEXT,
                      field TEXT,
                      start_year INTEGER,
                      end_year INTEGER,
                      created_at INTEGER NOT NULL
                    );
                    CREATE INDEX educations_member ON educations(member_id);
                    CREATE TABLE skills (
                      member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      ordinal INTEGER NOT NULL,
                      name TEXT NOT NULL,
                      PRIMARY KEY (member_id, ordinal)
                    );
                    CREATE TABLE sessions (
                      token_hash TEXT PRIMARY KEY,
                      member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      kind TEXT NOT NULL,
                      created_at INTEGER NOT NULL,
                      expires_at INTEGER NOT NULL
                    );
                    CREATE INDEX sessions_member ON sessions(member_id);
                    CREATE TABLE throttle_attempts (
                      key TEXT NOT NULL,
                      at INTEGER NOT NULL
                    );
                    CREATE INDEX throttle_attempts_key ON throttle_attempts(key, at);
                    """)
        }
        return migrator
    }
}
