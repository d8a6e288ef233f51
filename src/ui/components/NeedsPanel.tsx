// What the model needs in memory (weights exactly, activations as lower bounds) next to what this browser
// offers; estimated before the download on request, shown for the loaded model.
import { estimateNeeds } from '../actions/estimate';
import { formatBytes } from '../format';
import { useApp } from '../store';
import { TableScroll } from './TableScroll';
import type { ModelInfo } from '../../../workers/protocol';

export function NeedsPanel() {
  const { model, estimate, estimateError, plan, phase } = useApp();
  const shown = model ?? estimate ?? undefined;
  return (
    <section aria-labelledby="needs-h" className="panel">
      <h2 id="needs-h">Memory this model needs</h2>
      {!shown && plan && phase === 'planned' && (
        <button onClick={() => void estimateNeeds()} disabled={estimate === null}>
          {estimate === null ? 'estimating…' : 'Estimate before downloading'}
        </button>
      )}
      {estimateError && <p role="alert" className="error">{estimateError}</p>}
      {shown && <NeedsTable {...shown} />}
    </section>
  );
}

function NeedsTable({ needs: n, verdict }: Pick<ModelInfo, 'needs' | 'verdict'>) {
  const rows: [string, number][] = [
    ['UNet weights', n.weights.unet],
    ['VAE weights', n.weights.vae],
    ['text encoder weights', n.weights.text],
    [`one CFG step at ${n.size}×${n.size} (at least)`, n.cfgStep],
    [`VAE decode at ${n.size}×${n.size} (at least)`, n.decode],
    [`inversion gradient step at ${n.size}×${n.size} (at least)`, n.gradStep],
    [`basis V_k for inversion (k = ${n.k}, stored as the weights)`, n.basis],
  ];
  return (
    <>
      <TableScroll label="memory needs">
        <table className="needs" data-testid="needs-table">
          <tbody>
            {rows.map(([label, bytes]) => (
              <tr key={label}>
                <td>{label}</td>
                <td data-bytes={bytes}>{formatBytes(bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      {verdict.notes.map((note) => (
        <p key={note} className={verdict.ok ? 'note' : 'error'} role={verdict.ok ? undefined : 'alert'} data-testid="needs-verdict">
          {note}
        </p>
      ))}
    </>
  );
}
