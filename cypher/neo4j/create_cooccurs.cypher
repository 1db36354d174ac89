// Adds co-occurrence relationships; rows: {a, b, count, npmi}. MERGE makes a resumed write safe.
// params: rows
UNWIND $rows AS row
MATCH (a:Label {name: row.a})
MATCH (b:Label {name: row.b})
MERGE (a)-[r:CO_OCCURS]->(b)
SET r.count = row.count, r.npmi = row.npmi
