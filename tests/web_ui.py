# tests/web_ui.py: drive the web interface in a real headless Chromium
# (Debian's chromium + chromium-driver, through python3-selenium) against a
# server the calling test started, and write one line per check to
# results.txt: "ok NAME" or "not ok NAME: what happened". The shell test
# (t8000-web-ui.sh) turns each line into a test. Screenshots go to
# $SHOTS (list and pattern pages at 1280 px, and at 375 px).
#
# Environment: SERVER_URL, ALICE_KEY (admin), BOB_KEY (member), EVIL_ID
# (a pattern whose code holds <script> and onerror=), SHOTS.
import json
import os
import shutil
import sys
import tempfile
import traceback
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

URL = os.environ["SERVER_URL"]
ALICE = os.environ["ALICE_KEY"]
BOB = os.environ["BOB_KEY"]
EVIL_ID = os.environ["EVIL_ID"]
SHOTS = os.environ.get("SHOTS", ".")
results = open("results.txt", "w")


def check(name, cond, detail=""):
    results.write(("ok %s\n" % name) if cond else ("not ok %s: %s\n" % (name, detail)))
    results.flush()
    return cond


def browser(width):
    profile = tempfile.mkdtemp(prefix="gp-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    # every request the pages make, to check that none leaves this server
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
              "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage", "--user-data-dir=" + profile,
              "--window-size=%d,900" % width):
        opts.add_argument(a)
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    d.set_page_load_timeout(30)
    d.phone = width < 500
    if d.phone:
        # headless windows are at least 500 px wide: emulate the phone's screen
        phone(d, width, 812)
    d.profile_dir = profile
    return d


def phone(d, width, height):
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": height, "deviceScaleFactor": 1,
                       "mobile": True})


def requested_urls(d):
    urls = []
    for entry in d.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    return urls


def quit(d):
    d.quit()
    shutil.rmtree(d.profile_dir, ignore_errors=True)


def api(path):
    req = urllib.request.Request(URL + path, headers={"X-API-Key": ALICE})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def submit(d, element, keys=None):
    """Click element (or type keys into it) and wait for the next page."""
    html = d.find_element(By.TAG_NAME, "html")
    if keys is None:
        element.click()
    else:
        element.send_keys(keys)

    def left(_):
        # the old document is gone (Chromium may say so in more than one way)
        try:
            html.is_enabled()
            return False
        except WebDriverException:
            return True
    WebDriverWait(d, 15).until(left)
    WebDriverWait(d, 15).until(
        lambda d: d.execute_script("return document.readyState") == "complete")


def sign_in(d, key):
    d.get(URL + "/ui/")
    # the key field has the focus: a keyboard user types and presses Enter
    try:
        WebDriverWait(d, 3).until(
            lambda d: d.execute_script("return document.activeElement.id") == "key")
        focused = True
    except Exception:
        focused = False
    submit(d, d.switch_to.active_element if focused else d.find_element(By.ID, "key"),
           key + Keys.ENTER)
    return focused


def rows(d):
    return d.find_elements(By.CSS_SELECTOR, "table.patterns tbody tr")


def full_shot(d, path, width):
    """A screenshot of the whole page at this width (the screen emulated)."""
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": 600, "deviceScaleFactor": 1,
                       "mobile": d.phone})
    h = d.execute_script("return document.documentElement.scrollHeight")
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": min(max(h, 600), 4000),
                       "deviceScaleFactor": 1, "mobile": d.phone})
    d.save_screenshot(path)
    if d.phone:
        phone(d, width, 812)
    else:
        d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def run():
    d = browser(1280)
    try:
        # a wrong key signs nobody in
        sign_in(d, "gp_not-a-key")
        check("wrong key is refused", d.current_url.startswith(URL + "/ui/login") and
              "not valid" in d.find_element(By.CSS_SELECTOR, ".error").text and
              d.get_cookie("gp_session") is None, d.current_url)

        focused = sign_in(d, ALICE)
        check("sign-in form is keyboard-usable (focus on the key, Enter submits)",
              focused and d.current_url == URL + "/ui/", d.current_url)
        cookie = d.get_cookie("gp_session")
        check("session cookie is HttpOnly, SameSite=Strict, Path=/ui/",
              cookie and cookie["httpOnly"] and cookie.get("sameSite") == "Strict" and
              cookie["path"] == "/ui/", repr(cookie))
        check("no key in the page or the URL",
              ALICE not in d.page_source and ALICE not in d.current_url)
        bg = d.execute_script("return getComputedStyle(document.querySelector('header.top'))"
                              ".backgroundColor")
        check("stylesheet loads from the server under the CSP", bg == "rgb(36, 41, 47)", bg)

        # the list: 25 a page, ranked; the next page
        stored = api("/patterns?limit=1")["total"]
        n = len(rows(d))
        total = d.find_element(By.CSS_SELECTOR, ".summary").text
        check("list shows a page of 25 patterns and the total",
              n == 25 and total.startswith("%d patterns" % stored), "%d rows, %r" % (n, total))
        full_shot(d, os.path.join(SHOTS, "list-1280.png"), 1280)
        d.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        first = d.execute_script("return document.activeElement.className")
        d.switch_to.active_element.send_keys(Keys.ENTER)
        check("Tab first reaches a skip link to the content",
              first == "skip" and d.current_url.endswith("#main"), repr(first))
        submit(d, d.find_element(By.CSS_SELECTOR, "a[rel=next]"))
        check("next page shows the rest",
              len(rows(d)) == stored - 25 and "page=2" in d.current_url,
              "%d rows at %s" % (len(rows(d)), d.current_url))

        # search and filter
        d.get(URL + "/ui/")
        box = d.find_element(By.ID, "q")
        submit(d, box, "timeout" + Keys.ENTER)
        texts = [r.text for r in rows(d)]
        check("search finds the matching patterns only",
              len(texts) == 3 and all("timeout" in t.lower() for t in texts), repr(texts))
        d.get(URL + "/ui/")
        Select(d.find_element(By.ID, "type")).select_by_value("security")
        submit(d, d.find_element(By.CSS_SELECTOR, ".filters button"))
        texts = [r.text for r in rows(d)]
        check("type filter shows that type only",
              len(texts) == 5 and all("security" in t for t in texts) and
              "type=security" in d.current_url, repr(texts))
        d.find_element(By.ID, "language").send_keys("go")
        submit(d, d.find_element(By.CSS_SELECTOR, ".filters button"))
        langs = [r.find_elements(By.TAG_NAME, "td")[2].text for r in rows(d)]
        check("filters combine (type and language)", langs == ["go", "go"], repr(langs))

        # open a pattern: side-by-side diff with line numbers
        d.get(URL + "/ui/?q=retry")
        link = d.find_element(By.CSS_SELECTOR, "td.change a")
        submit(d, link)
        pid = d.current_url.rsplit("/", 1)[1]
        lns = [e.text for e in d.find_elements(By.CSS_SELECTOR, "table.diff td.ln")]
        mods = d.find_elements(By.CSS_SELECTOR, "table.diff tr.mod")
        adds = d.find_elements(By.CSS_SELECTOR, "table.diff tr.add")
        check("pattern page shows a side-by-side diff with line numbers",
              "/ui/patterns/" in d.current_url and lns[:4] == ["1", "1", "2", "2"] and
              len(mods) == 1 and len(adds) == 1, "lns=%r mods=%d adds=%d" %
              (lns[:8], len(mods), len(adds)))

        # vote, see the count change, and the JSON API agrees
        def votes():
            return (int(d.find_element(By.ID, "helpful-count").text),
                    int(d.find_element(By.ID, "not-helpful-count").text),
                    d.find_element(By.ID, "vote-helpful").get_attribute("aria-pressed"))
        before = votes()
        submit(d, d.find_element(By.ID, "vote-helpful"))
        after = votes()
        check("a helpful vote raises the count on the page and marks the button",
              before == (0, 0, "false") and after == (1, 0, "true"), "%r -> %r" % (before, after))
        check("GET /patterns/{id} agrees with the page",
              api("/patterns/" + pid)["success_count"] == 1)
        submit(d, d.find_element(By.ID, "vote-not-helpful"))
        after2 = votes()
        check("changing the vote to not helpful moves it (one vote per user)",
              after2 == (0, 1, "false") and api("/patterns/" + pid)["success_count"] == 0,
              repr(after2))
        submit(d, d.find_element(By.ID, "vote-helpful"))
        full_shot(d, os.path.join(SHOTS, "pattern-1280.png"), 1280)

        # hostile code is text, and no script runs
        d.get(URL + "/ui/patterns/" + EVIL_ID)
        code = " ".join(e.text for e in d.find_elements(By.CSS_SELECTOR, "table.diff td.code"))
        scripts = d.execute_script("return document.scripts.length")
        imgs = d.execute_script("return document.images.length")
        pwned = d.execute_script("return window.__pwned === undefined ? null : window.__pwned")
        check("a pattern with <script> and onerror= renders as text",
              "<script>window.__pwned=1</script>" in code and 'onerror="window.__pwned=2"' in code,
              code[:200])
        check("no script from a pattern runs",
              scripts == 0 and imgs == 0 and pwned is None and d.title.startswith("<img"),
              "scripts=%r imgs=%r pwned=%r title=%r" % (scripts, imgs, pwned, d.title))

        # projects: the list, and a project with similar projects and suggestions
        d.get(URL + "/ui/projects")
        submit(d, d.find_element(By.PARTIAL_LINK_TEXT, "team/web"))
        similar = [a.text for a in d.find_elements(By.CSS_SELECTOR, "table.similar td.change a")]
        suggested = [a.text for a in d.find_elements(By.CSS_SELECTOR,
                                                     "table.suggestions td.change a")]
        check("a project page shows similar projects and suggestions",
              any("team/api" in t for t in similar) and
              suggested == ["fix: cache the session"], "%r %r" % (similar, suggested))
        full_shot(d, os.path.join(SHOTS, "project-1280.png"), 1280)

        # adapters: the admin sees and uses activate
        d.get(URL + "/ui/adapters")
        names = [t.text for t in d.find_elements(By.CSS_SELECTOR, ".lineage text")]
        buttons = d.find_elements(By.CSS_SELECTOR, "button.activate")
        check("adapters page shows versions, lineage and activate buttons to an admin",
              len(names) == 3 and len(buttons) == 2 and
              len(d.find_elements(By.CSS_SELECTOR, ".lineage path.edge")) == 2,
              "names=%r buttons=%d" % (names, len(buttons)))
        full_shot(d, os.path.join(SHOTS, "adapters-1280.png"), 1280)
        row = d.find_element(By.XPATH, "//tr[td/strong[text()='v1']]")
        submit(d, row.find_element(By.CSS_SELECTOR, "button.activate"))
        active = [v["version_name"] for v in api("/adapters")["versions"] if v["is_active"]]
        check("an admin activates a version from the page", active == ["v1"], repr(active))
        submit(d, d.find_element(By.ID, "rollback"))
        active = [v["version_name"] for v in api("/adapters")["versions"] if v["is_active"]]
        check("an admin rolls back from the page", active == ["merged"], repr(active))
        d.get(URL + "/ui/keys")
        users = [e.text for e in d.find_elements(By.CSS_SELECTOR, "table.keys td:nth-child(2)")]
        check("an admin sees the key list", users[:2] == ["alice", "bob"], repr(users))

        # sign out, and the old cookie no longer works
        old = d.get_cookie("gp_session")
        submit(d, d.find_element(By.CSS_SELECTOR, ".signout button"))
        gone = d.get_cookie("gp_session") is None and "/ui/login" in d.current_url
        d.add_cookie({"name": "gp_session", "value": old["value"], "path": "/ui/"})
        d.get(URL + "/ui/")
        check("sign-out ends the session: the old cookie no longer works",
              gone and d.current_url.startswith(URL + "/ui/login"), d.current_url)
        # (the browser's own chrome:// pages are not requests to a host)
        urls = [u for u in requested_urls(d) if u.split(":")[0] in ("http", "https", "ws", "wss")]
        others = [u for u in urls if not u.startswith(URL + "/")]
        check("no page asks any other host for anything",
              len(urls) > 20 and not others, "%d requests, others: %r" % (len(urls), others[:5]))
    finally:
        quit(d)

    # a member: no admin actions offered, and none allowed
    d = browser(1280)
    try:
        sign_in(d, BOB)
        nav = [a.text for a in d.find_elements(By.CSS_SELECTOR, "header nav a")]
        d.get(URL + "/ui/adapters")
        buttons = d.find_elements(By.CSS_SELECTOR, "button.activate, #rollback")
        check("a member is offered no admin action",
              nav == ["Patterns", "Projects", "Adapters"] and not buttons, "nav=%r buttons=%d" %
              (nav, len(buttons)))
        d.get(URL + "/ui/keys")
        check("a member cannot open the key list",
              "Only an admin" in d.find_element(By.CSS_SELECTOR, ".error").text)
    finally:
        quit(d)

    # a phone-width browser
    d = browser(375)
    try:
        sign_in(d, ALICE)
        width = d.execute_script("return document.documentElement.scrollWidth")
        check("the list fits a 375 px screen", width <= 375, "scrollWidth %d" % width)
        full_shot(d, os.path.join(SHOTS, "list-375.png"), 375)
        d.get(URL + "/ui/?q=retry")
        submit(d, d.find_element(By.CSS_SELECTOR, "td.change a"))
        width = d.execute_script("return document.documentElement.scrollWidth")
        check("a pattern fits a 375 px screen", width <= 375, "scrollWidth %d" % width)
        full_shot(d, os.path.join(SHOTS, "pattern-375.png"), 375)
    finally:
        quit(d)


try:
    run()
except Exception:
    check("browser session ran to the end", False, traceback.format_exc().replace("\n", " | "))
    sys.exit(1)
check("browser session ran to the end", True)
