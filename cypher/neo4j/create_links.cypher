// Adds generic edges; rows: {src, dst, weight}. MERGE makes a resumed write safe.
// params: rows
UNWIND $rows AS row
MATCH (a:Node {id: row.src})
MATCH (b:Node {id: row.dst})
MERGE (a)-[r:LINK]->(b)
SET r.weight = row.weight
