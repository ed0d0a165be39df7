static const char *state_name(enum state s)
{
	switch (s) {
	case STATE_IDLE:
		return "idle";
	case STATE_RUNNING:
		return "running";
	case STATE_DONE:
		return "done";
	}
	return "unknown";
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		puts(state_name(atoi(argv[i])));
	return 0;
}
