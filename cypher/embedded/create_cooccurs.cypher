// Adds co-occurrence relationships not yet in the store; rows: {a, b, count, npmi} (bulk COPY).
// params: rows
COPY CO_OCCURS FROM $rows
