/*
 * profile: the pure logic of cross-project learning (SPEC §8) shared by
 * the client and the team server: a repository URL without credentials,
 * its canonical form (a project's identity on the server), and the
 * seed's similarity rule between two project profiles.
 *
 * Nothing here touches a repository, a database or the network.
 */
#ifndef PROFILE_H
#define PROFILE_H

/*
 * url with any user and password removed ("https://u:p@h/a" gives
 * "https://h/a", "git@h:a/b" gives "h:a/b"). A new string.
 */
char *profile_url_strip_credentials(const char *url);

/*
 * The canonical form: scheme, user and port dropped, host lower-cased,
 * trailing "/" and ".git" dropped, scp-style "host:path" read as
 * "host/path". "https://github.com/a/b.git" and "git@github.com:a/b" both
 * give "github.com/a/b". A new string ("" for an empty url).
 */
char *profile_url_canonical(const char *url);

struct profile_match {
	double score; /* 0 to 1, two decimals */
	int language_match, framework_match, domain_match;
};

/*
 * The similarity of two profiles (any field may be NULL or ""): language
 * equal 0.4; framework equal 0.3, else same family 0.15; domain equal
 * 0.3, else same category 0.15. Case-insensitive; an empty field matches
 * nothing. The *_match flags are the case-insensitive equalities.
 */
void profile_similarity(const char *lang_a, const char *fw_a, const char *dom_a,
			const char *lang_b, const char *fw_b, const char *dom_b,
			struct profile_match *out);

/*
 * The same rule on profiles prepared once (lower-cased, family and
 * category looked up), for comparing one project with many.
 */
struct profile_key {
	char *language, *framework, *domain; /* lower case; NULL when empty */
	int family, category;		     /* -1: none */
};
void profile_key_init(struct profile_key *k, const char *language, const char *framework,
		      const char *domain);
void profile_key_release(struct profile_key *k);
void profile_key_similarity(const struct profile_key *a, const struct profile_key *b,
			    struct profile_match *out);

#endif
