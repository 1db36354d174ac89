// One node table's columns: name, type as the database spells it, default, and which is the key.
// params: none
CALL table_info('{{label}}')
RETURN name, type, `default expression` AS default_value, `primary key` AS primary_key
