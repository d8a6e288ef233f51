// The checks the page knows, in run order.
import type { Check } from './check';
import { clipCheck, unetCheck, unetGradCheck, vaeCheck } from './model-checks';
import { opsCheck } from './ops-check';
import { spaceCheck } from './space-check';
import { invertCheck } from './invert-check';

export const CHECKS: Check[] = [opsCheck, clipCheck, vaeCheck, unetCheck, unetGradCheck, spaceCheck, invertCheck];
