-- Second review: the audit trail of reviewers' decisions on held bills.
--
-- A bill's review state lives on bills.status; every change a reviewer makes to it has exactly
-- one row here, written in the same transaction as the change. The trail is append-only: the
-- review stage only ever inserts into it (decision ids come from a sequence, so the order of
-- decisions survives concurrent writers). A correction's reads go into `readings` like any other
-- read, with file_key 0 and line = the decision id, so each traces back to its decision here.

CREATE SEQUENCE review_decision_id START 1;

CREATE TABLE review_decisions (
  decision_id BIGINT NOT NULL DEFAULT nextval('review_decision_id') PRIMARY KEY,
  account_key INTEGER NOT NULL,
  period INTEGER NOT NULL,               -- YYYYMM
  action VARCHAR NOT NULL,               -- release | correct | hold | dismiss | escalate
  from_status bill_status NOT NULL,
  to_status bill_status NOT NULL,        -- of the decided version ('corrected' for a re-bill)
  bill_version SMALLINT NOT NULL,        -- the version decided on
  new_bill_version SMALLINT,             -- correct: the re-bill, current from now on
  amount_before_minor BIGINT NOT NULL,
  amount_after_minor BIGINT,             -- correct: the re-bill's amount
  correction JSON,                       -- correct: {"basis": "read" | "estimate", "reads": [...]}
  reviewer VARCHAR NOT NULL,
  note VARCHAR NOT NULL,
  source VARCHAR NOT NULL,               -- 'cli', or '<file>:<line>' for a bulk import
  decided_at TIMESTAMP NOT NULL
);
