// Removes the PREDICTED relationships leaving the documents that carry one run's vectors ('update' rescores exactly those).
// params: run
MATCH (a:Document)-[r:PREDICTED]->(b:Label)
WHERE a.embedding_run = $run
CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS
