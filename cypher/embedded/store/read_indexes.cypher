// Indexes other than primary keys (a table rebuild would drop them).
// params: none
CALL show_indexes() WHERE index_type <> 'HASH'
RETURN table_name, index_name, index_type
