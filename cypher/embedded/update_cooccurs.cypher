// Updates count and NPMI of existing co-occurrence relationships; rows: {a, b, count, npmi}.
// params: rows
LOAD FROM $rows
MATCH (x:Label {name: a})-[r:CO_OCCURS]->(y:Label {name: b})
SET r.count = count, r.npmi = npmi
