export * from './ir';
export * from './dtype';
export * from './ops/index';
export * from './onnx';
export * from './autodiff';
export * from './lower';
