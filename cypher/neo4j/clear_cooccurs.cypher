// Removes every CO_OCCURS relationship before every pair is written again, in batches (ingest, when
// most pairs' NPMI changed and the store finds a rewrite cheaper than updating them).
// params: none
MATCH (:Label)-[r:CO_OCCURS]->(:Label)
CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS
