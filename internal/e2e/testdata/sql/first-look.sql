-- What the recordings hold, line types counted: read_json_auto learns the
-- columns from the files themselves (union_by_name: files need not have
-- the same fields).
SELECT type, count(*) AS lines, count(DISTINCT session) AS sessions
FROM read_json_auto('rec/*.ndjson.zst',
  format = 'newline_delimited', compression = 'zstd', union_by_name = true)
GROUP BY type
ORDER BY lines DESC, type;
