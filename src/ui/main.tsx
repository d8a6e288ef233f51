// App entry: recovery from a lost GPU device, test hooks (?testHooks=1 only), the gallery and identity kept across reloads, share links, the React root, and the service worker that keeps the shell available offline.
import { createRoot } from 'react-dom/client';
import { installDeviceRecovery } from './actions/device';
import { installGalleryPersistence } from './actions/gallery-persist';
import { installIdentityPersistence } from './actions/identity-persist';
import { installSessionStatus } from './actions/sessions';
import { installShareLinks } from './actions/share';
import { App } from './App';
import { installTestHooks } from './test-hooks';
import './styles.css';

installDeviceRecovery();
installSessionStatus();
installTestHooks();
installIdentityPersistence();
installShareLinks();
void installGalleryPersistence();
createRoot(document.getElementById('root')!).render(<App />);

if ('serviceWorker' in navigator && import.meta.env.PROD)
  navigator.serviceWorker.register(`${import.meta.env.BASE_URL}sw.js`).catch((e: Error) => console.warn(`service worker not registered: ${e.message}`));
