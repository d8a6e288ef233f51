// The page's one view of the workers: the types of their APIs and messages, and the constants both sides
// read. Types only come from the worker modules (erased at build time: nothing of the workers' state or code
// reaches the page); constants live here and the workers import them.
export type { Capabilities, DownloadPlan, EngineApi, GenSettings, ModelInfo, StepPreview } from './engine.worker';
export type { BuildProgress, BuiltSpaceResult, SpaceApi, SpaceSummary } from './space.worker';
export type { Generation, LatentDirectionsResult } from './directions';
export type { IdentityDirections } from './directions-job';
export type { InversionCallbacks, InversionOutcome, InversionRequest, PendingInversion } from './invert';
export type { PhotoView } from './invert-photo';
export type { AutoFace } from './face';
export type { IdentityScore } from '../src/engine/face/identity-score';
export type { ModelSource, PrecisionName } from './model-source';

/** The prefix of every error a GPU device loss turns into (the page recognizes it and restarts the engine). */
export const DEVICE_LOST = 'GPU device lost';
