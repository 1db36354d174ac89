// Removes every PREDICTED relationship (before a rebuild).
// params: none
MATCH (:Document)-[r:PREDICTED]->(:Label) DELETE r
