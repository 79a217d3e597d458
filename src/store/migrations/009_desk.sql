-- The review desk (`billrun serve`): its users, the claims reviewers hold on bills, and what
-- people did at the desk beyond decisions (sign-ins, claims, runs), with where from.
--
-- Decisions themselves stay in review_decisions (002): a desk decision has source 'desk <ip>'.
-- Passwords are stored only as argon2id hashes (PHC strings, salt inside).

CREATE TABLE desk_users (
  user_name VARCHAR NOT NULL PRIMARY KEY,
  role VARCHAR NOT NULL,                 -- reviewer | supervisor | agent
  password_hash VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL,
  disabled BOOLEAN NOT NULL DEFAULT false
);

-- One claim per bill under review: the primary key is what makes two reviewers' claims on the same
-- account and period collide, so exactly one of them holds it.
CREATE TABLE review_claims (
  account_key INTEGER NOT NULL,
  period INTEGER NOT NULL,               -- YYYYMM
  user_name VARCHAR NOT NULL,
  claimed_at TIMESTAMP NOT NULL,
  PRIMARY KEY (account_key, period)
);

CREATE SEQUENCE desk_event_id START 1;

-- Append-only, like review_decisions.
CREATE TABLE desk_events (
  event_id BIGINT NOT NULL DEFAULT nextval('desk_event_id') PRIMARY KEY,
  happened_at TIMESTAMP NOT NULL,
  user_name VARCHAR,                     -- NULL for a failed sign-in of an unknown name
  event VARCHAR NOT NULL,                -- sign-in | sign-in-failed | sign-out | claim | unclaim | run | lookup
  account_id VARCHAR,
  period INTEGER,
  ip VARCHAR NOT NULL,
  detail VARCHAR NOT NULL
);

-- What a review item is, in one place (review.sql's queue and the desk's paged queue read it): per
-- account and period, the newest bill version that is current or was replaced by a correction,
-- and was flagged or held. A correction's re-bill is not an item itself (it carries no flags).
CREATE VIEW review_candidates AS
SELECT b.*
FROM bills b
WHERE (b.is_current OR b.status = 'corrected') AND (b.flag_count > 0 OR b.status <> 'ready')
QUALIFY row_number() OVER (PARTITION BY b.account_key, b.period ORDER BY b.bill_version DESC) = 1;
