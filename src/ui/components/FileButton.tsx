// A file picker that is a real button (Tab reaches it, Enter/Space open the chooser); the input it opens
// stays hidden, named like the button so tests and assistive tech find either by the same words.
import { useRef } from 'react';

export interface FileButtonProps {
  /** The button's text and the input's accessible name, e.g. "Choose photo…". */
  label: string;
  onFiles: (files: File[]) => void;
  accept?: string;
  multiple?: boolean;
  /** Pick a whole folder (each File keeps its webkitRelativePath). */
  directory?: boolean;
  className?: string;
}

export function FileButton({ label, onFiles, accept, multiple, directory, className }: FileButtonProps) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" className={className} onClick={() => input.current?.click()}>
        {label}
      </button>
      <input
        ref={input}
        type="file"
        hidden
        tabIndex={-1}
        aria-label={label}
        accept={accept}
        multiple={multiple}
        {...(directory ? { webkitdirectory: '' } : {})}
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = ''; // the same file can be picked again
          if (files.length) onFiles(files);
        }}
      />
    </>
  );
}
