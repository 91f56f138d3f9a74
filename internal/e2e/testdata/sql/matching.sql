-- Messages whose text contains a string (here "wörld"), with their
-- session's path: message lines do not carry it, the session line does.
-- Text the format keeps as base64 ("binary" with "opcode":"text": mostly
-- control bytes, or bytes that are not UTF-8) is decoded where it is
-- UTF-8, and searched too.
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
