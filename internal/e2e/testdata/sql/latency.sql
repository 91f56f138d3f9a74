-- How long the server took to answer: for each client message, the time
-- until the next server message of its session (NULL: none came), the
-- slowest first. The window reads each session backwards in time, so that
-- the last server message seen is the next one after the client's.
WITH m AS (
  SELECT session, time, dir,
         coalesce(text,
                  CASE WHEN opcode = 'text' THEN try(decode(from_base64("binary"))) END,
                  '(' || octet_length(from_base64("binary")) || ' bytes)') AS body
  FROM rec
  WHERE type = 'message'
),
answered AS (
  SELECT *,
         last_value(CASE WHEN dir = 'receive' THEN time END IGNORE NULLS) OVER later AS answer_time,
         last_value(CASE WHEN dir = 'receive' THEN body END IGNORE NULLS) OVER later AS answer
  FROM m
  WINDOW later AS (PARTITION BY session ORDER BY time DESC
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
)
SELECT session, time AS sent, left(body, 60) AS client_message,
       left(answer, 60) AS answer,
       (epoch_ns(answer_time) - epoch_ns(time)) / 1e6 AS latency_ms
FROM answered
WHERE dir = 'send'
ORDER BY latency_ms DESC NULLS LAST, sent;
