// App state (zustand). Actions that talk to workers live in actions/*.ts and write here.
import { create } from 'zustand';
import type { FileProgress } from '../engine/io/cache';
import type { Capabilities, DownloadPlan, GenSettings, ModelInfo } from '../../workers/protocol';
import { initialSources, type Sources } from './config';

export type Tab = 'models' | 'create' | 'invert' | 'directions' | 'library';
export type ModelPhase = 'idle' | 'planning' | 'planned' | 'downloading' | 'loading' | 'ready' | 'error';
export type PrecisionChoice = 'auto' | 'fp32' | 'fp16';

export interface StorageInfo {
  usage?: number;
  quota?: number;
  persisted?: boolean;
}

export type { GenSettings };

export interface GalleryItem {
  id: string;
  url: string;
  png: Blob;
  width: number;
  height: number;
  settings: GenSettings;
  /** The identity (and edits) it was made with, for its caption. */
  identity: string;
  ms: number;
  /** The LoRA vectors it was made with (directions rerun its trajectory). */
  loras?: Omit<IdentityInput, 'label'>;
}

/** What a generation runs with: the identity's LoRA (and its edited one from t ≤ switchAt), or none. */
export interface IdentityInput {
  /** Caption of the identity ("base model", a name, plus edits). */
  label: string;
  lora: Float32Array | null;
  lora2: Float32Array | null;
  switchAt: number;
}

export interface LivePreview {
  step: number;
  total: number;
  url: string;
}

export interface AppState {
  tab: Tab;
  sources: Sources;
  precision: PrecisionChoice;
  caps?: Capabilities;
  capsError?: string;
  storage: StorageInfo;
  phase: ModelPhase;
  plan?: DownloadPlan;
  /** Weight file variant in use ("fp16" → *.fp16.safetensors). */
  variant?: string;
  progress: Record<string, FileProgress>;
  modelError?: string;
  model?: ModelInfo;
  /** What the planned model needs, estimated before its download (null while estimating). */
  estimate?: Pick<ModelInfo, 'needs' | 'verdict'> | null;
  estimateError?: string;
  gen: GenSettings;
  generating: boolean;
  preview?: LivePreview;
  genError?: string;
  gallery: GalleryItem[];
  /** Sessions the engine is building now, described ("the UNet gradient graph (64×64 latents)"). */
  preparing?: string[];
  /** What importing the w2w space from the sources streams (its listing's sizes), or why it is unknown. */
  spacePlan?: { total: number } | { error: string };
  /** Why the last download stopped when the user stopped it ("paused", "cancelled"). */
  downloadNote?: string;
  /** Shown after the GPU device was lost (the engine worker was replaced). */
  deviceNote?: string;
}

/** Images the gallery keeps (and a reload restores), newest first. */
export const GALLERY_MAX = 24;

export const DEFAULT_GEN: GenSettings = {
  prompt: 'sks person',
  negative: 'low quality, blurry, unfinished, cartoon',
  seed: 0,
  steps: 50,
  guidance: 3,
  scheduler: 'pndm',
  width: 512,
  height: 512,
};

export const useApp = create<AppState>(() => ({
  tab: 'models',
  sources: initialSources(),
  precision: 'auto',
  storage: {},
  phase: 'idle',
  progress: {},
  gen: DEFAULT_GEN,
  generating: false,
  gallery: [],
}));

export const setApp = useApp.setState;
export const getApp = useApp.getState;

export function setGen(patch: Partial<GenSettings>): void {
  setApp((s) => ({ gen: { ...s.gen, ...patch } }));
}
