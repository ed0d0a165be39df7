/*
 * Unit tests for file roles and vendored paths (file-role.c).
 */
#include "common/file-role.h"
#include "tap.h"

static void role(const char *path, const char *want)
{
	is_str(file_role(path, NULL), want, path);
}

static void vendored(const char *path, int want)
{
	char what[256];
	snprintf(what, sizeof(what), "%s %s vendored", path, want ? "is" : "is not");
	is_num(path_is_vendored(path), want, what);
}

int main(void)
{
	/* source */
	role("src/server.c", "source");
	role("src/server.h", "source");
	role("lib/app/models.py", "source");
	role("web/src/App.tsx", "source");
	role("src/security.c", "source");
	role("pkg/history/news.go", "source");
	role("utils/redis-copy.rb", "source");
	/* tests */
	role("tests/unit/type/list.tcl", "test");
	role("t/t1000-extract.sh", "test");
	role("src/test/java/org/x/FooTest.java", "test");
	role("pkg/walk/walk_test.go", "test");
	role("test_server.py", "test");
	role("app/test-utils.c", "test");
	role("web/src/__tests__/App.js", "test");
	role("web/src/App.test.tsx", "test");
	role("spec/models/user_spec.rb", "test");
	role("lib/x/conftest.py", "test");
	role("src/latest.c", "source");
	role("src/contest.c", "source");
	role("tests/assets/user.acl", "other");
	role("tests/assets/default.conf", "other");
	role("tests/fixtures/data.json", "test");
	/* docs */
	role("README.md", "docs");
	role("README", "docs");
	role("BUGS", "docs");
	role("00-RELEASENOTES", "docs");
	role("LICENSE.txt", "docs");
	role("docs/api/conf.py", "docs");
	role("Documentation/git-log.txt", "docs");
	role("man/git-patterns.1", "docs");
	role("tests/README.md", "docs");
	role("CONTRIBUTING.rst", "docs");
	/* build */
	role("Makefile", "build");
	role("src/Makefile", "build");
	role("deps/Makefile.dep", "build");
	role("CMakeLists.txt", "build");
	role("cmake/FindFoo.cmake", "build");
	role("package.json", "build");
	role("yarn.lock", "build");
	role("Cargo.toml", "build");
	role("go.mod", "build");
	role("requirements.txt", "build");
	role("requirements-test.txt", "build");
	role("pyproject.toml", "build");
	role("redis.gemspec", "build");
	role(".github/workflows/ci.yml", "build");
	role(".circleci/config.yml", "build");
	role(".travis.yml", "build");
	role("Dockerfile", "build");
	role("docker/Dockerfile.alpine", "build");
	role("tests/Makefile", "build");
	/* other */
	role("redis.conf", "other");
	role(".gitignore", "other");
	role("src/commands/get.json", "other");
	role("assets/logo.png", "other");
	role("config/settings.yaml", "other");

	is_num(file_role_valid("docs"), 1, "docs is a role");
	is_num(file_role_valid("code"), 0, "code is not a role");

	vendored("deps/jemalloc/src/jemalloc.c", 1);
	vendored("src/deps/x.c", 0);
	vendored("vendor/github.com/x/y.go", 1);
	vendored("app/vendor/lib.rb", 1);
	vendored("third_party/zlib/inflate.c", 1);
	vendored("src/third-party/x.c", 1);
	vendored("web/node_modules/react/index.js", 1);
	vendored("static/js/app.min.js", 1);
	vendored("static/css/site.min.css", 1);
	vendored("static/js/app.js", 0);
	vendored("gradlew", 1);
	vendored("gradle/wrapper/gradle-wrapper.properties", 1);
	vendored("configure", 1);
	vendored("src/vendors.c", 0);
	vendored("src/server.c", 0);
	vendored("tests/unit/type/list.tcl", 0);
	return done_testing();
}
