// Reads a tome serve HTTP stream with npm apache-arrow's streaming reader,
// as a JavaScript training client would, and prints what it read as one
// JSON object, for internal/serve's interop test to compare with what
// tome sent.
//
//   TOME_TOKEN=... node stream_rows.mjs URL
//
// The stream has the columns id int64, text utf8 and x float64. Output:
// {"rows", "batches", "ids" (in stream order, as strings: int64 is exact),
// "text_bytes", "x_sum", "content_type", "rows_header"}.
import { RecordBatchReader } from "apache-arrow";

const [url] = process.argv.slice(2);
const headers = {};
if (process.env.TOME_TOKEN) headers.authorization = `Bearer ${process.env.TOME_TOKEN}`;
const res = await fetch(url, { headers });
if (!res.ok) {
  console.error(`GET ${url}: ${res.status} ${await res.text()}`);
  process.exit(1);
}
const out = {
  rows: 0, batches: 0, ids: [], text_bytes: 0, x_sum: 0,
  content_type: res.headers.get("content-type"), rows_header: res.headers.get("tome-rows"),
};
const enc = new TextEncoder();
const reader = await RecordBatchReader.from(res.body);
for await (const batch of reader) {
  out.batches++;
  out.rows += batch.numRows;
  const id = batch.getChild("id"), text = batch.getChild("text"), x = batch.getChild("x");
  for (let i = 0; i < batch.numRows; i++) {
    out.ids.push(BigInt(id.get(i)).toString());
    out.text_bytes += enc.encode(text.get(i)).length;
    out.x_sum += x.get(i);
  }
}
console.log(JSON.stringify(out));
