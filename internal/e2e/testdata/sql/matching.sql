-- Messages whose text contains a string (here "wörld"), with their
-- session's path: message lines do not carry it, the session line does.
-- A text message that is not valid UTF-8 is stored as base64 ("binary"
-- with "opcode":"text"): decoded where it can be, it is searched too.
WITH hits AS (
  SELECT session, time, dir,
         coalesce(text, try(decode(from_base64("binary")))) AS body
  FROM rec
  WHERE type = 'message'
    AND (text IS NOT NULL OR opcode = 'text')
    AND contains(coalesce(text, try(decode(from_base64("binary")))), 'wörld')
)
SELECT s.url, h.session, h.time, h.dir, left(h.body, 80) AS message
FROM hits AS h
JOIN rec AS s ON s.type = 'session' AND s.session = h.session
ORDER BY h.time;
