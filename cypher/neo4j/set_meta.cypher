// Sets graphvec state values; rows: {key, value}.
// params: rows
UNWIND $rows AS row MERGE (m:GraphvecMeta {key: row.key}) SET m.value = row.value
