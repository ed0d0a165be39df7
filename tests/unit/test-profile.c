/*
 * Unit tests for the pure logic of cross-project learning (profile.c):
 * the seed's similarity examples, and repository URL identity.
 */
#include "common/profile.h"
#include "tap.h"

#include <stdlib.h>

static void sim(const char *la, const char *fa, const char *da, const char *lb,
		const char *fb, const char *db, double want, int lm, int fm, int dm,
		const char *what)
{
	struct profile_match m;
	char label[256];
	profile_similarity(la, fa, da, lb, fb, db, &m);
	is_num(m.score, want, what);
	snprintf(label, sizeof(label), "%s: match flags", what);
	ok(m.language_match == lm && m.framework_match == fm && m.domain_match == dm, label);
	/* the rule is symmetric */
	profile_similarity(lb, fb, db, la, fa, da, &m);
	snprintf(label, sizeof(label), "%s: symmetric", what);
	is_num(m.score, want, label);
}

static void url(const char *in, const char *stripped, const char *canonical)
{
	char *s = profile_url_strip_credentials(in), *c = profile_url_canonical(in);
	char label[256];
	snprintf(label, sizeof(label), "no credentials in %s", in);
	is_str(s, stripped, label);
	snprintf(label, sizeof(label), "canonical %s", in);
	is_str(c, canonical, label);
	free(s);
	free(c);
}

int main(void)
{
	sim("Python", "Django", "web", "Python", "Django", "web", 1.0, 1, 1, 1,
	    "seed example 1: identical projects");
	sim("Python", "Django", "web", "Python", "Flask", "backend", 0.7, 1, 0, 0,
	    "seed example 2: same language, similar framework and domain");
	sim("Python", "Django", "web", "Python", "NumPy", "data", 0.4, 1, 0, 0,
	    "seed example 3: same language only");
	/* the seed prints 0.15; by its rule and code two "web" domains are 0.3 */
	sim("Python", "Django", "web", "JavaScript", "React", "web", 0.3, 0, 0, 1,
	    "seed example 4: different languages, same domain");
	sim("python", "DJANGO", "Web", "PYTHON", "django", "WEB", 1.0, 1, 1, 1,
	    "case does not matter");
	sim("python", "Django", "Machine Learning", "python", "flask", "AI", 0.7, 1, 0, 0,
	    "family and category case-insensitive");
	sim("", "", "", "", "", "", 0.0, 0, 0, 0, "empty fields match nothing");
	sim(NULL, NULL, NULL, NULL, NULL, NULL, 0.0, 0, 0, 0, "absent fields match nothing");
	sim("go", "", "api", "go", "", "rest", 0.55, 1, 0, 0, "empty framework, same category");
	sim("java", "spring", "api", "java", "springboot", "api", 0.85, 1, 0, 1,
	    "spring family");

	url("https://github.com/a/b.git", "https://github.com/a/b.git", "github.com/a/b");
	url("git@github.com:a/b", "github.com:a/b", "github.com/a/b");
	url("git@host:a/b.git", "host:a/b.git", "host/a/b");
	url("https://user:pw@host/a/b", "https://host/a/b", "host/a/b");
	url("https://HOST/a/b/", "https://HOST/a/b/", "host/a/b");
	url("ssh://git@Host.Example:2222/team/repo.git/", "ssh://Host.Example:2222/team/repo.git/",
	    "host.example/team/repo");
	url("https://tok%40en:x@h.io:8443/a/b", "https://h.io:8443/a/b", "h.io/a/b");
	url("/srv/git/repo.git", "/srv/git/repo.git", "/srv/git/repo");
	url("", "", "");
	return done_testing();
}
