-- Whether a period has been billed (any bill version, current or not).

-- name: period-billed
SELECT count(*) AS bills FROM bills WHERE period = $period;
