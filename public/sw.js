// App shell offline: navigations are network-first (a new build shows up at once) with the cached shell
// as fallback; built assets (hashed, immutable) are cache-first. Model files are never touched here:
// they are large, ranged, and cached by the engine worker in OPFS.
const CACHE = 'w2w-shell-v1';

// shell-files.json is written by the build (vite.config.ts): every file the app and its workers load.
async function precache() {
  const files = await (await fetch('./shell-files.json', { cache: 'no-store' })).json();
  const cache = await caches.open(CACHE);
  await cache.addAll(['./', ...files.map((f) => `./${f}`)]);
}

self.addEventListener('install', (e) => {
  e.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

const isModelFile = (url) => url.pathname.includes('/resolve/');
const isShellPage = (url) => url.pathname === new URL('./', self.location.href).pathname || url.pathname.endsWith('/index.html');

self.addEventListener('fetch', (e) => {
  const req = e.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin || isModelFile(url) || req.headers.has('range')) return;
  // Only the app's own page is the shell: another page (bench.html, conformance.html) stored as './' would
  // replace the app offline.
  if (req.mode === 'navigate' && !isShellPage(url)) return;
  if (req.mode === 'navigate') {
    e.respondWith(
      fetch(req)
        .then((res) => {
          if (res.ok) {
            const copy = res.clone();
            void caches.open(CACHE).then((c) => c.put('./', copy));
          }
          return res;
        })
        .catch(() => caches.match('./')),
    );
    return;
  }
  e.respondWith(
    caches.match(req).then(
      (hit) =>
        hit ??
        fetch(req).then((res) => {
          if (res.ok && res.type === 'basic') {
            const copy = res.clone();
            void caches.open(CACHE).then((c) => c.put(req, copy));
          }
          return res;
        }),
    ),
  );
});
