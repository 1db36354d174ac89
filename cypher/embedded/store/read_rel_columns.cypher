// One relationship table's property columns: name, type and default.
// params: none
CALL table_info('{{type}}')
RETURN name, type, `default expression` AS default_value
