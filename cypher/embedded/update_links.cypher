// Changes the weight of existing generic edges; rows: {src, dst, weight}.
// params: rows
LOAD FROM $rows MATCH (a:Node {id: src})-[r:LINK]->(b:Node {id: dst}) SET r.weight = weight
