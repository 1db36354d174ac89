// Removes every PREDICTED relationship (before a rebuild), in batches.
// params: none
MATCH (:Document)-[r:PREDICTED]->(:Label)
CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS
