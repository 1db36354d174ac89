// The SIMILAR relationship table, and the node pair (label to same label) it may connect.
// params: none
CREATE REL TABLE IF NOT EXISTS SIMILAR(FROM {{label}} TO {{label}}, score DOUBLE, rank INT64, run STRING);
ALTER TABLE SIMILAR ADD IF NOT EXISTS FROM {{label}} TO {{label}};
