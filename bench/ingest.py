#!/usr/bin/python3
# bench/ingest.py URL KEY N [BATCH [CLIENTS]]: post N new patterns in
# batches (1000 by default, the server's maximum) from CLIENTS parallel
# clients (1) and print the rate. The request bodies are made before the
# clock starts, so the figure is the server's (plus HTTP).
import json, sys, time, hashlib, threading
import requests

url, key, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
batch = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
clients = int(sys.argv[5]) if len(sys.argv) > 5 else 1
tag = hashlib.sha1(str(time.time()).encode()).hexdigest()[:8]
bodies = []
for start in range(0, n, batch):
    items = []
    for i in range(start, min(n, start + batch)):
        items.append({
            "pattern_id": hashlib.sha256(("%s:%d" % (tag, i)).encode()).hexdigest()[:16],
            "problem_type": ("bug_fix", "feature_addition", "refactoring")[i % 3],
            "before_code": "def f_%s_%d(x):\n    return x + %d\n" % (tag, i, i),
            "after_code": "def f_%s_%d(x):\n    return x + %d  # fixed\n" % (tag, i, i + 1),
            "commit_msg": "fix: off by one in f%d" % i,
            "author": "dev%d@example.com" % (i % 7),
            "date": "2024-03-15 10:30:00",
            "confidence": (0.65, 0.85, 1.0)[i % 3],
            "file_path": "src/m%d/f%d.py" % (i % 50, i),
            "language": ("python", "c", "go", "rust")[i % 4],
        })
    bodies.append(json.dumps(items).encode())
created = [0] * clients
def client(c):
    s = requests.Session()
    for b in bodies[c::clients]:
        r = s.post(url + "/patterns", data=b,
                   headers={"X-API-Key": key, "Content-Type": "application/json"})
        r.raise_for_status()
        created[c] += r.json()["created"]
threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
t0 = time.time()
for t in threads:
    t.start()
for t in threads:
    t.join()
dt = time.time() - t0
print("ingest: %d patterns (%d new) in batches of %d from %d client(s) in %.2f s = %.0f patterns/s"
      % (n, sum(created), batch, clients, dt, n / dt))
