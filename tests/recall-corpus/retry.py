def retry(fn, attempts=3, delay=0.5):
    last = None
    for attempt in range(attempts):
        try:
            return fn()
        except (IOError, TimeoutError) as exc:
            last = exc
            time.sleep(delay * (2 ** attempt))
    raise RuntimeError("gave up after %d attempts" % attempts) from last
