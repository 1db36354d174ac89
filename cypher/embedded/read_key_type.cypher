// The type of one node table's key property (vector tables are keyed with the same type).
// params: key
CALL table_info('{{label}}') WHERE name = $key RETURN type
