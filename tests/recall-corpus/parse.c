static int parse_port(const char *s, unsigned short *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s)
		return error("bad port '%s'", s);
	if (v < 1 || v > 65535)
		return error("port %ld out of range", v);
	*out = (unsigned short)v;
	return 0;
}
