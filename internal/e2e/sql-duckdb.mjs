// Runs the documented DuckDB queries (testdata/sql/*.sql, which docs/sql.md
// quotes) with @duckdb/node-api, in one in-memory database, in the order
// given; prints each query's rows as JSON objects: {"results": {FILE:
// [row...]}} or {"error": "..."}. sql_test.go judges them.
// Usage: node sql-duckdb.mjs SOURCE QUERY.sql...
// SOURCE takes the place of the files' 'rec/*.ndjson.zst' (a local glob or
// an s3:// URL). $DUCKDB_SETUP, if set, is run first (LOAD httpfs and an S3
// secret). DuckDB never downloads an extension here: tests run offline.
import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
import path from 'node:path';

const [source, ...files] = process.argv.slice(2);
const out = { results: {} };
try {
  const db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
  const c = await db.connect();
  if (process.env.DUCKDB_SETUP) await c.run(process.env.DUCKDB_SETUP);
  for (const f of files) {
    const sql = fs.readFileSync(f, 'utf8');
    const r = await c.runAndReadAll(sql.replaceAll("'rec/*.ndjson.zst'", `'${source.replaceAll("'", "''")}'`));
    out.results[path.basename(f)] = r.getRowObjectsJson();
  }
} catch (e) {
  out.error = String(e.message || e).split('\n')[0];
}
console.log(JSON.stringify(out));
