// Removes the vectors of the given nodes; rows: {key}.
// params: rows
LOAD FROM $rows
MATCH (v:{{vectors}} {key: key})
DELETE v
