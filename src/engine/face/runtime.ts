// The part of face-api (and its bundled tfjs) the engine uses, declared here rather than imported: the
// package's own typings carry a copy of the WebGPU types that clashes with the project's.
/** A tfjs tensor, opaque here. */
export interface TfTensor {
  dispose(): void;
}

export type NamedTensorMap = Record<string, TfTensor>;

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
}

interface Net {
  loadFromWeightMap(map: NamedTensorMap): void;
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DetectedFace {
  detection: { box: Box; score: number };
  landmarks: { positions: { x: number; y: number }[] };
  descriptor?: Float32Array;
}

interface LandmarksTask extends PromiseLike<DetectedFace[]> {
  withFaceDescriptors(): PromiseLike<DetectedFace[]>;
}

export interface FaceRuntime {
  tf: {
    io: { decodeWeights(data: ArrayBuffer, specs: WeightSpec[]): NamedTensorMap };
    tensor3d(values: Float32Array, shape: [number, number, number], dtype: 'float32'): TfTensor;
    setBackend(name: string): Promise<boolean>;
    ready(): Promise<void>;
    getBackend(): string;
  };
  nets: { tinyFaceDetector: Net; faceLandmark68Net: Net; faceRecognitionNet: Net; ssdMobilenetv1: Net };
  TinyFaceDetectorOptions: new (o: { inputSize: number; scoreThreshold: number }) => object;
  SsdMobilenetv1Options: new (o: { minConfidence: number }) => object;
  detectAllFaces(input: TfTensor, options: object): PromiseLike<{ box: Box; score: number }[]> & { withFaceLandmarks(): LandmarksTask };
}
