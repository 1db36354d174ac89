// Updates count and NPMI of existing co-occurrence relationships; rows: {a, b, count, npmi}.
// params: rows
UNWIND $rows AS row
MATCH (:Label {name: row.a})-[r:CO_OCCURS]->(:Label {name: row.b})
SET r.count = row.count, r.npmi = row.npmi
