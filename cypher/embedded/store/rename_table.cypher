// Gives a staging table its final name (in the swap transaction, after the original was dropped).
// params: none
ALTER TABLE {{staging}} RENAME TO {{table}}
