// The node pairs one relationship table connects, with each side's primary-key property.
// params: none
CALL show_connection('{{type}}')
RETURN `source table name` AS source, `destination table name` AS target,
       `source table primary key` AS source_key, `destination table primary key` AS target_key
