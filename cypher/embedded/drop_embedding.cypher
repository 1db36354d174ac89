// Removes one label's vectors (the whole vector table) and any unfinished staging table.
// params: none
DROP TABLE IF EXISTS {{vectors}};
DROP TABLE IF EXISTS {{staging}};
