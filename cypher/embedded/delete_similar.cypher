// Removes every SIMILAR relationship between nodes of one label (before a rebuild).
// params: none
MATCH (a:{{label}})-[r:SIMILAR]->(b:{{label}}) DELETE r
