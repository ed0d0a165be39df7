/*
 * ui-assets.c: the web interface's static files, built into the binary
 * (the Makefile turns src/server/ui-style.css into a C string), so that a
 * server needs no data files and pages load nothing from any other host.
 */
#include "server/ui.h"

#include <string.h>

#include "ui-style.h"

const char *ui_asset(const char *name, size_t *len, const char **type)
{
	if (!strcmp(name, "style.css")) {
		*len = sizeof(ui_style_css) - 1;
		*type = "text/css; charset=utf-8";
		return ui_style_css;
	}
	return NULL;
}
