// App entry; the interface itself lands later.
import { createRoot } from 'react-dom/client';

createRoot(document.getElementById('root')!).render(<h1>weights2weights</h1>);
