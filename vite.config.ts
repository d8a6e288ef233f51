import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

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

export default defineConfig({
  plugins: [react(), shellManifest()],
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
