-- The review desk's queue at size: what ranking and filtering need of every review item of a
-- period (review_candidates, 009_desk.sql, says which bills those are), kept in a table so that a
-- queue page does not derive the items from every bill of the period and join every account to
-- rank them (a quarter of a second at 100,000 flagged bills of a million).
--
-- Derived data only: src/review/page.sql fills a period from review_candidates, flags and accounts,
-- and fills it again whenever what it was derived from has changed since (review_queue_inputs: the
-- period's runs and the account loads). What decisions change — status, claims, decisions — is not
-- kept here but read live: a decision leaves the item itself as it is (a correction's re-bill is
-- not an item; the corrected version stays one, with the figures it was billed with).
CREATE TABLE review_queue (
  period INTEGER NOT NULL,
  account_key INTEGER NOT NULL,
  bill_version SMALLINT NOT NULL,
  -- The queue's order (score, highest first, then account id) as one number: a page sorts
  -- integers and needs no account of the bills it passes over.
  queue_rank INTEGER NOT NULL,
  score DOUBLE NOT NULL,
  region VARCHAR NOT NULL,
  customer_class customer_class NOT NULL,
  rules VARCHAR[] NOT NULL,             -- the item's unsuppressed flags' rules (the rule filter)
  reason VARCHAR NOT NULL,              -- the highest-scoring of them's reason
  -- The item's bill as billed (a bill version's figures never change; its status does, and is read live).
  kwh_milli BIGINT NOT NULL,
  days SMALLINT NOT NULL,
  amount_minor BIGINT NOT NULL,
  context_key BIGINT NOT NULL
);

CREATE TABLE review_queue_inputs (
  period INTEGER NOT NULL PRIMARY KEY,
  inputs VARCHAR NOT NULL               -- page.sql queue-inputs when the period was filled
);
