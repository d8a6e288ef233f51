// The op library: importing this registers every op's inference (and VJP) rule.
export * from './elementwise';
export * from './tensor';
export * from './reduce';
export * from './nn';
export * from './clamp';
export { sdpa, ATTENTION_DOMAIN } from './attention';
export { scalar, tensorConst, int64s, lift } from './scalar';
export { createGraph, opDef, definedOps, defineOp, type OpDef, type VjpRule } from './registry';
