import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../io/atomicWrite.js';
import { CHECKPOINT_FILES } from '../../run/index.js';

/**
 * A tfjs IOHandler that saves a LayersModel's topology and weights to a directory with Node's fs (each file written
 * atomically) and loads them back: DIR/model.json (topology + weight manifest, the tfjs "layers-model" format) and
 * DIR/weights.bin (all weights, one buffer). tfjs-node's file:// handler is not available here, hence our own.
 */
const MODEL_JSON = CHECKPOINT_FILES.model;
const WEIGHTS_BIN = CHECKPOINT_FILES.weights;

export function fileSystemHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('binary model topologies are not supported');
      const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      writeFileAtomic(join(dir, WEIGHTS_BIN), new Uint8Array(weightData));
      writeJsonAtomic(join(dir, MODEL_JSON), {
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      });
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = JSON.parse(readFileSync(join(dir, MODEL_JSON), 'utf8')) as {
        modelTopology?: unknown;
        weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
        format?: string;
      };
      if (!json.modelTopology || !Array.isArray(json.weightsManifest) || json.weightsManifest.length !== 1) {
        throw new Error(`${join(dir, MODEL_JSON)} is not a model saved by mlnc (no topology or weight manifest)`);
      }
      const specs = json.weightsManifest[0].weights;
      const bytes = readFileSync(join(dir, WEIGHTS_BIN));
      const expected = specs.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
      if (bytes.byteLength !== expected) {
        throw new Error(`${join(dir, WEIGHTS_BIN)} has ${bytes.byteLength} bytes, the manifest expects ${expected}`);
      }
      const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      return { modelTopology: json.modelTopology as object, weightSpecs: specs, weightData, format: json.format };
    },
  };
}
