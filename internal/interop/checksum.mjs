// Reads a file written by tome with an independent implementation and
// prints a checksum of its contents as one JSON object, for interop_test.go
// to compare with what tome wrote.
//
//   node checksum.mjs arrow FILE     # npm apache-arrow: Arrow IPC file or stream
//   node checksum.mjs duckdb FILE    # @duckdb/node-api: Parquet
//
// The file has the columns id int64, x float64, s utf8 (nullable),
// b bool and v list<int32>.
import { readFileSync } from "node:fs";

const [reader, file] = process.argv.slice(2);

async function withArrow(path) {
  const { tableFromIPC } = await import("apache-arrow");
  const table = tableFromIPC(readFileSync(path));
  const sum = { rows: table.numRows, id_sum: 0n, x_sum: 0, s_bytes: 0, s_nulls: 0, b_true: 0, v_len: 0, v_sum: 0 };
  const enc = new TextEncoder();
  const id = table.getChild("id"), x = table.getChild("x"), s = table.getChild("s"),
    b = table.getChild("b"), v = table.getChild("v");
  for (let i = 0; i < table.numRows; i++) {
    sum.id_sum += BigInt(id.get(i));
    sum.x_sum += x.get(i);
    const sv = s.get(i);
    if (sv === null) sum.s_nulls++; else sum.s_bytes += enc.encode(sv).length;
    if (b.get(i)) sum.b_true++;
    const lv = v.get(i);
    if (lv !== null) {
      sum.v_len += lv.length;
      for (const e of lv) sum.v_sum += e;
    }
  }
  sum.id_sum = sum.id_sum.toString();
  return sum;
}

async function withDuckDB(path) {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  const reader = await conn.runAndReadAll(
    `SELECT count(*)::BIGINT, coalesce(sum(id), 0)::VARCHAR, coalesce(sum(x), 0)::DOUBLE,
            coalesce(sum(strlen(s)), 0)::BIGINT, (count(*) - count(s))::BIGINT,
            coalesce(sum(b::INTEGER), 0)::BIGINT, coalesce(sum(len(v)), 0)::BIGINT,
            coalesce(sum(list_sum(v)), 0)::BIGINT
     FROM read_parquet($1)`, [path]);
  const r = reader.getRows()[0];
  return {
    rows: Number(r[0]), id_sum: r[1], x_sum: r[2], s_bytes: Number(r[3]), s_nulls: Number(r[4]),
    b_true: Number(r[5]), v_len: Number(r[6]), v_sum: Number(r[7]),
  };
}

const readers = { arrow: withArrow, duckdb: withDuckDB };
if (!readers[reader] || !file) {
  console.error("usage: node checksum.mjs arrow|duckdb FILE");
  process.exit(2);
}
try {
  console.log(JSON.stringify(await readers[reader](file)));
} catch (e) {
  console.error(`${reader}: ${e.message}`);
  process.exit(1);
}
