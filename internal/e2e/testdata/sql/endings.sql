-- Sessions by how they ended: the close line's side, code and whether it
-- was clean (false: the connection dropped, no close frame). Sessions with
-- no close line (unfinished, or cut by a crash) are the row of NULLs.
SELECT "by", code, clean, count(*) AS sessions,
       list(url ORDER BY started)[1:5] AS some_urls
FROM (
  SELECT session,
         any_value(url) FILTER (WHERE type = 'session') AS url,
         min(time) FILTER (WHERE type = 'session') AS started,
         any_value("by") FILTER (WHERE type = 'close') AS "by",
         any_value(code) FILTER (WHERE type = 'close') AS code,
         any_value(clean) FILTER (WHERE type = 'close') AS clean
  FROM rec
  GROUP BY session
)
GROUP BY "by", code, clean
ORDER BY sessions DESC, code, "by", clean;
