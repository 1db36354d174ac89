// Drops one table (a replaced original in the swap, or a staging table left by an interrupted write).
// params: none
DROP TABLE IF EXISTS {{table}}
