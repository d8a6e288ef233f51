// Inversion: one photo → w2w coefficients (see loop.ts). Intake and mask helpers are pure and run before
// any model session; the loop runs in a worker or in Node.
export { probeImage, checkImageSize, DEFAULT_MAX_PIXELS, DEFAULT_MAX_SIDE } from './image-probe';
export type { ImageFormat, ImageLimits, ImageProbe } from './image-probe';
export { preparePhoto, toModelInput } from './photo';
export type { CropSquare, PreparedPhoto } from './photo';
export { prepareMask, ellipseMask, isMaskOn, HEAD_ELLIPSE } from './mask';
export type { Ellipse, LatentMask } from './mask';
export { resizeBilinear } from './resample';
export { intake, loadImage } from './intake';
export type { ImageDecoder, ImageFile, Intake, IntakeOptions, ModelSizes } from './intake';
export { adamInit, adamStep } from './adam';
export type { AdamOptions, AdamState } from './adam';
export { PRESETS, DEFAULT_PROMPT, parsePreset, resolveSettings } from './settings';
export type { InversionSettings, PresetName } from './settings';
export { invert, InversionCancelled, separateProducts } from './loop';
export type { InversionInputs, InversionSpace, InvertOptions, StepInfo } from './loop';
export { cloneState, stateToBytes, stateFromFile } from './state';
export type { InversionState } from './state';
export { evalLoss, readEvalSet } from './evaluate';
export type { EvalSet } from './evaluate';
