// Bulk-loads one node pair of a staging relationship table; rows: {from, to, then its properties}.
// params: rows
COPY {{table}} FROM $rows (from='{{source}}', to='{{target}}')
