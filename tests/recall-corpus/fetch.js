async function fetchJson(url, options = {}) {
  const response = await fetch(url, {
    headers: { 'Accept': 'application/json' },
    ...options,
  });
  if (!response.ok) {
    throw new Error(`request to ${url} failed: ${response.status}`);
  }
  const text = await response.text();
  return text.length ? JSON.parse(text) : null;
}
