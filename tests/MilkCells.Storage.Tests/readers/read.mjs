// Reads a Parquet file (hyparquet) or an Arrow IPC file (apache-arrow) and prints what it holds as JSON, in a form
// the storage tests compare with MilkCells' own rows: integers as decimal strings, doubles as the hex of their IEEE
// bits (so no formatting stands between the two), text as text, NULL as null.
// Usage: node read.mjs parquet|arrow FILE
import { readFileSync } from 'node:fs'
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { tableFromIPC } from 'apache-arrow'

const [format, path] = process.argv.slice(2)
const scratch = new DataView(new ArrayBuffer(8))

function value(v) {
  if (v === null || v === undefined) return null
  if (typeof v === 'bigint') return v.toString()
  if (typeof v === 'number') {
    if (Number.isInteger(v) && !Object.is(v, -0) && Math.abs(v) < 2 ** 31) return { int: v.toString(), bits: bits(v) }
    return { bits: bits(v) }
  }
  return String(v)
}

function bits(x) {
  scratch.setFloat64(0, x, true)
  return scratch.getBigUint64(0, true).toString(16).padStart(16, '0')
}

async function readParquet() {
  const file = await asyncBufferFromFile(path)
  const metadata = await parquetMetadataAsync(file)
  const leaves = metadata.schema.slice(1)
  const columns = leaves.map((element, i) => ({
    name: element.name,
    type: element.type,
    logical: element.logical_type?.type ?? null,
    nullable: element.repetition_type === 'OPTIONAL',
    encodings: [...new Set(metadata.row_groups.flatMap(g => g.columns[i].meta_data.encodings))].sort(),
    codec: [...new Set(metadata.row_groups.map(g => g.columns[i].meta_data.codec))].join(','),
  }))
  const rows = await parquetReadObjects({ file, compressors })
  return {
    format: 'parquet',
    metadata: Object.fromEntries((metadata.key_value_metadata ?? []).map(kv => [kv.key, kv.value])),
    columns,
    groups: metadata.row_groups.map(g => Number(g.num_rows)),
    rows: rows.length,
    values: Object.fromEntries(columns.map(c => [c.name, rows.map(r => value(r[c.name]))])),
  }
}

function readArrow() {
  const table = tableFromIPC(readFileSync(path))
  const columns = table.schema.fields.map(f => ({ name: f.name, type: f.type.toString(), nullable: f.nullable }))
  return {
    format: 'arrow',
    metadata: Object.fromEntries(table.schema.metadata),
    columns,
    groups: table.batches.map(b => b.numRows),
    rows: table.numRows,
    values: Object.fromEntries(columns.map(c => {
      const vector = table.getChild(c.name)
      return [c.name, Array.from({ length: table.numRows }, (_, i) => value(vector.get(i)))]
    })),
  }
}

const result = format === 'parquet' ? await readParquet() : readArrow()
process.stdout.write(JSON.stringify(result))
