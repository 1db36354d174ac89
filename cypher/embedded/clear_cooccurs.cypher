// Empties CO_OCCURS before every pair is written again (ingest, when most pairs' NPMI changed): a
// new table replaces the old.  In an ingest small enough for one transaction a rollback restores it;
// a larger ingest marks the store incomplete first, and re-running it copies every pair again.
// Setting 7M pairs' count and NPMI one by one did not fit a 3 GiB page cache; copying them does.
// params: none
DROP TABLE CO_OCCURS;
CREATE REL TABLE CO_OCCURS(FROM Label TO Label, count INT64, npmi DOUBLE);
