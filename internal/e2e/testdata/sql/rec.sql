-- rec: every line of every recording under rec/, as a view the queries
-- below read. The columns are named, so that a query reads the same
-- whether or not some field occurs in the files at hand (a column that no
-- file has would otherwise be an error), and DuckDB does not have to
-- sample every file to learn their schema. time keeps its nanoseconds.
CREATE OR REPLACE VIEW rec AS
SELECT * FROM read_json('rec/*.ndjson.zst',
  format = 'newline_delimited', compression = 'zstd', filename = true,
  columns = {
    type: 'VARCHAR', session: 'VARCHAR', time: 'TIMESTAMP_NS',
    url: 'VARCHAR', kind: 'VARCHAR', protocol: 'VARCHAR',
    dir: 'VARCHAR', text: 'VARCHAR', "binary": 'VARCHAR', opcode: 'VARCHAR',
    "by": 'VARCHAR', code: 'INTEGER', reason: 'VARCHAR', clean: 'BOOLEAN'
  });
