// Results with the settings that made them; each downloadable as PNG.
import { removeFromGallery } from '../actions/generate';
import { fileStem } from '../file-names';
import { useApp, type GalleryItem } from '../store';

export const altText = (g: GalleryItem) => `generated image: "${g.settings.prompt}", ${g.identity}, seed ${g.settings.seed}`;

export function Gallery() {
  const gallery = useApp((s) => s.gallery);
  return (
    <section aria-labelledby="gallery-h" className="panel gallery">
      <h2 id="gallery-h">Gallery</h2>
      {!gallery.length && <p className="hint">Generated images appear here.</p>}
      <ul>
        {gallery.map((g) => (
          <li key={g.id}>
            <figure>
              <img src={g.url} alt={altText(g)} width={g.width} height={g.height} />
              <figcaption>
                <strong>{g.identity}</strong> · “{g.settings.prompt}” · seed {g.settings.seed} · {g.settings.steps} steps ·
                guidance {g.settings.guidance} · {g.settings.scheduler} · {g.width}×{g.height} · {(g.ms / 1000).toFixed(1)} s
              </figcaption>
              <div className="row">
                <a className="button" href={g.url} download={`${fileStem(g.identity)}-seed${g.settings.seed}.png`} aria-label={`Save PNG: ${g.identity}, seed ${g.settings.seed}`}>
                  Save PNG
                </a>
                <button onClick={() => removeFromGallery(g.id)} aria-label={`Remove image: ${g.identity}, seed ${g.settings.seed}`}>
                  Remove
                </button>
              </div>
            </figure>
          </li>
        ))}
      </ul>
    </section>
  );
}
