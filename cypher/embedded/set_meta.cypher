// Sets graphvec state values; rows: {key, value}.
// params: rows
LOAD FROM $rows MERGE (m:GraphvecMeta {key: key}) SET m.value = value
