// Before a download: what the chosen model needs in memory, read from its configs and weight headers by the
// engine worker. A model that cannot run here keeps its Download button hidden (the panel says why).
import { errorMessage } from '../errors';
import { getApp, setApp } from '../store';
import { engineWorker } from '../workers';
import { hubSource, resolvePrecision } from './model';

export async function estimateNeeds(): Promise<void> {
  const { sources, plan } = getApp();
  setApp({ estimate: null, estimateError: undefined });
  try {
    setApp({ estimate: await engineWorker().estimate(hubSource(sources), resolvePrecision(), plan?.variant) });
  } catch (e) {
    setApp({ estimate: undefined, estimateError: errorMessage(e) });
  }
}
