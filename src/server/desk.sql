-- The review desk's own tables (009_desk.sql): users and the events people cause at the desk.

-- name: find-user
SELECT user_name, role, password_hash, disabled FROM desk_users WHERE user_name = $user_name;

-- name: insert-user
INSERT INTO desk_users (user_name, role, password_hash, created_at) VALUES ($user_name, $role, $password_hash, $created_at::TIMESTAMP);

-- name: list-users
SELECT user_name, role, strftime(created_at, '%Y-%m-%d %H:%M') AS created_at FROM desk_users WHERE NOT disabled ORDER BY user_name;

-- name: insert-event
INSERT INTO desk_events (happened_at, user_name, event, account_id, period, ip, detail)
VALUES ($at::TIMESTAMP, $user_name, $event, $account_id, $period, $ip, $detail);

-- name: recent-events
SELECT event_id, strftime(happened_at, '%Y-%m-%d %H:%M:%S') AS happened_at, user_name, event, account_id, period, ip, detail
FROM desk_events ORDER BY event_id DESC LIMIT $limit;

-- name: recent-decisions
SELECT d.decision_id, strftime(d.decided_at, '%Y-%m-%d %H:%M:%S') AS decided_at, d.reviewer, d.action, a.account_id, d.period,
       d.from_status::VARCHAR AS from_status, d.to_status::VARCHAR AS to_status, d.source, d.note
FROM review_decisions d JOIN accounts a USING (account_key)
ORDER BY d.decision_id DESC LIMIT $limit;
