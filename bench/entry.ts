// Whether a bench module is the script node was started with. The packed bench (bench/pack.ts) is one
// bundle holding every module, so there none is: bench/pack-entry.ts dispatches instead.
import { pathToFileURL } from 'node:url';

declare const W2W_PACKED: boolean | undefined;
export const PACKED = typeof W2W_PACKED !== 'undefined' && W2W_PACKED;

export const isEntry = (moduleUrl: string): boolean => !PACKED && !!process.argv[1] && pathToFileURL(process.argv[1]).href === moduleUrl;
