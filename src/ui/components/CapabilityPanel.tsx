// WebGPU adapter, shader-f16, storage: what runs where, and an honest word on speed.
import { formatBytes } from '../format';
import { useApp } from '../store';

export function CapabilityPanel() {
  const caps = useApp((s) => s.caps);
  const error = useApp((s) => s.capsError);
  const storage = useApp((s) => s.storage);
  return (
    <section aria-labelledby="caps-h" className="panel">
      <h2 id="caps-h">This browser</h2>
      {error && <p role="alert" className="error">{error}</p>}
      {!caps && !error && <p>checking…</p>}
      {caps && (
        <dl className="facts" data-testid="capabilities">
          <dt>Backend</dt>
          <dd data-testid="backend">{caps.provider === 'webgpu' ? 'WebGPU' : 'WebAssembly (CPU)'}</dd>
          {caps.adapterInfo && (
            <>
              <dt>GPU</dt>
              <dd>
                {[caps.adapterInfo.vendor, caps.adapterInfo.architecture, caps.adapterInfo.description].filter(Boolean).join(' ') || 'unnamed adapter'}
                {caps.adapterInfo.isFallbackAdapter ? ' (software fallback adapter)' : ''}
              </dd>
            </>
          )}
          <dt>shader-f16</dt>
          <dd>{caps.shaderF16 ? 'yes: fp16 weights (half the memory)' : 'no: fp32 weights only'}</dd>
          <dt>CPU threads</dt>
          <dd>{caps.numThreads}{caps.crossOriginIsolated ? '' : ' (page not cross-origin isolated: one thread)'}</dd>
          <dt>Storage</dt>
          <dd>
            {storage.quota !== undefined ? `${formatBytes(storage.usage ?? 0)} used of ${formatBytes(storage.quota)}` : 'unknown'}
            {storage.persisted ? ', persistent' : ''}
          </dd>
        </dl>
      )}
      {caps && <SpeedNote />}
    </section>
  );
}

function SpeedNote() {
  const caps = useApp((s) => s.caps)!;
  if (caps.provider === 'wasm')
    return (
      <p className="note" data-testid="speed-note">
        No WebGPU ({caps.reason}). Running on the CPU with WebAssembly: it works, but a 512×512 image with the
        full model takes many minutes and inversion hours. A browser with WebGPU (Chrome, Edge) is far faster.
      </p>
    );
  if (caps.adapterInfo?.isFallbackAdapter)
    return (
      <p className="note" data-testid="speed-note">
        The WebGPU adapter is a software fallback: correct but slower than the CPU path for large models.
      </p>
    );
  return null;
}
