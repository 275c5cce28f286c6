#include "services/records/schema.h"

namespace cdkv::records {

const std::vector<store::Migration>& RecordStoreMigrations() {
  // Times are unix milliseconds (UTC). Text codes (state, action, role) are the
  // domain's names, so the database reads without the code beside it.
  static const std::vector<store::Migration> kMigrations = {
      {1, "filings", R"sql(
CREATE TABLE filings (
  id               TEXT PRIMARY KEY,
  procedure_code   TEXT NOT NULL,
  commune_code     TEXT NOT NULL,
  desk_code        TEXT NOT NULL,
  competent_desk   TEXT NOT NULL,
  citizen_id       TEXT NOT NULL,
  channel          TEXT NOT NULL,
  state            TEXT NOT NULL,
  version          INTEGER NOT NULL,
  created_at       INTEGER NOT NULL,
  submitted_at     INTEGER,
  deadline         INTEGER,
  delivery         TEXT NOT NULL DEFAULT 'desk_pickup',
  delivery_address TEXT NOT NULL DEFAULT '',
  claimed_by       TEXT,
  claimed_at       INTEGER,
  claim_expires_at INTEGER,
  handling_ms      INTEGER NOT NULL DEFAULT 0,
  officer_message  TEXT NOT NULL DEFAULT '',
  pickup_code_hash TEXT,
  pickup           TEXT,
  confirmed_at     INTEGER,
  ready_at         INTEGER,
  completed_at     INTEGER,
  rating           INTEGER NOT NULL DEFAULT 0,
  rating_comment   TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX filings_by_citizen ON filings(citizen_id, created_at DESC);
CREATE INDEX filings_by_desk ON filings(desk_code, state, deadline);

CREATE TABLE documents (
  filing_id       TEXT NOT NULL REFERENCES filings(id),
  document_id     TEXT NOT NULL,
  declared_kind   TEXT NOT NULL,
  detected_kind   TEXT NOT NULL DEFAULT '',
  content_type    TEXT NOT NULL,
  size_bytes      INTEGER NOT NULL,
  sha256          TEXT NOT NULL,
  width           INTEGER NOT NULL,
  height          INTEGER NOT NULL,
  quality_problem TEXT NOT NULL DEFAULT '',
  quality_advice  TEXT NOT NULL DEFAULT '',
  sharpness       REAL NOT NULL DEFAULT 0,
  uploaded_at     INTEGER NOT NULL,
  PRIMARY KEY (filing_id, document_id)
) STRICT;

CREATE TABLE form_fields (
  filing_id       TEXT NOT NULL REFERENCES filings(id),
  form_code       TEXT NOT NULL,
  position        INTEGER NOT NULL,
  field_key       TEXT NOT NULL,
  label           TEXT NOT NULL,
  value           TEXT NOT NULL DEFAULT '',
  confidence      REAL NOT NULL DEFAULT 0,
  method          TEXT NOT NULL DEFAULT '',
  document_id     TEXT NOT NULL DEFAULT '',
  region          TEXT NOT NULL DEFAULT '',
  readings        TEXT NOT NULL DEFAULT '[]',
  needs_review    INTEGER NOT NULL DEFAULT 1,
  review_reason   TEXT NOT NULL DEFAULT '',
  corrected       INTEGER NOT NULL DEFAULT 0,
  prefilled_value TEXT NOT NULL DEFAULT '',
  required        INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (filing_id, form_code, field_key)
) STRICT;

CREATE TABLE history (
  filing_id  TEXT NOT NULL REFERENCES filings(id),
  seq        INTEGER NOT NULL,
  from_state TEXT NOT NULL,
  to_state   TEXT NOT NULL,
  action     TEXT NOT NULL,
  actor_id   TEXT NOT NULL,
  role       TEXT NOT NULL,
  at         INTEGER NOT NULL,
  reason     TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (filing_id, seq)
) STRICT;

CREATE TABLE audit (
  id        INTEGER PRIMARY KEY,
  at        INTEGER NOT NULL,
  actor_id  TEXT NOT NULL,
  role      TEXT NOT NULL,
  action    TEXT NOT NULL,
  filing_id TEXT NOT NULL DEFAULT '',
  detail    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_by_filing ON audit(filing_id, id);

-- The first answer to each mutating request, returned again on a retry.
CREATE TABLE requests (
  principal  TEXT NOT NULL,
  request_id TEXT NOT NULL,
  method     TEXT NOT NULL,
  response   BLOB NOT NULL,
  at         INTEGER NOT NULL,
  PRIMARY KEY (principal, request_id)
) STRICT;

-- Work to hand to Redis, written in the same transaction as the change that causes it.
CREATE TABLE outbox (
  id      INTEGER PRIMARY KEY,
  kind    TEXT NOT NULL,
  payload TEXT NOT NULL,
  at      INTEGER NOT NULL
) STRICT;

CREATE TABLE notifications (
  id         INTEGER PRIMARY KEY,
  citizen_id TEXT NOT NULL,
  filing_id  TEXT NOT NULL,
  kind       TEXT NOT NULL,
  text       TEXT NOT NULL,
  pickup     TEXT NOT NULL DEFAULT '',
  at         INTEGER NOT NULL
) STRICT;
CREATE INDEX notifications_by_citizen ON notifications(citizen_id, id DESC);
)sql"},
  };
  return kMigrations;
}

}  // namespace cdkv::records
