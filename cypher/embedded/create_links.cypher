// Adds generic edges not yet in the store; rows: {src, dst, weight} (bulk COPY).
// params: rows
COPY LINK FROM $rows
