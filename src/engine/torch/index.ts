// Safe reading and writing of torch.save files (zip + pickle), in browsers, workers and Node.
export type {
  NdArrayValue, ProgressFn, ReadOptions, RowBlockOptions, SliceValue, TorchDataFrame, TorchDType, TorchTensor, TorchValue,
} from './types';
export { isDataFrame, isTensor, loadDataFrame, loadTensor, loadTorch } from './load';
export { saveTensor, type SaveOptions } from './write';
export { saveDataFrame, saveWeightDimensions, type DataFrameToWrite, type WeightDimension } from './write-pickles';
