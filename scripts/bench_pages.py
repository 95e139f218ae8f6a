"""Times wenping's pages (report downloads are links, not part of a page's weight) against a server started with --demo (run by scripts/bench-pages)."""
import http.client, re, statistics, sys, time, urllib.parse

host, port, out_log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
# The banner's account lines: role, username, password; the first account of each role signs in for it.
accounts = {}
for role, user, password in re.findall(r"^\s+(\w+)\s+(\S+)\s+(\S{20})\s", open(out_log, encoding="utf-8").read(), re.M):
    accounts.setdefault(role, (user, password))
N = 200

def connect():
    return http.client.HTTPConnection(host, port, timeout=30)

def sign_in(role):
    c = connect()
    user, password = accounts[role]
    body = urllib.parse.urlencode({"username": user, "password": password})
    c.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
    r = c.getresponse(); r.read()
    cookie = r.getheader("Set-Cookie").split(";")[0]
    return c, cookie

def get(c, cookie, path):
    c.request("GET", path, headers={"Cookie": cookie})
    r = c.getresponse()
    return r.status, r.read()

def timed(c, cookie, path, method="GET", body=None, headers=None):
    samples = []
    for _ in range(N):
        h = {"Cookie": cookie, **(headers or {})}
        t = time.perf_counter()
        c.request(method, path, body, h)
        r = c.getresponse(); data = r.read()
        samples.append((time.perf_counter() - t) * 1000)
        assert r.status == 200, (path, r.status, data[:300])
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95)], len(data), data

def weight(c, cookie, html):
    total = len(html)
    for ref in set(re.findall(rb'(?:href|src)="(/assets/[^"]+|/api/v1/assessments/[^"]+/charts/[^"]+)"', html)):
        status, data = get(c, cookie, ref.decode().replace("&amp;", "&"))
        total += len(data)
    return total

rows = []
planner, pc = sign_in("planner")
status, register = get(planner, pc, "/decisions")
decisions = sorted(set(re.findall(rb'href="(/decisions/[0-9a-f-]{36})"', register)))
status, page = get(planner, pc, decisions[0].decode())
pages = [("planner", "/"), ("planner", "/decisions"), ("planner", "/decisions/new"), ("reviewer", "/petitions"),
         ("admin", "/admin"), ("admin", "/admin/audit")]
for d in decisions:
    pages.append(("planner", d.decode()))
# The assessed major project: its assessment, brief, comparison, checklist; an expert's sheet.
for d in decisions:
    status, html = get(planner, pc, d.decode())
    if b"/compare" in html and b"/assessments/" in html:
        a = re.search(rb'href="(/assessments/[0-9a-f-]{36})"', html).group(1).decode()
        pages += [("planner", a), ("planner", a + "/brief"), ("planner", d.decode() + "/compare"),
                  ("planner", d.decode() + "/checklist"), ("expert", d.decode() + "/rate"),
                  ("committee", d.decode() + "/resolve")]
        what_if = d.decode() + "/what-if"
        compare = d.decode() + "/compare"
        break
sessions = {}
for user, path in pages:
    if user not in sessions:
        sessions[user] = sign_in(user)
    c, cookie = sessions[user]
    p50, p95, size, html = timed(c, cookie, path)
    rows.append((path, user, p50, p95, size, weight(c, cookie, html)))
c, cookie = sessions["planner"]
status, html = get(c, cookie, compare)
csrf = re.search(rb'name="csrf_token" value="([^"]+)"', html).group(1).decode()
form = urllib.parse.urlencode({"csrf_token": csrf, "attr.support_rate": "75", "attr.public_notice_days": "30"})
p50, p95, size, _ = timed(c, cookie, what_if, "POST", form,
                          {"Content-Type": "application/x-www-form-urlencoded", "X-Fragment": "1"})
rows.append((what_if + " (what-if re-score)", "planner", p50, p95, size, size))
ids = {}
print("| page | as | p50 ms | p95 ms | page KB | with assets KB |")
print("|---|---|---|---|---|---|")
for path, user, p50, p95, size, total in rows:
    shown = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", lambda m: ids.setdefault(m.group(0), "{id%d}" % (len(ids) + 1)), path)
    print(f"| `{shown}` | {user} | {p50:.2f} | {p95:.2f} | {size / 1024:.1f} | {total / 1024:.1f} |")
