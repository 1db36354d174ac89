// Links documents to labels; rows: {doc, label}, pairs not yet in the store (bulk COPY).
// params: rows
COPY HAS_LABEL FROM $rows
