// Stands in for the typings of face-api's browser build (tsconfig paths): the package's own bring a copy of
// the WebGPU types that clashes with the project's; workers/face.ts casts the module to FaceRuntime.
export {};
