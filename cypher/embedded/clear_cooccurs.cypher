// Empties CO_OCCURS before every pair is written again (ingest, when most pairs' NPMI changed):
// inside the ingest's transaction, a new table replaces the old, which a rollback restores.  Setting
// 7M pairs' count and NPMI in one transaction did not fit a 3 GiB page cache; copying them does.
// params: none
DROP TABLE CO_OCCURS;
CREATE REL TABLE CO_OCCURS(FROM Label TO Label, count INT64, npmi DOUBLE);
