// Face-aware inversion: detection, automatic crop and head mask, identity scores (docs/face.md).
export * from './models';
export * from './detect';
export * from './head';
export * from './auto-frame';
export * from './similarity';
export * from './identity-score';
export * from './runtime';
