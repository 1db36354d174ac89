// Bulk-loads a staging node table; rows carry every column in the table's order.
// params: rows
COPY {{table}} FROM $rows
