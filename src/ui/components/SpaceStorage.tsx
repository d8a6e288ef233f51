// The w2w space's share of this browser's storage, and "Clear space" (next to the model's Clear cache).
import { useEffect } from 'react';
import { clearSpace, refreshSpaceStorage } from '../actions/space';
import { formatBytes } from '../format';
import { useIdentity } from '../identity-store';
import { ConfirmButton } from './ConfirmButton';

export function SpaceStorage() {
  const storage = useIdentity((s) => s.spaceStorage);
  const importing = useIdentity((s) => s.spacePhase === 'importing');
  useEffect(() => void refreshSpaceStorage(), []);
  return (
    <>
      <span data-testid="space-storage" data-bytes={storage?.bytes ?? 0}>
        {storage === undefined ? '' : storage.bytes ? `w2w space: ${formatBytes(storage.bytes)} stored` : 'no w2w space stored'}
      </span>
      <ConfirmButton
        label="Clear space"
        question="Delete the stored w2w space and the current identity (the library stays)?"
        onConfirm={() => void clearSpace()}
        disabled={importing || !storage?.bytes}
      />
    </>
  );
}
