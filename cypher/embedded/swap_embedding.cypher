// Replaces one label's vector table by the staging table just written (run in one transaction:
// readers see the old vectors or the new ones, never a mix).
// params: none
DROP TABLE IF EXISTS {{vectors}};
ALTER TABLE {{staging}} RENAME TO {{vectors}};
