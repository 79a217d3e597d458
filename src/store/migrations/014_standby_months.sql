-- A standby month: a trusted month whose use is below `share` (the class's vacancy_share in the
-- rules the run used; 0 where premises do not stand empty) of the highest of the baseline's months.
-- A home that stood empty was billed right, but its standby load is not the account's level: taken
-- into the median, four empty months among eight lived-in ones put the baseline half-way and held
-- every occupied month after them as a level shift. The bill run's baseline (determinants.sql) and
-- `review show`'s (review.sql level-history) both leave such months out.
CREATE MACRO standby_month(level, highest, share) AS level < share * highest;
