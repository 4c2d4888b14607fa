import Foundation
import TsunagariCore
import Logging
import PostgresNIO

/// Append-only, numbered migrations, applied under an advisory lock so that instances starting
/// together do not race. Never edit one that has shipped: add the next.
enum PostgresMigrations {
    static let all: [(version: Int, name: String, sql: [String])] = [
        (
            1, "members_profiles_sessions",
            [
                """
                CREATE TABLE members (
                  id TEXT PRIMARY KEY,
                  email TEXT NOT NULL,
                  password_hash TEXT NOT NULL,
                  role TEXT NOT NULL DEFAULT 'member',
                  name TEXT NOT NULL,
                  name_reading TEXT,
                  handle TEXT NOT NULL,
                  handle_key TEXT NOT NULL,
                  headline TEXT,
                  location TEXT,
                  industry TEXT,
                  about TEXT,
                  profile_visibility TEXT NOT NULL,
                  connections_visibility TEXT NOT NULL,
                  open_to_work_enabled BOOLEAN NOT NULL DEFAULT FALSE,
                  open_to_work_visibility TEXT NOT NULL,
                  open_to_work_titles TEXT NOT NULL DEFAULT '[]',
                  open_to_work_locations TEXT NOT NULL DEFAULT '[]',
                  locale TEXT,
                  created_at BIGINT NOT NULL,
                  updated_at BIGINT NOT NULL,
                  CONSTRAINT members_email_key UNIQUE (email),
                  CONSTRAINT members_handle_key_key UNIQUE (handle_key)
                )
                """,
                """
                CREATE TABLE companies (
                  id TEXT PRIMARY KEY,
                  name_key TEXT NOT NULL UNIQUE,
                  name TEXT NOT NULL,
                  created_at BIGINT NOT NULL
                )
                """,
                """
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
                  created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX positions_member ON positions(member_id)",
                "CREATE INDEX positions_company ON positions(company_id, end_month)",
                """
                CREATE TABLE educations (
                  id TEXT PRIMARY KEY,
                  member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  school TEXT NOT NULL,
                  degree TEXT,
                  field TEXT,
                  start_year INTEGER,
                  end_year INTEGER,
                  created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX educations_member ON educations(member_id)",
                """
                CREATE TABLE skills (
                  member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  ordinal INTEGER NOT NULL,
                  name TEXT NOT NULL,
                  PRIMARY KEY (member_id, ordinal)
                )
                """,
                """
                CREATE TABLE sessions (
                  token_hash TEXT PRIMARY KEY,
                  member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  kind TEXT NOT NULL,
                  created_at BIGINT NOT NULL,
                  expires_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX sessions_member ON sessions(member_id)",
                "CREATE TABLE throttle_attempts (key TEXT NOT NULL, at BIGINT NOT NULL)",
                "CREATE INDEX throttle_attempts_key ON throttle_attempts(key, at)",
            ]
        ),
        (
            2, "network",
            [
                """
                CREATE TABLE invitations (
                  id TEXT PRIMARY KEY,
                  from_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  to_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  message TEXT,
                  status TEXT NOT NULL,
                  pair_key TEXT,
                  created_at BIGINT NOT NULL,
                  updated_at BIGINT NOT NULL
                )
                """,
                "CREATE UNIQUE INDEX invitations_pair_key ON invitations(pair_key)",
                "CREATE INDEX invitations_to ON invitations(to_id, status)",
                "CREATE INDEX invitations_from ON invitations(from_id, created_at)",
                """
                CREATE TABLE connections (
                  member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  other_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  connected_at BIGINT NOT NULL,
                  PRIMARY KEY (member_id, other_id)
                )
                """,
                "CREATE INDEX connections_other ON connections(other_id)",
                """
                CREATE TABLE follows (
                  follower_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  followee_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  created_at BIGINT NOT NULL,
                  PRIMARY KEY (follower_id, followee_id)
                )
                """,
                "CREATE INDEX follows_followee ON follows(followee_id)",
                """
                CREATE TABLE blocks (
                  blocker_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  blocked_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  created_at BIGINT NOT NULL,
                  PRIMARY KEY (blocker_id, blocked_id)
                )
                """,
                "CREATE INDEX blocks_blocked ON blocks(blocked_id)",
                """
                CREATE TABLE suggestion_dismissals (
                  member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  dismissed_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  created_at BIGINT NOT NULL,
                  PRIMARY KEY (member_id, dismissed_id)
                )
                """,
                "CREATE INDEX suggestion_dismissals_dismissed ON suggestion_dismissals(dismissed_id)",
                """
                CREATE TABLE introductions (
                  id TEXT PRIMARY KEY,
                  requester_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  via_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  target_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  message TEXT NOT NULL,
                  status TEXT NOT NULL,
                  forward_note TEXT,
                  created_at BIGINT NOT NULL,
                  updated_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX introductions_requester ON introductions(requester_id)",
                "CREATE INDEX introductions_via ON introductions(via_id)",
                "CREATE INDEX introductions_target ON introductions(target_id)",
                """
                CREATE TABLE graph_changes (
                  seq BIGSERIAL PRIMARY KEY,
                  kind TEXT NOT NULL,
                  a TEXT NOT NULL,
                  b TEXT,
                  at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX graph_changes_at ON graph_changes(at)",
                "ALTER TABLE educations ADD COLUMN school_key TEXT",
                // Later writes compute the key in Swift (NFKC, lowercased, trimmed); this backfill is close enough for
                // the rows written before the column existed.
                "UPDATE educations SET school_key = lower(trim(school))",
                "CREATE INDEX educations_school_key ON educations(school_key)",
            ]
        ),
        (
            3, "search",
            [
                // Each column's tsvector is built in Swift from the analysed terms (to_tsvector's parser would split
                // c++); all_terms holds every column, weighted A/B/C and with gaps between columns so that a phrase
                // never spans two of them. Only all_terms is GIN-indexed: a column-restricted test also tests
                // all_terms, which the index answers, then the column's own vector on the rows found.
                """
                CREATE TABLE profile_search (
                  member_id TEXT PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
                  name_tsv TSVECTOR NOT NULL,
                  title_tsv TSVECTOR NOT NULL,
                  company_tsv TSVECTOR NOT NULL,
                  school_tsv TSVECTOR NOT NULL,
                  skill_tsv TSVECTOR NOT NULL,
                  headline_tsv TSVECTOR NOT NULL,
                  about_tsv TSVECTOR NOT NULL,
                  location_tsv TSVECTOR NOT NULL,
                  all_terms TSVECTOR NOT NULL
                )
                """,
                "CREATE INDEX profile_search_all_terms ON profile_search USING GIN (all_terms)",
            ]
        ),
        (
            4, "search_attributes_saved_searches_notifications",
            [
                // What filters, result cards and facets need sits next to the terms, so that a search never loads a
                // profile per candidate; filter columns hold folded values wrapped in `|`, tested with strpos(). The
                // name vector gets its own GIN index for typeahead prefixes. The index is emptied here and rebuilt at
                // the next start.
                "DELETE FROM profile_search",
                """
                ALTER TABLE profile_search
                  ADD COLUMN attributes TEXT NOT NULL DEFAULT '',
                  ADD COLUMN current_companies TEXT NOT NULL DEFAULT '',
                  ADD COLUMN past_companies TEXT NOT NULL DEFAULT '',
                  ADD COLUMN schools TEXT NOT NULL DEFAULT '',
                  ADD COLUMN skills TEXT NOT NULL DEFAULT '',
                  ADD COLUMN location TEXT NOT NULL DEFAULT '',
                  ADD COLUMN industry TEXT NOT NULL DEFAULT '',
                  ADD COLUMN open_to_work BOOLEAN NOT NULL DEFAULT FALSE,
                  ADD COLUMN indexed_at BIGINT NOT NULL DEFAULT 0
                """,
                "CREATE INDEX profile_search_indexed_at ON profile_search (indexed_at)",
                "CREATE INDEX profile_search_name ON profile_search USING GIN (name_tsv)",
                """
                CREATE TABLE saved_searches (
                  id TEXT PRIMARY KEY,
                  member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  name TEXT NOT NULL,
                  query TEXT NOT NULL,
                  filters TEXT NOT NULL,
                  created_at BIGINT NOT NULL,
                  checked_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX saved_searches_member ON saved_searches (member_id, id)",
                "CREATE INDEX saved_searches_checked ON saved_searches (checked_at)",
                """
                CREATE TABLE saved_search_matches (
                  search_id TEXT NOT NULL REFERENCES saved_searches(id) ON DELETE CASCADE,
                  member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  PRIMARY KEY (search_id, member_id)
                )
                """,
                "CREATE INDEX saved_search_matches_member ON saved_search_matches (member_id)",
                """
                CREATE TABLE notifications (
                  id TEXT PRIMARY KEY,
                  member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  kind TEXT NOT NULL,
                  subject_id TEXT,
                  subject_name TEXT,
                  members TEXT NOT NULL DEFAULT '',
                  count INTEGER NOT NULL DEFAULT 0,
                  created_at BIGINT NOT NULL,
                  read BOOLEAN NOT NULL DEFAULT FALSE
                )
                """,
                "CREATE INDEX notifications_member ON notifications (member_id, id)",
            ]
        ),
        (
            5, "search_filters_as_terms",
            [
                // Filters became terms (weight D, which ts_rank weighs 0) of all_terms and of their own vector, so the
                // GIN index intersects them with the query instead of a test per row. The index is rebuilt at the
                // next start.
                "DELETE FROM profile_search",
                """
                ALTER TABLE profile_search
                  ADD COLUMN filters_tsv TSVECTOR NOT NULL DEFAULT '',
                  DROP COLUMN current_companies, DROP COLUMN past_companies, DROP COLUMN schools, DROP COLUMN skills,
                  DROP COLUMN location, DROP COLUMN industry, DROP COLUMN open_to_work
                """,
            ]
        ),
        (
            6, "search_changes",
            [
                // The search index is kept in memory by every instance and filled from here: the analysed terms of
                // each column (in `SearchColumn` order, separated by U+001F) sit beside the vectors. Each upsert or
                // removal logs its member in search_changes in the same transaction, so that instances catch up
                // with each other. The index is rebuilt at the next start, with the terms.
                "DELETE FROM profile_search",
                "ALTER TABLE profile_search ADD COLUMN terms TEXT NOT NULL DEFAULT ''",
                """
                CREATE TABLE search_changes (
                  seq BIGSERIAL PRIMARY KEY,
                  member_id TEXT NOT NULL,
                  at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX search_changes_at ON search_changes (at)",
            ]
        ),
        (
            7, "search_entries_only",
            [
                // The index in memory answers every query (measured at 1,000,000 profiles: docs/BENCHMARKS.md), so the
                // tsvectors and their GIN indexes, which bounded indexing to about 800 profiles a second, are dropped:
                // a row keeps the terms and attributes the index is filled from.
                "DROP INDEX IF EXISTS profile_search_all_terms",
                "DROP INDEX IF EXISTS profile_search_name",
                "DROP INDEX IF EXISTS profile_search_indexed_at",
                """
                ALTER TABLE profile_search
                  DROP COLUMN name_tsv, DROP COLUMN title_tsv, DROP COLUMN company_tsv, DROP COLUMN school_tsv,
                  DROP COLUMN skill_tsv, DROP COLUMN headline_tsv, DROP COLUMN about_tsv, DROP COLUMN location_tsv,
                  DROP COLUMN filters_tsv, DROP COLUMN all_terms
                """,
                // A row (about 2.3 KB) is compressed when stored; lz4 costs a fraction of the default pglz's time,
                // which bounded bulk indexing. A server built without lz4 keeps pglz.
                """
                DO $$ BEGIN
                  ALTER TABLE profile_search ALTER COLUMN terms SET COMPRESSION lz4, ALTER COLUMN attributes SET COMPRESSION lz4;
                EXCEPTION WHEN feature_not_supported THEN NULL;
                END $$
                """,
            ]
        ),
        (
            8, "profile_versions",
            [
                // Two edits of a profile can be indexed in the reverse order (each request reads the profile, then writes
                // its entry), so an entry carries the version of the profile it was made from and never replaces one of
                // a higher version. Every change to a profile updates its member's row (`updated_at`) in the change's
                // transaction; this trigger raises the version there, whatever the statement. The row's lock orders two
                // changes, so the later commit has the higher version. Entries written before have version 0.
                "ALTER TABLE members ADD COLUMN profile_version BIGINT NOT NULL DEFAULT 0",
                """
                CREATE FUNCTION members_profile_version() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  NEW.profile_version := OLD.profile_version + 1;
                  RETURN NEW;
                END $$
                """,
                """
                CREATE TRIGGER members_profile_version BEFORE UPDATE ON members
                FOR EACH ROW EXECUTE FUNCTION members_profile_version()
                """,
                "ALTER TABLE profile_search ADD COLUMN version BIGINT NOT NULL DEFAULT 0",
            ]
        ),
        (
            9, "section_visibility",
            [
                // Each section's visibility as `section=visibility` pairs; "" shows every section to whoever sees the
                // profile.
                "ALTER TABLE members ADD COLUMN section_visibility TEXT NOT NULL DEFAULT ''",
            ]
        ),
        (
            10, "messaging",
            [
                // Conversations outlive a participant who leaves: the creator and a message's sender are kept as ids
                // without a reference (shown as a deleted member), participants go with their account. A read marker is
                // the id of the last message its participant read; "" before any.
                "ALTER TABLE members ADD COLUMN recruiter_messages BOOLEAN NOT NULL DEFAULT TRUE",
                "ALTER TABLE introductions ADD COLUMN conversation_id TEXT",
                "ALTER TABLE notifications ADD COLUMN actor_id TEXT",
                "ALTER TABLE notifications ADD COLUMN conversation_id TEXT",
                "ALTER TABLE notifications ADD COLUMN group_key TEXT",
                "CREATE INDEX notifications_group ON notifications (member_id, group_key) WHERE group_key IS NOT NULL",
                "CREATE INDEX notifications_unread ON notifications (member_id, id) WHERE NOT read",
                """
                CREATE TABLE conversations (
                  id TEXT PRIMARY KEY,
                  kind TEXT NOT NULL,
                  creator_id TEXT NOT NULL,
                  pair_key TEXT UNIQUE,
                  created_at BIGINT NOT NULL,
                  updated_at BIGINT NOT NULL,
                  last_message_id TEXT NOT NULL DEFAULT '',
                  credit_spent_at BIGINT
                )
                """,
                """
                CREATE TABLE conversation_participants (
                  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                  member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  ordinal INTEGER NOT NULL,
                  last_read_id TEXT NOT NULL DEFAULT '',
                  PRIMARY KEY (conversation_id, member_id)
                )
                """,
                "CREATE INDEX conversation_participants_member ON conversation_participants (member_id)",
                """
                CREATE TABLE messages (
                  id TEXT PRIMARY KEY,
                  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                  sender_id TEXT NOT NULL,
                  text TEXT NOT NULL,
                  sent_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX messages_conversation ON messages (conversation_id, id)",
            ]
        ),
        (
            11, "posts",
            [
                // Posts are numbered (`seq`) for the feed index in memory, which keeps numbers rather than ids. A repost keeps
                // its original's id without a reference, so that it outlives the original and shows it gone.
                """
                CREATE TABLE posts (
                  seq BIGSERIAL PRIMARY KEY,
                  id TEXT NOT NULL UNIQUE,
                  author_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  text TEXT NOT NULL,
                  visibility TEXT NOT NULL,
                  hashtags TEXT NOT NULL DEFAULT '',
                  mentions TEXT NOT NULL DEFAULT '',
                  repost_of TEXT,
                  created_at BIGINT NOT NULL,
                  edited_at BIGINT,
                  version BIGINT NOT NULL DEFAULT 1
                )
                """,
                "CREATE INDEX posts_author ON posts (author_id, seq)",
                "CREATE INDEX posts_repost_of ON posts (repost_of) WHERE repost_of IS NOT NULL",
                """
                CREATE TABLE post_reactions (
                  post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
                  member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  type TEXT NOT NULL,
                  created_at BIGINT NOT NULL,
                  PRIMARY KEY (post_id, member_id)
                )
                """,
                "CREATE INDEX post_reactions_member ON post_reactions (member_id)",
                "CREATE INDEX post_reactions_time ON post_reactions (created_at)",
                """
                CREATE TABLE post_comments (
                  id TEXT PRIMARY KEY,
                  post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
                  author_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  text TEXT NOT NULL,
                  created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX post_comments_post ON post_comments (post_id, id)",
                "CREATE INDEX post_comments_author ON post_comments (author_id, post_id)",
                "CREATE INDEX post_comments_time ON post_comments (created_at)",
                """
                CREATE TABLE hashtag_follows (
                  member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  tag TEXT NOT NULL,
                  created_at BIGINT NOT NULL,
                  PRIMARY KEY (member_id, tag)
                )
                """,
                """
                CREATE TABLE post_reports (
                  id TEXT PRIMARY KEY,
                  post_id TEXT NOT NULL,
                  comment_id TEXT NOT NULL DEFAULT '',
                  reporter_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  reason TEXT NOT NULL,
                  status TEXT NOT NULL DEFAULT 'open',
                  created_at BIGINT NOT NULL,
                  UNIQUE (reporter_id, post_id, comment_id)
                )
                """,
                "CREATE INDEX post_reports_open ON post_reports (status, id)",
                """
                CREATE TABLE feed_changes (
                  seq BIGSERIAL PRIMARY KEY,
                  post_seq BIGINT NOT NULL,
                  actor_id TEXT,
                  at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX feed_changes_at ON feed_changes (at)",
            ]
        ),
        (
            12, "jobs",
            [
                // A job goes with its poster's account; its change log lets every instance's job search index catch up.
                """
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
                  salary_min BIGINT,
                  salary_max BIGINT,
                  salary_currency TEXT,
                  salary_period TEXT,
                  status TEXT NOT NULL,
                  created_at BIGINT NOT NULL,
                  updated_at BIGINT NOT NULL,
                  version BIGINT NOT NULL DEFAULT 1
                )
                """,
                "CREATE INDEX jobs_company ON jobs (company_id, status, created_at)",
                "CREATE INDEX jobs_poster ON jobs (poster_id, created_at)",
                """
                CREATE TABLE job_applications (
                  id TEXT PRIMARY KEY,
                  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                  member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  note TEXT,
                  status TEXT NOT NULL,
                  applied_at BIGINT NOT NULL,
                  UNIQUE (job_id, member_id)
                )
                """,
                "CREATE INDEX job_applications_member ON job_applications (member_id, applied_at)",
                """
                CREATE TABLE referral_requests (
                  id TEXT PRIMARY KEY,
                  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                  requester_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  via_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
                  note TEXT,
                  status TEXT NOT NULL,
                  created_at BIGINT NOT NULL,
                  answered_at BIGINT,
                  UNIQUE (job_id, requester_id, via_id)
                )
                """,
                "CREATE INDEX referral_requests_requester ON referral_requests (requester_id, created_at)",
                "CREATE INDEX referral_requests_via ON referral_requests (via_id, created_at)",
                """
                CREATE TABLE job_changes (
                  seq BIGSERIAL PRIMARY KEY,
                  job_id TEXT NOT NULL,
                  at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX job_changes_at ON job_changes (at)",
                "ALTER TABLE posts ADD COLUMN job_id TEXT",
            ]
        ),
        (
            13, "saved_job_searches",
            [
                "ALTER TABLE saved_searches ADD COLUMN kind TEXT NOT NULL DEFAULT 'people'",
                """
                CREATE TABLE saved_search_job_matches (
                  search_id TEXT NOT NULL REFERENCES saved_searches(id) ON DELETE CASCADE,
                  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                  PRIMARY KEY (search_id, job_id)
                )
                """,
                "CREATE INDEX saved_search_job_matches_job ON saved_search_job_matches (job_id)",
            ]
        ),
        (
            14, "contacts",
            [
                "ALTER TABLE members ADD COLUMN share_network_with_colleagues BOOLEAN NOT NULL DEFAULT FALSE",
                "ALTER TABLE members ADD COLUMN verified_company_id TEXT REFERENCES companies(id)",
                "CREATE INDEX members_verified_company ON members (verified_company_id) WHERE verified_company_id IS NOT NULL",
                """
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
                  connected_on BIGINT,
                  matched_member_id TEXT REFERENCES members(id) ON DELETE SET NULL,
                  created_at BIGINT NOT NULL,
                  UNIQUE (owner_id, duplicate_key)
                )
                """,
                "CREATE INDEX contacts_owner ON contacts (owner_id, created_at)",
                "CREATE INDEX contacts_matched ON contacts (matched_member_id) WHERE matched_member_id IS NOT NULL",
            ]
        ),
        (
            15, "moderation",
            [
                "ALTER TABLE post_reports ADD COLUMN resolved_at BIGINT",
                "ALTER TABLE post_reports ADD COLUMN resolved_by TEXT",
                """
                CREATE TABLE audit_log (
                  id TEXT PRIMARY KEY,
                  at BIGINT NOT NULL,
                  actor TEXT NOT NULL,
                  action TEXT NOT NULL,
                  subject TEXT NOT NULL,
                  detail TEXT NOT NULL DEFAULT ''
                )
                """,
            ]
        ),
        (
            16, "suspension",
            [
                // A suspended member keeps every row; they cannot log in and are shown nowhere until restored.
                "ALTER TABLE members ADD COLUMN suspended_at BIGINT",
                "ALTER TABLE members ADD COLUMN suspension_reason TEXT",
                "CREATE INDEX members_suspended ON members (suspended_at) WHERE suspended_at IS NOT NULL",
            ]
        ),
        (
            17, "mail",
            [
                // Members before this version count as verified: nothing could verify them. (A default, not an UPDATE:
                // that would raise every profile's version.)
                "ALTER TABLE members ADD COLUMN email_verified BOOLEAN NOT NULL DEFAULT TRUE",
                "ALTER TABLE members ADD COLUMN daily_digest BOOLEAN NOT NULL DEFAULT FALSE",
                "ALTER TABLE members ADD COLUMN last_digest_at BIGINT",
                "CREATE INDEX members_unverified ON members (created_at) WHERE NOT email_verified",
                "CREATE INDEX members_digest ON members (id) WHERE daily_digest",
                """
                CREATE TABLE email_tokens (
                  token_hash TEXT PRIMARY KEY,
                  member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
                  purpose TEXT NOT NULL,
                  email TEXT NOT NULL,
                  created_at BIGINT NOT NULL,
                  expires_at BIGINT NOT NULL,
                  used_at BIGINT
                )
                """,
                "CREATE INDEX email_tokens_member ON email_tokens (member_id, purpose)",
                """
                CREATE TABLE mail_queue (
                  id TEXT PRIMARY KEY,
                  kind TEXT NOT NULL,
                  member_id TEXT REFERENCES members (id) ON DELETE CASCADE,
                  recipient TEXT NOT NULL,
                  subject TEXT NOT NULL,
                  text_body TEXT NOT NULL,
                  html_body TEXT,
                  created_at BIGINT NOT NULL,
                  next_attempt_at BIGINT NOT NULL,
                  attempts INTEGER NOT NULL DEFAULT 0,
                  status TEXT NOT NULL DEFAULT 'queued',
                  last_error TEXT NOT NULL DEFAULT '',
                  sent_at BIGINT,
                  claimed_until BIGINT NOT NULL DEFAULT 0
                )
                """,
                "CREATE INDEX mail_queue_due ON mail_queue (next_attempt_at) WHERE status = 'queued'",
            ]
        ),
        (
            18, "profile_sections",
            [
                // Certifications, languages, projects and volunteer work: one row per entry, the entry as JSON (nothing
                // queries inside one; search reads its own index). Photos are stored in the database, so every instance
                // serves them and backups hold them. A handle given up stays reserved for its former owner, whose old
                // address redirects, for `Handle.reservation`.
                """
                CREATE TABLE profile_entries (
                  member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
                  kind TEXT NOT NULL,
                  id TEXT NOT NULL,
                  body TEXT NOT NULL,
                  created_at BIGINT NOT NULL,
                  PRIMARY KEY (member_id, kind, id)
                )
                """,
                "ALTER TABLE members ADD COLUMN contact_info TEXT NOT NULL DEFAULT '{}'",
                "ALTER TABLE members ADD COLUMN photo_id TEXT",
                "ALTER TABLE members ADD COLUMN banner_id TEXT",
                """
                CREATE TABLE photos (
                  id TEXT NOT NULL,
                  variant TEXT NOT NULL,
                  member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
                  kind TEXT NOT NULL,
                  bytes BYTEA NOT NULL,
                  created_at BIGINT NOT NULL,
                  PRIMARY KEY (member_id, kind, variant)
                )
                """,
                "CREATE INDEX photos_id ON photos (id, variant)",
                """
                CREATE TABLE handle_history (
                  handle_key TEXT PRIMARY KEY,
                  member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
                  released_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX handle_history_member ON handle_history (member_id)",
            ]
        ),
        (
            19, "member_cache_changes",
            [
                // What an instance keeps in memory of sessions, profiles and cards (`MemberCache`) is dropped when this
                // log names it: a deleted session, or a member whose row changed (every change to a profile touches it)
                // or went. Triggers write it, so no statement, process or instance can change these without the log
                // saying so; they also notify `tsunagari_cache` (one notification per transaction: PostgreSQL folds
                // equal ones), so that every instance replays the log at once rather than within 250 ms.
                """
                CREATE TABLE member_cache_changes (
                  seq BIGSERIAL PRIMARY KEY,
                  member_id TEXT NOT NULL,
                  token_hash TEXT,
                  at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX member_cache_changes_at ON member_cache_changes (at)",
                """
                CREATE FUNCTION member_cache_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF TG_TABLE_NAME = 'sessions' THEN
                    INSERT INTO member_cache_changes (member_id, token_hash, at)
                    VALUES (OLD.member_id, OLD.token_hash, (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT);
                  ELSE
                    INSERT INTO member_cache_changes (member_id, at)
                    VALUES (OLD.id, (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT);
                  END IF;
                  PERFORM pg_notify('tsunagari_cache', '');
                  RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER sessions_cache_change AFTER DELETE ON sessions
                FOR EACH ROW EXECUTE FUNCTION member_cache_change()
                """,
                """
                CREATE TRIGGER members_cache_change AFTER UPDATE OR DELETE ON members
                FOR EACH ROW EXECUTE FUNCTION member_cache_change()
                """,
                // A profile also shows its companies' names (the most common spelling, which others' positions can
                // change): a company's new name names every member who has a position there or works there, verified.
                """
                CREATE FUNCTION company_cache_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  INSERT INTO member_cache_changes (member_id, at)
                  SELECT member_id, (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT FROM positions
                  WHERE company_id = NEW.id
                  UNION SELECT id, (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT FROM members
                  WHERE verified_company_id = NEW.id;
                  PERFORM pg_notify('tsunagari_cache', '');
                  RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER companies_cache_change AFTER UPDATE OF name ON companies
                FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION company_cache_change()
                """,
                // A block, made or lifted, names both members (who is blocked either way is kept in memory too).
                """
                CREATE FUNCTION block_cache_change() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                  row_ blocks%ROWTYPE;
                BEGIN
                  IF TG_OP = 'DELETE' THEN row_ := OLD; ELSE row_ := NEW; END IF;
                  INSERT INTO member_cache_changes (member_id, at)
                  VALUES (row_.blocker_id, (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT),
                         (row_.blocked_id, (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT);
                  PERFORM pg_notify('tsunagari_cache', '');
                  RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER blocks_cache_change AFTER INSERT OR DELETE ON blocks
                FOR EACH ROW EXECUTE FUNCTION block_cache_change()
                """,
            ]
        ),
        (
            20, "connections_recent",
            [
                // A page of someone's connections, newest first, read without the rest of the list (a recruiter's may
                // be tens of thousands long).
                #"CREATE INDEX connections_recent ON connections (member_id, connected_at DESC, other_id COLLATE "C")"#
            ]
        ),
        (
            21, "invitation_cache_changes",
            [
                // The open invitations between two members are kept in memory too (`MemberCache`): every insert, update
                // or delete of an invitation names both members in the change log, marked as a change of their
                // invitations alone (`MemberCache.Change.invitations`), so that their sessions and profiles stay held.
                """
                CREATE FUNCTION invitation_cache_change() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                  row_ invitations%ROWTYPE;
                BEGIN
                  IF TG_OP = 'DELETE' THEN row_ := OLD; ELSE row_ := NEW; END IF;
                  INSERT INTO member_cache_changes (member_id, token_hash, at)
                  VALUES (row_.from_id, '\(MemberCache.Change.invitations)', (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT),
                         (row_.to_id, '\(MemberCache.Change.invitations)', (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT);
                  PERFORM pg_notify('tsunagari_cache', '');
                  RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER invitations_cache_change AFTER INSERT OR UPDATE OR DELETE ON invitations
                FOR EACH ROW EXECUTE FUNCTION invitation_cache_change()
                """,
            ]
        ),
        (
            22, "one_round_trip_writes",
            [
                // A reservation under rate limits in one round trip instead of five (`BEGIN`, a lock per key, a count per
                // key, the inserts, `COMMIT`): the same steps in one statement's transaction. Keys are locked in one order
                // (bytewise), so two reservations of the same keys cannot deadlock. Returns the first refused key's
                // position (from 0) and when its oldest counted attempt leaves the window, or no row when every key
                // had room and the attempt was recorded under each.
                """
                CREATE FUNCTION reserve_attempts(keys TEXT[], limits INT[], since BIGINT[], stamp BIGINT)
                RETURNS TABLE (refused INT, freed_by BIGINT) LANGUAGE plpgsql AS $$
                DECLARE
                  k TEXT;
                  found_at BIGINT;
                BEGIN
                  FOR k IN SELECT DISTINCT u COLLATE "C" FROM unnest(keys) AS u ORDER BY 1 LOOP
                    PERFORM pg_advisory_xact_lock(hashtextextended(k, 7));
                  END LOOP;
                  FOR i IN 1 .. coalesce(array_length(keys, 1), 0) LOOP
                    IF limits[i] <= 0 THEN
                      RETURN QUERY SELECT i - 1, stamp;
                      RETURN;
                    END IF;
                    SELECT t.at INTO found_at FROM throttle_attempts t WHERE t.key = keys[i] AND t.at >= since[i]
                    ORDER BY t.at DESC LIMIT 1 OFFSET limits[i] - 1;
                    IF FOUND THEN
                      RETURN QUERY SELECT i - 1, found_at;
                      RETURN;
                    END IF;
                  END LOOP;
                  INSERT INTO throttle_attempts (key, at) SELECT u, stamp FROM unnest(keys) AS u;
                END $$
                """,
                // A change of a member's profile alone (the account's columns as they were) is logged as such
                // (`MemberCache.Change.profile`): their sessions, account, blocks and invitations stay held, so that the
                // request after a profile edit does not read its session and account again.
                """
                CREATE OR REPLACE FUNCTION member_cache_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF TG_TABLE_NAME = 'sessions' THEN
                    INSERT INTO member_cache_changes (member_id, token_hash, at)
                    VALUES (OLD.member_id, OLD.token_hash, (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT);
                  ELSIF TG_OP = 'UPDATE' AND (OLD.id, OLD.email, OLD.password_hash, OLD.role, OLD.created_at, OLD.suspended_at, OLD.email_verified)
                    IS NOT DISTINCT FROM (NEW.id, NEW.email, NEW.password_hash, NEW.role, NEW.created_at, NEW.suspended_at, NEW.email_verified) THEN
                    INSERT INTO member_cache_changes (member_id, token_hash, at)
                    VALUES (OLD.id, '\(MemberCache.Change.profile)', (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT);
                  ELSE
                    INSERT INTO member_cache_changes (member_id, at)
                    VALUES (OLD.id, (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT);
                  END IF;
                  PERFORM pg_notify('tsunagari_cache', '');
                  RETURN NULL;
                END $$
                """,
            ]
        ),
        (
            23, "cache_notifications_name_their_instance",
            [
                // The cache log's notifications carry the writing connection's `application_name`, which names its
                // instance (`PostgresStorage.instanceName`): an instance passes over its own, since it applies its own
                // writes itself (`MemberCache.wroteKnown`) or replays after them, and another instance's still make
                // it replay at once. The functions are those of migrations 19, 21 and 22 with that payload.
                """
                CREATE OR REPLACE FUNCTION member_cache_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF TG_TABLE_NAME = 'sessions' THEN
                    INSERT INTO member_cache_changes (member_id, token_hash, at)
                    VALUES (OLD.member_id, OLD.token_hash, (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT);
                  ELSIF TG_OP = 'UPDATE' AND (OLD.id, OLD.email, OLD.password_hash, OLD.role, OLD.created_at, OLD.suspended_at, OLD.email_verified)
                    IS NOT DISTINCT FROM (NEW.id, NEW.email, NEW.password_hash, NEW.role, NEW.created_at, NEW.suspended_at, NEW.email_verified) THEN
                    INSERT INTO member_cache_changes (member_id, token_hash, at)
                    VALUES (OLD.id, '\(MemberCache.Change.profile)', (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT);
                  ELSE
                    INSERT INTO member_cache_changes (member_id, at)
                    VALUES (OLD.id, (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT);
                  END IF;
                  PERFORM pg_notify('tsunagari_cache', current_setting('application_name'));
                  RETURN NULL;
                END $$
                """,
                """
                CREATE OR REPLACE FUNCTION company_cache_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  INSERT INTO member_cache_changes (member_id, at)
                  SELECT member_id, (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT FROM positions
                  WHERE company_id = NEW.id
                  UNION SELECT id, (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT FROM members
                  WHERE verified_company_id = NEW.id;
                  PERFORM pg_notify('tsunagari_cache', current_setting('application_name'));
                  RETURN NULL;
                END $$
                """,
                """
                CREATE OR REPLACE FUNCTION block_cache_change() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                  row_ blocks%ROWTYPE;
                BEGIN
                  IF TG_OP = 'DELETE' THEN row_ := OLD; ELSE row_ := NEW; END IF;
                  INSERT INTO member_cache_changes (member_id, at)
                  VALUES (row_.blocker_id, (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT),
                         (row_.blocked_id, (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT);
                  PERFORM pg_notify('tsunagari_cache', current_setting('application_name'));
                  RETURN NULL;
                END $$
                """,
                """
                CREATE OR REPLACE FUNCTION invitation_cache_change() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                  row_ invitations%ROWTYPE;
                BEGIN
                  IF TG_OP = 'DELETE' THEN row_ := OLD; ELSE row_ := NEW; END IF;
                  INSERT INTO member_cache_changes (member_id, token_hash, at)
                  VALUES (row_.from_id, '\(MemberCache.Change.invitations)', (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT),
                         (row_.to_id, '\(MemberCache.Change.invitations)', (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT);
                  PERFORM pg_notify('tsunagari_cache', current_setting('application_name'));
                  RETURN NULL;
                END $$
                """,
            ]
        ),
        (
            24, "suggestion_cache_changes",
            [
                // A member's dismissals and matched contacts are kept in memory too (`MemberCache`): each change of them
                // names their owner in the change log, marked as such (`MemberCache.Change.suggestions`), so that the
                // rest of what is held for them stays. Contacts without a match change nothing a suggestion reads.
                """
                CREATE FUNCTION suggestion_cache_change() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                  stamp BIGINT := (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT;
                BEGIN
                  IF TG_TABLE_NAME = 'suggestion_dismissals' THEN
                    IF TG_OP <> 'INSERT' THEN
                      INSERT INTO member_cache_changes (member_id, token_hash, at) VALUES (OLD.member_id, '\(MemberCache.Change.suggestions)', stamp);
                    END IF;
                    IF TG_OP <> 'DELETE' THEN
                      INSERT INTO member_cache_changes (member_id, token_hash, at) VALUES (NEW.member_id, '\(MemberCache.Change.suggestions)', stamp);
                    END IF;
                  ELSE
                    IF TG_OP <> 'INSERT' AND OLD.matched_member_id IS NOT NULL THEN
                      INSERT INTO member_cache_changes (member_id, token_hash, at) VALUES (OLD.owner_id, '\(MemberCache.Change.suggestions)', stamp);
                    END IF;
                    IF TG_OP <> 'DELETE' AND NEW.matched_member_id IS NOT NULL THEN
                      INSERT INTO member_cache_changes (member_id, token_hash, at) VALUES (NEW.owner_id, '\(MemberCache.Change.suggestions)', stamp);
                    END IF;
                  END IF;
                  PERFORM pg_notify('tsunagari_cache', current_setting('application_name'));
                  RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER suggestion_dismissals_cache_change AFTER INSERT OR UPDATE OR DELETE ON suggestion_dismissals
                FOR EACH ROW EXECUTE FUNCTION suggestion_cache_change()
                """,
                """
                CREATE TRIGGER contacts_cache_change AFTER INSERT OR DELETE ON contacts
                FOR EACH ROW EXECUTE FUNCTION suggestion_cache_change()
                """,
                """
                CREATE TRIGGER contacts_cache_update AFTER UPDATE ON contacts FOR EACH ROW
                WHEN ((OLD.owner_id, OLD.matched_member_id, OLD.source, OLD.created_at)
                  IS DISTINCT FROM (NEW.owner_id, NEW.matched_member_id, NEW.source, NEW.created_at))
                EXECUTE FUNCTION suggestion_cache_change()
                """,
            ]
        ),
        (
            25, "unread_cache_changes",
            [
                // What the header of every page counts is kept in memory too (`MemberCache`): a member's unread
                // notifications and conversations. Each change of them names the member in the change log, marked as such
                // (`MemberCache.Change.unread`). A notification read before and after changes nothing counted; a new
                // message names everyone in its conversation.
                """
                CREATE FUNCTION unread_cache_change() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                  stamp BIGINT := (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT;
                BEGIN
                  IF TG_TABLE_NAME = 'conversations' THEN
                    INSERT INTO member_cache_changes (member_id, token_hash, at)
                    SELECT member_id, '\(MemberCache.Change.unread)', stamp FROM conversation_participants WHERE conversation_id = NEW.id;
                  ELSE
                    IF TG_OP <> 'INSERT' THEN
                      INSERT INTO member_cache_changes (member_id, token_hash, at) VALUES (OLD.member_id, '\(MemberCache.Change.unread)', stamp);
                    END IF;
                    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.member_id IS DISTINCT FROM OLD.member_id) THEN
                      INSERT INTO member_cache_changes (member_id, token_hash, at) VALUES (NEW.member_id, '\(MemberCache.Change.unread)', stamp);
                    END IF;
                  END IF;
                  RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER notifications_unread_insert AFTER INSERT ON notifications FOR EACH ROW
                WHEN (NOT NEW.read) EXECUTE FUNCTION unread_cache_change()
                """,
                """
                CREATE TRIGGER notifications_unread_update AFTER UPDATE ON notifications FOR EACH ROW
                WHEN (NOT OLD.read OR NOT NEW.read) EXECUTE FUNCTION unread_cache_change()
                """,
                """
                CREATE TRIGGER notifications_unread_delete AFTER DELETE ON notifications FOR EACH ROW
                WHEN (NOT OLD.read) EXECUTE FUNCTION unread_cache_change()
                """,
                """
                CREATE TRIGGER conversations_unread_update AFTER UPDATE OF last_message_id ON conversations FOR EACH ROW
                WHEN (OLD.last_message_id IS DISTINCT FROM NEW.last_message_id) EXECUTE FUNCTION unread_cache_change()
                """,
                """
                CREATE TRIGGER conversation_participants_unread_change AFTER INSERT OR DELETE ON conversation_participants
                FOR EACH ROW EXECUTE FUNCTION unread_cache_change()
                """,
                """
                CREATE TRIGGER conversation_participants_unread_update AFTER UPDATE ON conversation_participants FOR EACH ROW
                WHEN ((OLD.last_read_id, OLD.member_id, OLD.conversation_id) IS DISTINCT FROM (NEW.last_read_id, NEW.member_id, NEW.conversation_id))
                EXECUTE FUNCTION unread_cache_change()
                """,
            ]
        ),
    ]

    /// An arbitrary constant naming Tsunagari's migration lock.
    static let lockID: Int64 = 0x7473_756e_6167

    /// Applies every migration not yet applied, up to and including version `last`.
    static func run(_ client: PostgresClient, logger: Logger, through last: Int = .max) async throws {
        try await client.withTransaction(logger: logger) { c in
            try await c.query("SELECT pg_advisory_xact_lock(\(lockID))", logger: logger)
            try await c.query(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                logger: logger)
            var applied: Set<Int> = []
            for try await (version) in try await c.query("SELECT version FROM schema_migrations", logger: logger)
                .decode(Int.self) { applied.insert(version) }
            for migration in all where !applied.contains(migration.version) && migration.version <= last {
                for statement in migration.sql {
                    try await c.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await c.query(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger)
            }
        }
    }
}

/// `postgres://user:password@host:port/database?sslmode=disable|prefer|require`.
enum PostgresURL {
    static func parse(_ text: String) throws -> PostgresClient.Configuration {
        guard let url = URLComponents(string: text), url.scheme == "postgres" || url.scheme == "postgresql",
            let host = url.host, !host.isEmpty
        else {
            throw DomainError.invalid("bad_database_url", "DATABASE_URL must look like postgres://user:password@host:5432/database")
        }
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        let mode = url.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "disable"
        let tls: PostgresClient.Configuration.TLS
        switch mode {
        case "disable": tls = .disable
        case "require", "verify-full": tls = .require(.makeClientConfiguration())
        default: tls = .prefer(.makeClientConfiguration())
        }
        return PostgresClient.Configuration(
            host: host, port: url.port ?? 5432, username: url.user ?? "postgres", password: url.password,
            database: database.isEmpty ? nil : database, tls: tls)
    }
}

// MARK: For tests of migrations

extension PostgresStorage {
    /// Applies the migrations up to and including `version` only, so that a test can write data as an older
    /// version did before the next migration runs.
    func migrate(through version: Int) async throws {
        defer { cache.reset() }
        try await PostgresMigrations.run(client.base, logger: logger, through: version)
    }

    /// One statement with bound text arguments, outside the storage API: writes rows the way an older version did.
    func execute(sql: String, arguments: [String]) async throws {
        defer { cache.wrote() }
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments { bindings.append(argument) }
        try await client.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
    }
}
