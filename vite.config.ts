import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FACE_ASSET_DIR, FACE_MODEL_FILES } from './src/engine/face/models';

// COOP/COEP make the page cross-origin isolated, which threaded wasm (SharedArrayBuffer) needs.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** Lists the built files (app shell, workers, onnxruntime wasm; not the conformance and benchmark pages) for the service worker to precache. */
function shellManifest(): Plugin {
  return {
    name: 'w2w-shell-manifest',
    apply: 'build',
    enforce: 'post',
    generateBundle(_, bundle) {
      const files = Object.keys(bundle).filter((f) => !/(^|\/)(conformance|bench)[.-]/.test(f) && !f.endsWith('.map'));
      this.emitFile({ type: 'asset', fileName: 'shell-files.json', source: JSON.stringify(files) });
    },
  };
}

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/** The face models and tfjs's wasm binaries, from node_modules, as the app's own files under face-models/. */
function faceAssetFiles(): Record<string, string> {
  const models = join(packageDir('@vladmandic/face-api'), 'model');
  const wasm = join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist');
  return Object.fromEntries([
    ...FACE_MODEL_FILES.map((f) => [f, join(models, f)]),
    ...['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'].map((f) => [f, join(wasm, f)]),
  ]);
}

/** Serves (dev) or emits (build, so the service worker precaches them for offline use) the face assets. */
function faceAssets(): Plugin {
  const files = faceAssetFiles();
  return {
    name: 'w2w-face-assets',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = new RegExp(`/${FACE_ASSET_DIR}/([^/?]+)`).exec(req.url ?? '');
        const file = m && files[m[1]];
        if (!file) return next();
        res.setHeader('Content-Type', file.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream');
        res.end(readFileSync(file));
      });
    },
    generateBundle() {
      for (const [name, file] of Object.entries(files)) this.emitFile({ type: 'asset', fileName: `${FACE_ASSET_DIR}/${name}`, source: readFileSync(file) });
    },
  };
}

export default defineConfig({
  plugins: [react(), faceAssets(), shellManifest()],
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: {
    target: 'esnext',
    // The app, the engine's conformance page that e2e/ drives (not linked from the app), and the benchmark page.
    rolldownOptions: { input: { main: 'index.html', conformance: 'conformance.html', bench: 'bench.html' } },
  },
  worker: { format: 'es' },
  server: { headers: isolation },
  preview: { headers: isolation },
});
