import Foundation
import GRDB
import TsunagariCore

/// Append-only, numbered migrations. Never edit one that has shipped: add the next.
enum SQLiteMigrations {
    /// FTS5's `tokenize` option as an SQL string literal: the ascii tokenizer with all ASCII punctuation as token
    /// characters, so that only spaces separate tokens. Quotes are doubled once for FTS5's option syntax and once
    /// for SQL's.
    static var spaceTokenizer: String {
        let punctuation = String((0x21...0x7E).compactMap(Unicode.Scalar.init).map(Character.init).filter {
            !$0.isLetter && !$0.isNumber
        })
        let option = "ascii tokenchars '" + punctuation.replacingOccurrences(of: "'", with: "''") + "'"
        return "'" + option.replacingOccurrences(of: "'", with: "''") + "'"
    }

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
        migrator.registerMigration("002_network") { db in
            try db.execute(
                sql: """
                    CREATE TABLE invitations (
                      id TEXT PRIMARY KEY,
                      from_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      to_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      message TEXT,
                      status TEXT NOT NULL,
                      pair_key TEXT,
                      created_at INTEGER NOT NULL,
                      updated_at INTEGER NOT NULL
                    );
                    CREATE UNIQUE INDEX invitations_pair_key ON invitations(pair_key);
                    CREATE INDEX invitations_to ON invitations(to_id, status);
                    CREATE INDEX invitations_from ON invitations(from_id, created_at);
                    CREATE TABLE connections (
                      member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      other_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      connected_at INTEGER NOT NULL,
                      PRIMARY KEY (member_id, other_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX connections_other ON connections(other_id);
                    CREATE TABLE follows (
                      follower_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      followee_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      created_at INTEGER NOT NULL,
                      PRIMARY KEY (follower_id, followee_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX follows_followee ON follows(followee_id);
                    CREATE TABLE blocks (
                      blocker_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      blocked_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      created_at INTEGER NOT NULL,
                      PRIMARY KEY (blocker_id, blocked_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX blocks_blocked ON blocks(blocked_id);
                    CREATE TABLE suggestion_dismissals (
                      member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      dismissed_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      created_at INTEGER NOT NULL,
                      PRIMARY KEY (member_id, dismissed_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX suggestion_dismissals_dismissed ON suggestion_dismissals(dismissed_id);
                    CREATE TABLE introductions (
                      id TEXT PRIMARY KEY,
                      requester_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      via_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      target_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      message TEXT NOT NULL,
                      status TEXT NOT NULL,
                      forward_note TEXT,
                      created_at INTEGER NOT NULL,
                      updated_at INTEGER NOT NULL
                    );
                    CREATE INDEX introductions_requester ON introductions(requester_id);
                    CREATE INDEX introductions_via ON introductions(via_id);
                    CREATE INDEX introductions_target ON introductions(target_id);
                    CREATE TABLE graph_changes (
                      seq INTEGER PRIMARY KEY AUTOINCREMENT,
                      kind TEXT NOT NULL,
                      a TEXT NOT NULL,
                      b TEXT,
                      at INTEGER NOT NULL
                    );
                    CREATE INDEX graph_changes_at ON graph_changes(at);
                    ALTER TABLE educations ADD COLUMN school_key TEXT;
                    """)
            // The key is computed in Swift, as every later write computes it.
            let schools = try Row.fetchAll(db, sql: "SELECT id, school FROM educations")
            let update = try db.makeStatement(sql: "UPDATE educations SET school_key = ? WHERE id = ?")
            for row in schools {
                let id: String = row["id"]
                let school: String = row["school"]
                try update.execute(arguments: [SchoolKey.key(school), id])
            }
            try db.execute(sql: "CREATE INDEX educations_school_key ON educations(school_key)")
        }
        migrator.registerMigration("003_search") { db in
            // The columns hold terms the shared analyser produced, separated by single spaces, and a term must stay
            // one token, as it does in PostgreSQL's tsvectors. unicode61 (even with `+ # .` as token characters)
            // does not guarantee it: it drops combining marks and some CJK punctuation, so हिंदी would be indexed as
            // ह द and ン・ as ン. The ascii tokenizer with every ASCII punctuation character as a token character splits
            // on spaces (and control characters) only; non-ASCII characters are always token characters in it, and
            // the analyser has already folded case. profile_search_ids gives each member a stable rowid, so replacing
            // or deleting an entry is a lookup by key rather than a scan of the unindexed member_id column.
            try db.execute(
                sql: """
                    CREATE VIRTUAL TABLE profile_search USING fts5(
                      member_id UNINDEXED, name, title, company, school, skill, headline, about, location,
                      tokenize = \(SQLiteMigrations.spaceTokenizer)
                    );
                    CREATE TABLE profile_search_ids (
                      doc INTEGER PRIMARY KEY,
                      member_id TEXT NOT NULL UNIQUE REFERENCES members(id) ON DELETE CASCADE
                    );
                    """)
        }
        migrator.registerMigration("004_search_attributes_saved_searches_notifications") { db in
            // The index keeps, next to each member's terms, what filters, result cards and facets need, so that a
            // search never loads a profile per candidate. Filter columns hold folded values wrapped in `|` and are
            // tested with instr(). Typeahead asks profile_names, the name column alone (same rowid) with prefix
            // indexes, so that a prefix of one to three characters is a lookup rather than a scan of the vocabulary.
            // The index is emptied here and rebuilt at the next start, with the new columns.
            try db.execute(
                sql: """
                    DELETE FROM profile_search;
                    DELETE FROM profile_search_ids;
                    ALTER TABLE profile_search_ids ADD COLUMN attributes TEXT NOT NULL DEFAULT '';
                    ALTER TABLE profile_search_ids ADD COLUMN current_companies TEXT NOT NULL DEFAULT '';
                    ALTER TABLE profile_search_ids ADD COLUMN past_companies TEXT NOT NULL DEFAULT '';
                    ALTER TABLE profile_search_ids ADD COLUMN schools TEXT NOT NULL DEFAULT '';
                    ALTER TABLE profile_search_ids ADD COLUMN skills TEXT NOT NULL DEFAULT '';
                    ALTER TABLE profile_search_ids ADD COLUMN location TEXT NOT NULL DEFAULT '';
                    ALTER TABLE profile_search_ids ADD COLUMN industry TEXT NOT NULL DEFAULT '';
                    ALTER TABLE profile_search_ids ADD COLUMN open_to_work INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE profile_search_ids ADD COLUMN indexed_at INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX profile_search_ids_indexed_at ON profile_search_ids (indexed_at);
                    CREATE VIRTUAL TABLE profile_names USING fts5(
                      name, tokenize = \(SQLiteMigrations.spaceTokenizer), prefix = '1 2 3'
                    );

                    CREATE TABLE saved_searches (
                      id TEXT PRIMARY KEY,
                      member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      name TEXT NOT NULL,
                      query TEXT NOT NULL,
                      filters TEXT NOT NULL,
                      created_at INTEGER NOT NULL,
                      checked_at INTEGER NOT NULL
                    );
                    CREATE INDEX saved_searches_member ON saved_searches (member_id, id);
                    CREATE INDEX saved_searches_checked ON saved_searches (checked_at);
                    CREATE TABLE saved_search_matches (
                      search_id TEXT NOT NULL REFERENCES saved_searches(id) ON DELETE CASCADE,
                      member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      PRIMARY KEY (search_id, member_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX saved_search_matches_member ON saved_search_matches (member_id);

                    CREATE TABLE notifications (
                      id TEXT PRIMARY KEY,
                      member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      kind TEXT NOT NULL,
                      subject_id TEXT,
                      subject_name TEXT,
                      members TEXT NOT NULL DEFAULT '',
                      count INTEGER NOT NULL DEFAULT 0,
                      created_at INTEGER NOT NULL,
                      read INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE INDEX notifications_member ON notifications (member_id, id);
                    """)
        }
        migrator.registerMigration("005_search_filters_as_terms") { db in
            // Filters became terms of a `filters` column (measured: at 1,000,000 profiles a filter tested row by row
            // on the joined table cost hundreds of milliseconds; as terms, FTS5 intersects it with the query). FTS5
            // cannot add a column, so the table is made again, and the index is rebuilt at the next start.
            try db.execute(
                sql: """
                    DROP TABLE profile_search;
                    CREATE VIRTUAL TABLE profile_search USING fts5(
                      member_id UNINDEXED, name, title, company, school, skill, headline, about, location, filters,
                      tokenize = \(SQLiteMigrations.spaceTokenizer)
                    );
                    DELETE FROM profile_names;
                    DELETE FROM profile_search_ids;
                    ALTER TABLE profile_search_ids DROP COLUMN current_companies;
                    ALTER TABLE profile_search_ids DROP COLUMN past_companies;
                    ALTER TABLE profile_search_ids DROP COLUMN schools;
                    ALTER TABLE profile_search_ids DROP COLUMN skills;
                    ALTER TABLE profile_search_ids DROP COLUMN location;
                    ALTER TABLE profile_search_ids DROP COLUMN industry;
                    ALTER TABLE profile_search_ids DROP COLUMN open_to_work;
                    """)
        }
        migrator.registerMigration("006_search_changes") { db in
            // Each upsert or removal of a search entry logs its member here in the same transaction, so that every
            // instance's index in memory can catch up with the others.
            try db.execute(
                sql: """
                    CREATE TABLE search_changes (
                      seq INTEGER PRIMARY KEY AUTOINCREMENT,
                      member_id TEXT NOT NULL,
                      at INTEGER NOT NULL
                    );
                    CREATE INDEX search_changes_at ON search_changes (at);
                    """)
        }
        migrator.registerMigration("007_search_entries") { db in
            // The search index lives in memory (TermIndex; measured at 1,000,000 profiles: docs/BENCHMARKS.md), so FTS5
            // is no longer kept: storage holds each member's analysed terms and attributes, the record every instance
            // fills its index from at start. The entries are written again at the next start (the index no longer
            // covers every member). A rowid table: rows of about 2 KB waste half of each page in a WITHOUT ROWID
            // table (measured at 1,000,000 profiles: 4.4 GB for 1.9 GB of entries).
            try db.execute(
                sql: """
                    DROP TABLE profile_search;
                    DROP TABLE profile_names;
                    DROP TABLE profile_search_ids;
                    CREATE TABLE search_entries (
                      entry INTEGER PRIMARY KEY,
                      member_id TEXT NOT NULL UNIQUE REFERENCES members(id) ON DELETE CASCADE,
                      terms TEXT NOT NULL,
                      attributes TEXT NOT NULL,
                      indexed_at INTEGER NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("008_profile_versions") { db in
            // Two edits of a profile can be indexed in the reverse order (each request reads the profile, then writes
            // its entry), so an entry carries the version of the profile it was made from and never replaces one of a
            // higher version. Every change to a profile updates its member's row (`updated_at`) in the change's
            // transaction; this trigger raises the version there, whatever the statement. Recursive triggers are off,
            // so its own update does not fire it again. Entries written before have version 0.
            try db.execute(
                sql: """
                    ALTER TABLE members ADD COLUMN profile_version INTEGER NOT NULL DEFAULT 0;
                    CREATE TRIGGER members_profile_version AFTER UPDATE ON members FOR EACH ROW
                    WHEN NEW.profile_version = OLD.profile_version
                    BEGIN
                      UPDATE members SET profile_version = OLD.profile_version + 1 WHERE id = NEW.id;
                    END;
                    ALTER TABLE search_entries ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
                    """)
        }
        migrator.registerMigration("009_section_visibility") { db in
            // Each section's visibility as `section=visibility` pairs; "" shows every section to whoever sees the profile.
            try db.execute(sql: "ALTER TABLE members ADD COLUMN section_visibility TEXT NOT NULL DEFAULT ''")
        }
        migrator.registerMigration("010_messaging") { db in
            // Conversations outlive a participant who leaves: the creator and a message's sender are kept as ids without a
            // reference (shown as a deleted member), participants go with their account. A read marker is the id of the
            // last message its participant read; "" before any.
            try db.execute(
                sql: """
                    ALTER TABLE members ADD COLUMN recruiter_messages INTEGER NOT NULL DEFAULT 1;
                    ALTER TABLE introductions ADD COLUMN conversation_id TEXT;
                    ALTER TABLE notifications ADD COLUMN actor_id TEXT;
                    ALTER TABLE notifications ADD COLUMN conversation_id TEXT;
                    ALTER TABLE notifications ADD COLUMN group_key TEXT;
                    CREATE INDEX notifications_group ON notifications (member_id, group_key) WHERE group_key IS NOT NULL;
                    CREATE INDEX notifications_unread ON notifications (member_id, id) WHERE read = 0;
                    CREATE TABLE conversations (
                      id TEXT PRIMARY KEY,
                      kind TEXT NOT NULL,
                      creator_id TEXT NOT NULL,
                      pair_key TEXT UNIQUE,
                      created_at INTEGER NOT NULL,
                      updated_at INTEGER NOT NULL,
                      last_message_id TEXT NOT NULL DEFAULT '',
                      credit_spent_at INTEGER
                    );
                    CREATE TABLE conversation_participants (
                      conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                      member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      ordinal INTEGER NOT NULL,
                      last_read_id TEXT NOT NULL DEFAULT '',
                      PRIMARY KEY (conversation_id, member_id)
                    );
                    CREATE INDEX conversation_participants_member ON conversation_participants (member_id);
                    CREATE TABLE messages (
                      id TEXT PRIMARY KEY,
                      conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                      sender_id TEXT NOT NULL,
                      text TEXT NOT NULL,
                      sent_at INTEGER NOT NULL
                    );
                    CREATE INDEX messages_conversation ON messages (conversation_id, id);
                    """)
        }
        migrator.registerMigration("011_posts") { db in
            // Posts are numbered (`seq`) for the feed index in memory, which keeps numbers rather than ids. Hashtags and
            // mentions are kept with the post (space-separated) for showing it; the index in memory answers hashtag pages.
            // A repost keeps its original's id without a reference, so that it outlives the original and shows it gone.
            try db.execute(
                sql: """
                    CREATE TABLE posts (
                      seq INTEGER PRIMARY KEY AUTOINCREMENT,
                      id TEXT NOT NULL UNIQUE,
                      author_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      text TEXT NOT NULL,
                      visibility TEXT NOT NULL,
                      hashtags TEXT NOT NULL DEFAULT '',
                      mentions TEXT NOT NULL DEFAULT '',
                      repost_of TEXT,
                      created_at INTEGER NOT NULL,
                      edited_at INTEGER,
                      version INTEGER NOT NULL DEFAULT 1
                    );
                    CREATE INDEX posts_author ON posts (author_id, seq);
                    CREATE INDEX posts_repost_of ON posts (repost_of) WHERE repost_of IS NOT NULL;
                    CREATE TABLE post_reactions (
                      post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
                      member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      type TEXT NOT NULL,
                      created_at INTEGER NOT NULL,
                      PRIMARY KEY (post_id, member_id)
                    );
                    CREATE INDEX post_reactions_member ON post_reactions (member_id);
                    CREATE INDEX post_reactions_time ON post_reactions (created_at);
                    CREATE TABLE post_comments (
                      id TEXT PRIMARY KEY,
                      post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
                      author_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      text TEXT NOT NULL,
                      created_at INTEGER NOT NULL
                    );
                    CREATE INDEX post_comments_post ON post_comments (post_id, id);
                    CREATE INDEX post_comments_author ON post_comments (author_id, post_id);
                    CREATE INDEX post_comments_time ON post_comments (created_at);
                    CREATE TABLE hashtag_follows (
                      member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      tag TEXT NOT NULL,
                      created_at INTEGER NOT NULL,
                      PRIMARY KEY (member_id, tag)
                    );
                    CREATE TABLE post_reports (
                      id TEXT PRIMARY KEY,
                      post_id TEXT NOT NULL,
                      comment_id TEXT NOT NULL DEFAULT '',
                      reporter_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      reason TEXT NOT NULL,
                      status TEXT NOT NULL DEFAULT 'open',
                      created_at INTEGER NOT NULL,
                      UNIQUE (reporter_id, post_id, comment_id)
                    );
                    CREATE INDEX post_reports_open ON post_reports (status, id);
                    CREATE TABLE feed_changes (
                      seq INTEGER PRIMARY KEY AUTOINCREMENT,
                      post_seq INTEGER NOT NULL,
                      actor_id TEXT,
                      at INTEGER NOT NULL
                    );
                    CREATE INDEX feed_changes_at ON feed_changes (at);
                    """)
        }
        migrator.registerMigration("012_jobs") { db in
            // Skills are kept with the job (separated by U+001E, which validated text never holds). A job goes with its
            // poster's account; its change log lets every instance's job search index catch up.
            try db.execute(
                sql: """
                    CREATE TABLE jobs (
                      id TEXT PRIMARY KEY,
                      company_id TEXT NOT NULL REFERENCES companies(id),
                      company_name TEXT NOT NULL,
                      poster_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      title TEXT NOT NULL,
                      location TEXT NOT NULL,
                      workplace TEXT NOT NULL,
                      employment_type TEXT NOT NULL,
                      description TEXT NOT NULL,
                      skills TEXT NOT NULL DEFAULT '',
                      salary_min INTEGER,
                      salary_max INTEGER,
                      salary_currency TEXT,
                      salary_period TEXT,
                      status TEXT NOT NULL,
                      created_at INTEGER NOT NULL,
                      updated_at INTEGER NOT NULL,
                      version INTEGER NOT NULL DEFAULT 1
                    );
                    CREATE INDEX jobs_company ON jobs (company_id, status, created_at);
                    CREATE INDEX jobs_poster ON jobs (poster_id, created_at);
                    CREATE TABLE job_applications (
                      id TEXT PRIMARY KEY,
                      job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                      member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      note TEXT,
                      status TEXT NOT NULL,
                      applied_at INTEGER NOT NULL,
                      UNIQUE (job_id, member_id)
                    );
                    CREATE INDEX job_applications_member ON job_applications (member_id, applied_at);
                    CREATE TABLE referral_requests (
                      id TEXT PRIMARY KEY,
                      job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                      requester_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      via_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      note TEXT,
                      status TEXT NOT NULL,
                      created_at INTEGER NOT NULL,
                      answered_at INTEGER,
                      UNIQUE (job_id, requester_id, via_id)
                    );
                    CREATE INDEX referral_requests_requester ON referral_requests (requester_id, created_at);
                    CREATE INDEX referral_requests_via ON referral_requests (via_id, created_at);
                    CREATE TABLE job_changes (
                      seq INTEGER PRIMARY KEY AUTOINCREMENT,
                      job_id TEXT NOT NULL,
                      at INTEGER NOT NULL
                    );
                    CREATE INDEX job_changes_at ON job_changes (at);
                    ALTER TABLE posts ADD COLUMN job_id TEXT;
                    """)
        }
        migrator.registerMigration("013_saved_job_searches") { db in
            // A saved search looks for people or for jobs; the jobs a saved job search has announced are kept apart (a
            // job may go with its poster, and its matches with it).
            try db.execute(
                sql: """
                    ALTER TABLE saved_searches ADD COLUMN kind TEXT NOT NULL DEFAULT 'people';
                    CREATE TABLE saved_search_job_matches (
                      search_id TEXT NOT NULL REFERENCES saved_searches(id) ON DELETE CASCADE,
                      job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                      PRIMARY KEY (search_id, job_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX saved_search_job_matches_job ON saved_search_job_matches (job_id);
                    """)
        }
        migrator.registerMigration("014_contacts") { db in
            // Contacts are their importer's alone and go with them; a matched member who leaves leaves the card as
            // the importer typed it. The verified employer is set by an operator (or a confirmed work email), never by
            // a position the member typed.
            try db.execute(
                sql: """
                    ALTER TABLE members ADD COLUMN share_network_with_colleagues INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE members ADD COLUMN verified_company_id TEXT REFERENCES companies(id);
                    CREATE INDEX members_verified_company ON members (verified_company_id) WHERE verified_company_id IS NOT NULL;
                    CREATE TABLE contacts (
                      id TEXT PRIMARY KEY,
                      owner_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                      source TEXT NOT NULL,
                      duplicate_key TEXT NOT NULL,
                      name TEXT NOT NULL,
                      name_reading TEXT,
                      company TEXT,
                      department TEXT,
                      title TEXT,
                      emails TEXT NOT NULL DEFAULT '',
                      phones TEXT NOT NULL DEFAULT '',
                      profile_url TEXT,
                      connected_on INTEGER,
                      matched_member_id TEXT REFERENCES members(id) ON DELETE SET NULL,
                      created_at INTEGER NOT NULL,
                      UNIQUE (owner_id, duplicate_key)
                    );
                    CREATE INDEX contacts_owner ON contacts (owner_id, created_at);
                    CREATE INDEX contacts_matched ON contacts (matched_member_id) WHERE matched_member_id IS NOT NULL;
                    """)
        }
        migrator.registerMigration("015_moderation") { db in
            // Reports keep how they ended and who ended them; every operator action is kept in the audit log for good.
            try db.execute(
                sql: """
                    ALTER TABLE post_reports ADD COLUMN resolved_at INTEGER;
                    ALTER TABLE post_reports ADD COLUMN resolved_by TEXT;
                    CREATE TABLE audit_log (
                      id TEXT PRIMARY KEY,
                      at INTEGER NOT NULL,
                      actor TEXT NOT NULL,
                      action TEXT NOT NULL,
                      subject TEXT NOT NULL,
                      detail TEXT NOT NULL DEFAULT ''
                    );
                    """)
        }
        migrator.registerMigration("016_suspension") { db in
            // A suspended member keeps every row; they cannot log in and are shown nowhere until restored.
            try db.execute(
                sql: """
                    ALTER TABLE members ADD COLUMN suspended_at INTEGER;
                    ALTER TABLE members ADD COLUMN suspension_reason TEXT;
                    CREATE INDEX members_suspended ON members (suspended_at) WHERE suspended_at IS NOT NULL;
                    """)
        }
        migrator.registerMigration("017_mail") { db in
            // Members before this version count as verified: nothing could verify them. (A default, not an UPDATE: that
            // would raise every profile's version.)
            try db.execute(
                sql: """
                    ALTER TABLE members ADD COLUMN email_verified INTEGER NOT NULL DEFAULT 1;
                    ALTER TABLE members ADD COLUMN daily_digest INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE members ADD COLUMN last_digest_at INTEGER;
                    CREATE INDEX members_unverified ON members (created_at) WHERE email_verified = 0;
                    CREATE INDEX members_digest ON members (id) WHERE daily_digest = 1;
                    CREATE TABLE email_tokens (
                      token_hash TEXT PRIMARY KEY,
                      member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
                      purpose TEXT NOT NULL,
                      email TEXT NOT NULL,
                      created_at INTEGER NOT NULL,
                      expires_at INTEGER NOT NULL,
                      used_at INTEGER
                    );
                    CREATE INDEX email_tokens_member ON email_tokens (member_id, purpose);
                    CREATE TABLE mail_queue (
                      id TEXT PRIMARY KEY,
                      kind TEXT NOT NULL,
                      member_id TEXT REFERENCES members (id) ON DELETE CASCADE,
                      recipient TEXT NOT NULL,
                      subject TEXT NOT NULL,
                      text_body TEXT NOT NULL,
                      html_body TEXT,
                      created_at INTEGER NOT NULL,
                      next_attempt_at INTEGER NOT NULL,
                      attempts INTEGER NOT NULL DEFAULT 0,
                      status TEXT NOT NULL DEFAULT 'queued',
                      last_error TEXT NOT NULL DEFAULT '',
                      sent_at INTEGER,
                      claimed_until INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE INDEX mail_queue_due ON mail_queue (next_attempt_at) WHERE status = 'queued';
                    """)
        }
        migrator.registerMigration("018_profile_sections") { db in
            // Certifications, languages, projects and volunteer work: one row per entry, the entry as JSON (nothing
            // queries inside one; search reads its own index). Photos are stored in the database, so every instance
            // of a shared PostgreSQL serves them and backups hold them. A handle given up stays reserved for its
            // former owner, whose old address redirects, for `Handle.reservation`.
            try db.execute(
                sql: """
                    CREATE TABLE profile_entries (
                      member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
                      kind TEXT NOT NULL,
                      id TEXT NOT NULL,
                      body TEXT NOT NULL,
                      created_at INTEGER NOT NULL,
                      PRIMARY KEY (member_id, kind, id)
                    ) WITHOUT ROWID;
                    ALTER TABLE members ADD COLUMN contact_info TEXT NOT NULL DEFAULT '{}';
                    ALTER TABLE members ADD COLUMN photo_id TEXT;
                    ALTER TABLE members ADD COLUMN banner_id TEXT;
                    CREATE TABLE photos (
                      id TEXT NOT NULL,
                      variant TEXT NOT NULL,
                      member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
                      kind TEXT NOT NULL,
                      bytes BLOB NOT NULL,
                      created_at INTEGER NOT NULL,
                      PRIMARY KEY (member_id, kind, variant)
                    );
                    CREATE INDEX photos_id ON photos (id, variant);
                    CREATE TABLE handle_history (
                      handle_key TEXT PRIMARY KEY,
                      member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
                      released_at INTEGER NOT NULL
                    );
                    CREATE INDEX handle_history_member ON handle_history (member_id);
                    """)
        }
        migrator.registerMigration("019_member_cache_changes") { db in
            // What an instance keeps in memory of sessions, profiles and cards (`MemberCache`) is dropped when this log
            // names it: a deleted session, or a member whose row changed (every change to a profile touches it) or
            // went. Triggers write it, so no statement, process or instance can change these without the log saying so.
            // The profile-version trigger updates the row once more; that second update is not logged twice. A profile
            // also shows its companies' names (the most common spelling, which others' positions can change): a
            // company's new name names every member who has a position there or works there, verified. A block, made
            // or lifted, names both members (who is blocked either way is kept in memory too).
            try db.execute(
                sql: """
                    CREATE TABLE member_cache_changes (
                      seq INTEGER PRIMARY KEY AUTOINCREMENT,
                      member_id TEXT NOT NULL,
                      token_hash TEXT,
                      at INTEGER NOT NULL
                    );
                    CREATE INDEX member_cache_changes_at ON member_cache_changes (at);
                    CREATE TRIGGER sessions_cache_change AFTER DELETE ON sessions FOR EACH ROW
                    BEGIN
                      INSERT INTO member_cache_changes (member_id, token_hash, at)
                      VALUES (OLD.member_id, OLD.token_hash, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
                    END;
                    CREATE TRIGGER members_cache_change AFTER UPDATE ON members FOR EACH ROW
                    WHEN NEW.profile_version = OLD.profile_version
                    BEGIN
                      INSERT INTO member_cache_changes (member_id, at) VALUES (OLD.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
                    END;
                    CREATE TRIGGER members_cache_delete AFTER DELETE ON members FOR EACH ROW
                    BEGIN
                      INSERT INTO member_cache_changes (member_id, at) VALUES (OLD.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
                    END;
                    CREATE TRIGGER companies_cache_change AFTER UPDATE OF name ON companies FOR EACH ROW
                    WHEN OLD.name IS NOT NEW.name
                    BEGIN
                      INSERT INTO member_cache_changes (member_id, at)
                      SELECT member_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) FROM positions
                      WHERE company_id = NEW.id
                      UNION SELECT id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) FROM members
                      WHERE verified_company_id = NEW.id;
                    END;
                    CREATE TRIGGER blocks_cache_insert AFTER INSERT ON blocks FOR EACH ROW
                    BEGIN
                      INSERT INTO member_cache_changes (member_id, at)
                      VALUES (NEW.blocker_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)),
                             (NEW.blocked_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
                    END;
                    CREATE TRIGGER blocks_cache_delete AFTER DELETE ON blocks FOR EACH ROW
                    BEGIN
                      INSERT INTO member_cache_changes (member_id, at)
                      VALUES (OLD.blocker_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)),
                             (OLD.blocked_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
                    END;
                    """)
        }
        migrator.registerMigration("020_connections_recent") { db in
            // A page of someone's connections, newest first, read without the rest of the list (a recruiter's may be
            // tens of thousands long).
            try db.execute(sql: "CREATE INDEX connections_recent ON connections (member_id, connected_at DESC, other_id)")
        }
        migrator.registerMigration("021_invitation_cache_changes") { db in
            // The open invitations between two members are kept in memory too (`MemberCache`): every insert, update or
            // delete of an invitation names both members in the change log, marked as a change of their invitations
            // alone (`MemberCache.Change.invitations`), so that their sessions and profiles stay held.
            let now = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
            let mark = "'\(MemberCache.Change.invitations)'"
            try db.execute(
                sql: """
                    CREATE TRIGGER invitations_cache_insert AFTER INSERT ON invitations FOR EACH ROW
                    BEGIN
                      INSERT INTO member_cache_changes (member_id, token_hash, at)
                      VALUES (NEW.from_id, \(mark), \(now)), (NEW.to_id, \(mark), \(now));
                    END;
                    CREATE TRIGGER invitations_cache_update AFTER UPDATE ON invitations FOR EACH ROW
                    BEGIN
                      INSERT INTO member_cache_changes (member_id, token_hash, at)
                      VALUES (NEW.from_id, \(mark), \(now)), (NEW.to_id, \(mark), \(now));
                    END;
                    CREATE TRIGGER invitations_cache_delete AFTER DELETE ON invitations FOR EACH ROW
                    BEGIN
                      INSERT INTO member_cache_changes (member_id, token_hash, at)
                      VALUES (OLD.from_id, \(mark), \(now)), (OLD.to_id, \(mark), \(now));
                    END;
                    """)
        }
        migrator.registerMigration("022_profile_cache_changes") { db in
            // A change of a member's profile alone (the account's columns as they were) is logged as such
            // (`MemberCache.Change.profile`): their sessions, account, blocks and invitations stay held, so that the
            // request after a profile edit does not read its session and account again. As before, the profile-version
            // trigger's own update of the row is not logged twice.
            let now = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
            let same = """
                NEW.id IS OLD.id AND NEW.email IS OLD.email AND NEW.password_hash IS OLD.password_hash AND NEW.role IS OLD.role
                AND NEW.created_at IS OLD.created_at AND NEW.suspended_at IS OLD.suspended_at AND NEW.email_verified IS OLD.email_verified
                """
            try db.execute(
                sql: """
                    DROP TRIGGER members_cache_change;
                    CREATE TRIGGER members_cache_change AFTER UPDATE ON members FOR EACH ROW
                    WHEN NEW.profile_version = OLD.profile_version AND NOT (\(same))
                    BEGIN
                      INSERT INTO member_cache_changes (member_id, at) VALUES (OLD.id, \(now));
                    END;
                    CREATE TRIGGER members_profile_cache_change AFTER UPDATE ON members FOR EACH ROW
                    WHEN NEW.profile_version = OLD.profile_version AND (\(same))
                    BEGIN
                      INSERT INTO member_cache_changes (member_id, token_hash, at) VALUES (OLD.id, '\(MemberCache.Change.profile)', \(now));
                    END;
                    """)
        }
        migrator.registerMigration("023_suggestion_cache_changes") { db in
            // A member's dismissals and matched contacts are kept in memory too (`MemberCache`): each change of them
            // names their owner in the change log, marked as such (`MemberCache.Change.suggestions`), so that the rest
            // of what is held for them stays. Contacts without a match change nothing a suggestion reads.
            let now = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
            let mark = "'\(MemberCache.Change.suggestions)'"
            // What `matchedContacts` reads of a row.
            let changed = """
                NEW.owner_id IS NOT OLD.owner_id OR NEW.matched_member_id IS NOT OLD.matched_member_id
                OR NEW.source IS NOT OLD.source OR NEW.created_at IS NOT OLD.created_at
                """
            try db.execute(
                sql: """
                    CREATE TRIGGER suggestion_dismissals_cache_insert AFTER INSERT ON suggestion_dismissals FOR EACH ROW
                    BEGIN
                      INSERT INTO member_cache_changes (member_id, token_hash, at) VALUES (NEW.member_id, \(mark), \(now));
                    END;
                    CREATE TRIGGER suggestion_dismissals_cache_update AFTER UPDATE ON suggestion_dismissals FOR EACH ROW
                    BEGIN
                      INSERT INTO member_cache_changes (member_id, token_hash, at)
                      VALUES (OLD.member_id, \(mark), \(now)), (NEW.member_id, \(mark), \(now));
                    END;
                    CREATE TRIGGER suggestion_dismissals_cache_delete AFTER DELETE ON suggestion_dismissals FOR EACH ROW
                    BEGIN
                      INSERT INTO member_cache_changes (member_id, token_hash, at) VALUES (OLD.member_id, \(mark), \(now));
                    END;
                    CREATE TRIGGER contacts_cache_insert AFTER INSERT ON contacts FOR EACH ROW
                    WHEN NEW.matched_member_id IS NOT NULL
                    BEGIN
                      INSERT INTO member_cache_changes (member_id, token_hash, at) VALUES (NEW.owner_id, \(mark), \(now));
                    END;
                    CREATE TRIGGER contacts_cache_update AFTER UPDATE ON contacts FOR EACH ROW
                    WHEN (OLD.matched_member_id IS NOT NULL OR NEW.matched_member_id IS NOT NULL) AND (\(changed))
                    BEGIN
                      INSERT INTO member_cache_changes (member_id, token_hash, at)
                      VALUES (OLD.owner_id, \(mark), \(now)), (NEW.owner_id, \(mark), \(now));
                    END;
                    CREATE TRIGGER contacts_cache_delete AFTER DELETE ON contacts FOR EACH ROW
                    WHEN OLD.matched_member_id IS NOT NULL
                    BEGIN
                      INSERT INTO member_cache_changes (member_id, token_hash, at) VALUES (OLD.owner_id, \(mark), \(now));
                    END;
                    """)
        }
        migrator.registerMigration("024_unread_cache_changes") { db in
            // What the header of every page counts is kept in memory too (`MemberCache`): a member's unread
            // notifications and conversations. Each change of them names the member in the change log, marked as such
            // (`MemberCache.Change.unread`). A notification read before and after changes nothing counted; a new
            // message names everyone in its conversation.
            let now = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
            let mark = "'\(MemberCache.Change.unread)'"
            try db.execute(
                sql: """
                    CREATE TRIGGER notifications_unread_insert AFTER INSERT ON notifications FOR EACH ROW
                    WHEN NEW.read = 0
                    BEGIN
                      INSERT INTO member_cache_changes (member_id, token_hash, at) VALUES (NEW.member_id, \(mark), \(now));
                    END;
                    CREATE TRIGGER notifications_unread_update AFTER UPDATE ON notifications FOR EACH ROW
                    WHEN OLD.read = 0 OR NEW.read = 0
                    BEGIN
                      INSERT INTO member_cache_changes (member_id, token_hash, at)
                      SELECT NEW.member_id, \(mark), \(now) UNION SELECT OLD.member_id, \(mark), \(now);
                    END;
                    CREATE TRIGGER notifications_unread_delete AFTER DELETE ON notifications FOR EACH ROW
                    WHEN OLD.read = 0
                    BEGIN
                      INSERT INTO member_cache_changes (member_id, token_hash, at) VALUES (OLD.member_id, \(mark), \(now));
                    END;
                    CREATE TRIGGER conversations_unread_update AFTER UPDATE OF last_message_id ON conversations FOR EACH ROW
                    WHEN NEW.last_message_id IS NOT OLD.last_message_id
                    BEGIN
                      INSERT INTO member_cache_changes (member_id, token_hash, at)
                      SELECT member_id, \(mark), \(now) FROM conversation_participants WHERE conversation_id = NEW.id;
                    END;
                    CREATE TRIGGER conversation_participants_unread_insert AFTER INSERT ON conversation_participants FOR EACH ROW
                    BEGIN
                      INSERT INTO member_cache_changes (member_id, token_hash, at) VALUES (NEW.member_id, \(mark), \(now));
                    END;
                    CREATE TRIGGER conversation_participants_unread_update AFTER UPDATE ON conversation_participants FOR EACH ROW
                    WHEN NEW.last_read_id IS NOT OLD.last_read_id OR NEW.member_id IS NOT OLD.member_id
                      OR NEW.conversation_id IS NOT OLD.conversation_id
                    BEGIN
                      INSERT INTO member_cache_changes (member_id, token_hash, at)
                      SELECT NEW.member_id, \(mark), \(now) UNION SELECT OLD.member_id, \(mark), \(now);
                    END;
                    CREATE TRIGGER conversation_participants_unread_delete AFTER DELETE ON conversation_participants FOR EACH ROW
                    BEGIN
                      INSERT INTO member_cache_changes (member_id, token_hash, at) VALUES (OLD.member_id, \(mark), \(now));
                    END;
                    """)
        }
        return migrator
    }
}

// MARK: For tests of migrations

extension SQLiteStorage {
    /// Applies the migrations up to and including `name` only, so that a test can write data as an older
    /// version did before the next migration runs.
    func migrate(upTo name: String) async throws {
        defer { cache.reset() }
        try await pool.write { _ in }
        try SQLiteMigrations.migrator.migrate(pool, upTo: name)
    }

    /// One statement with bound text arguments, outside the storage API: writes rows the way an older version did.
    func execute(sql: String, arguments: [String]) async throws {
        defer { cache.wrote() }
        try await pool.write { db in try db.execute(sql: sql, arguments: StatementArguments(arguments)) }
    }
}
