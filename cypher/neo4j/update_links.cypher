// Changes the weight of existing generic edges; rows: {src, dst, weight}.
// params: rows
UNWIND $rows AS row
MATCH (:Node {id: row.src})-[r:LINK]->(:Node {id: row.dst})
SET r.weight = row.weight
