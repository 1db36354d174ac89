// Removes every SIMILAR relationship between nodes of one label (before a rebuild), in batches.
// params: none
MATCH (a:{{label}})-[r:SIMILAR]->(b:{{label}})
CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS
