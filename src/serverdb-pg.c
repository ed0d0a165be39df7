/*
 * serverdb-pg.c: the team server's PostgreSQL backend (libpq).
 */
#include "serverdb.h"
#include "util.h"

int serverdb_pg_open(struct serverdb **out, const char *url)
{
	*out = NULL;
	return err_set("PostgreSQL backend not built yet");
}
