// Writes one label's vectors into its staging table in one bulk COPY; rows: {key, embedding, context, run}.
// params: rows
COPY {{staging}} FROM $rows
