// Every node and relationship table in the store, with its kind (NODE or REL).
// params: none
CALL show_tables() RETURN name, type
