// The plain object model a torch.save file is read into. Nothing here is a Python object: the pickle VM
// builds only these shapes, from an allowlist of globals (see globals.ts).

/** Element types of tensors we read; every one converts to float32 on read. */
export type TorchDType = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/** Called while a tensor streams in: bytes read so far and in total. */
export type ProgressFn = (doneBytes: number, totalBytes: number) => void;

export interface ReadOptions {
  onProgress?: ProgressFn;
  /** Largest single read from the byte source (default 32 MiB). */
  chunkBytes?: number;
}

/** A tensor whose data stays in the file until read. */
export interface TorchTensor {
  readonly kind: 'tensor';
  /** "<file>: tensor (shape) dtype", for error messages. */
  readonly label: string;
  readonly dtype: TorchDType;
  readonly shape: readonly number[];
  /** In elements, as torch reports it (a transposed view has stride [1, rows]). */
  readonly stride: readonly number[];
  /** In elements, from the start of the storage. */
  readonly storageOffset: number;
  readonly numel: number;
  /** All elements in row-major order of `shape`, converted to float32. */
  read(opts?: ReadOptions): Promise<Float32Array>;
  /**
   * The first k columns of a 2-D tensor as a rows×k row-major array, streamed through the file in bounded
   * chunks (only the needed span is read, at most chunkBytes at a time; nothing else is kept).
   */
  readColumns(k: number, onProgress?: ProgressFn, opts?: Omit<ReadOptions, 'onProgress'>): Promise<Float32Array>;
  /**
   * The same rows×k matrix as row blocks of at most `maxBlockBytes` (default 1 GiB), for outputs above what
   * one ArrayBuffer holds (V[:, :10000] is 3.99 GB); still one forward pass over the file.
   */
  readRowBlocks(k: number, opts?: RowBlockOptions): Promise<Float32Array[]>;
}

export interface RowBlockOptions extends ReadOptions {
  maxBlockBytes?: number;
  /** Makes one block of n values (default `new Float32Array(n)`; the app passes shared memory). */
  alloc?: (n: number) => Float32Array;
}

/** A pandas DataFrame with numeric (or bool) columns readable as float64. */
export interface TorchDataFrame {
  readonly kind: 'dataframe';
  readonly columns: readonly string[];
  /** `values` is made on first read (a RangeIndex stays a range until then); `label(i)` never allocates. */
  readonly index: {
    readonly name: string | null;
    readonly length: number;
    label(i: number): string | number;
    readonly values: readonly (string | number)[];
  };
  readonly rows: number;
  /** The column as float (bool → 0/1), like `df[name].astype(float)`. */
  column(name: string): Float64Array;
}

/** A numpy array met outside a DataFrame (kept as raw elements). */
export interface NdArrayValue {
  readonly kind: 'ndarray';
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Numeric arrays as float64 in row-major order; object arrays as their values. */
  values(): Float64Array | readonly TorchValue[];
}

export interface SliceValue {
  readonly kind: 'slice';
  readonly start: number | null;
  readonly stop: number | null;
  readonly step: number | null;
}

/**
 * What a pickle can hold here. Python tuples and lists are arrays; dicts and OrderedDicts are Maps (insertion
 * order kept); torch.Size is number[]; ints beyond 2^53 are bigint; bytes are Uint8Array.
 */
export type TorchValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | TorchValue[]
  | Map<TorchValue, TorchValue>
  | Set<TorchValue>
  | TorchTensor
  | TorchDataFrame
  | NdArrayValue
  | SliceValue;
