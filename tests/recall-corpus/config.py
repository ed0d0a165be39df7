def load_config(path, defaults=None):
    result = dict(defaults or {})
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if "=" not in line:
                raise ValueError("line %d: no '=' in %r" % (number, line))
            key, _, value = line.partition("=")
            result[key.strip()] = value.strip()
    return result
