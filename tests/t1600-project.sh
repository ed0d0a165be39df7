#!/bin/sh
test_description='git patterns project: the profile of a repository, detected offline'
. ./lib.sh

# big FILE BYTES: a file of about BYTES bytes of code
big() {
	mkdir -p "$(dirname "$1")" &&
	python3 -c "import sys; sys.stdout.write(('x = 1  # filler\n' * ($2 // 16 + 1))[:$2])" >"$1"
}

profile() {
	git -C "$1" patterns project --json >"$1.json" &&
	json_get "$1.json" "$2"
}

test_expect_success 'a Django app with a vendored JavaScript folder is python/django' '
	git init -q django &&
	big django/manage.py 3000 &&
	big django/shop/views.py 5000 &&
	big django/static/vendor/jquery.js 200000 &&
	big django/node_modules/left-pad/index.js 50000 &&
	printf "{\"dependencies\": {\"next\": \"13\"}}\n" >django/node_modules/left-pad/package.json &&
	big django/shop/static/app.min.js 90000 &&
	big django/docs/conf.py 40000 &&
	big django/shop/generated_pb2.py 40000 &&
	echo "shop/generated_pb2.py linguist-generated" >django/.gitattributes &&
	big django/shop/app.js 2000 &&
	printf "Django==4.2\nrequests>=2\n" >django/requirements.txt &&
	printf "# Shop\n" >django/README.md &&
	git -C django add . && git -C django commit -qm init &&
	test "$(profile django "d[\"language\"]")" = python &&
	test "$(profile django "d[\"framework\"]")" = django &&
	test "$(profile django "d[\"languages\"]")" = "[{'"'"'language'"'"': '"'"'python'"'"', '"'"'share'"'"': 0.8}, {'"'"'language'"'"': '"'"'javascript'"'"', '"'"'share'"'"': 0.2}]" &&
	test "$(profile django "d[\"domain\"]")" = None
'

test_expect_success 'a package.json with both react and express is react' '
	git init -q web &&
	printf "{\"name\": \"web\", \"dependencies\": {\"express\": \"4\"},\n \"devDependencies\": {\"react\": \"18\"}}\n" >web/package.json &&
	big web/src/server.js 4000 &&
	big web/src/App.tsx 1000 &&
	git -C web add . && git -C web commit -qm init &&
	test "$(profile web "d[\"framework\"]")" = react &&
	test "$(profile web "d[\"language\"]")" = javascript
'

test_expect_success 'frameworks from other manifests, by the table order' '
	git init -q go && printf "module x\n\nrequire (\n\tgithub.com/labstack/echo/v4 v4.1.0\n\tgithub.com/gin-gonic/gin v1.9.0\n)\n" >go/go.mod &&
	big go/main.go 100 && git -C go add . && git -C go commit -qm init &&
	test "$(profile go "d[\"framework\"]")" = gin &&
	git init -q rs && printf "[package]\nname = \"x\"\n\n[dependencies]\naxum = \"0.7\"\nserde = \"1\"\n" >rs/Cargo.toml &&
	big rs/src/main.rs 100 && git -C rs add . && git -C rs commit -qm init &&
	test "$(profile rs "d[\"framework\"]")" = axum &&
	git init -q jv && printf "<project><dependencies><dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-web</artifactId></dependency></dependencies></project>\n" >jv/pom.xml &&
	big jv/src/A.java 100 && git -C jv add . && git -C jv commit -qm init &&
	test "$(profile jv "d[\"framework\"]")" = springboot &&
	git init -q py && printf "[project]\ndependencies = [\"numpy>=1.26\", \"torch\"]\n" >py/pyproject.toml &&
	big py/m.py 100 && git -C py add . && git -C py commit -qm init &&
	test "$(profile py "d[\"framework\"]")" = pytorch &&
	git init -q rb && printf "source \"https://rubygems.org\"\ngem \"sinatra\"\ngem '"'"'rails'"'"', '"'"'~> 7'"'"'\n" >rb/Gemfile &&
	big rb/app.rb 100 && git -C rb add . && git -C rb commit -qm init &&
	test "$(profile rb "d[\"framework\"]")" = rails
'

test_expect_success 'a go.mod with a one-line require declares its module' '
	git init -q go1 &&
	printf "module example.com/x\n\ngo 1.21\n\nrequire github.com/gin-gonic/gin v1.9.1\n" >go1/go.mod &&
	big go1/main.go 100 && git -C go1 add . && git -C go1 commit -qm init &&
	test "$(profile go1 "d[\"framework\"]")" = gin
'

test_expect_success 'a Cargo.toml dependency of its own table ([dependencies.axum]) is declared' '
	git init -q rs1 &&
	printf "[package]\nname = \"x\"\n\n[dependencies.axum]\nversion = \"0.7\"\nfeatures = [\"ws\"]\n" >rs1/Cargo.toml &&
	big rs1/src/main.rs 100 && git -C rs1 add . && git -C rs1 commit -qm init &&
	test "$(profile rs1 "d[\"framework\"]")" = axum &&
	printf "[package]\nname = \"x\"\n\n[target.'"'"'cfg(unix)'"'"'.dependencies.rocket]\nversion = \"0.5\"\n" >rs1/Cargo.toml &&
	git -C rs1 commit -qam rocket &&
	test "$(profile rs1 "d[\"framework\"]")" = rocket
'

test_expect_success 'three spellings of one URL are one project, and no credential is shown' '
	for r in a b c; do git init -q url-$r || return 1; done &&
	git -C url-a remote add origin git@host.example:team/app.git &&
	git -C url-b remote add origin https://user:s3cret@host.example/team/app &&
	git -C url-c remote add origin https://HOST.example/team/app/ &&
	test "$(profile url-a "d[\"canonical_url\"]")" = host.example/team/app &&
	test "$(profile url-b "d[\"canonical_url\"]")" = host.example/team/app &&
	test "$(profile url-c "d[\"canonical_url\"]")" = host.example/team/app &&
	test "$(profile url-b "d[\"repo_url\"]")" = https://host.example/team/app &&
	git -C url-b patterns project >text &&
	! grep -e s3cret -e user text url-b.json
'

test_expect_success 'patterns.language, .framework, .domain and .projectUrl override' '
	git -C django config patterns.domain web &&
	git -C django config patterns.framework Flask &&
	git -C django config patterns.projectUrl https://x:y@git.example/shop.git &&
	test "$(profile django "(d[\"framework\"], d[\"domain\"], d[\"repo_url\"], d[\"canonical_url\"])")" = "('"'"'Flask'"'"', '"'"'web'"'"', '"'"'https://git.example/shop.git'"'"', '"'"'git.example/shop'"'"')" &&
	git -C django patterns project >text &&
	test_grep "^language:  python$" text &&
	test_grep "^framework: Flask$" text &&
	test_grep "^languages: python 80%, javascript 20%$" text
'

test_expect_success 'an empty repository has a profile with nothing detected' '
	git init -q empty &&
	test "$(profile empty "(d[\"language\"], d[\"languages\"], d[\"framework\"])")" = "(None, [], None)"
'

test_done
