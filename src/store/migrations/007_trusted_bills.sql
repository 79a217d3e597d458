-- Which bills an analysis of billed amounts can trust (the impact of a price change today).
--
-- A bill is trusted when it is its account's current bill of the period and no review is open on
-- it: held and escalated bills carry flags no reviewer has decided (sentinel reads, register
-- errors, misreads), so their kWh — and any amount priced from it — may be wrong by orders of
-- magnitude. Released, dismissed and unflagged bills are trusted, and so are bills flagged with
-- severity `review` or `info` only (they are sent: their total is right, the follow-up is a visit
-- or a call); a corrected bill counts through its re-bill, the current version. One definition,
-- so every analysis leaves out the same bills.
CREATE MACRO bill_trusted_for_impact(is_current, status) AS is_current AND status NOT IN ('held', 'escalated');
