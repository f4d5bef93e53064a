// Metrics of samples and trajectories: Fréchet distance in MNIST-classifier features, class accuracy,
// sliced Wasserstein distance, trajectory straightness, and quality against NFE.
export { frechetDistance, frechetFromStats, gaussianStats } from './frechet';
export type { GaussianStats } from './frechet';
export { sqrtPsd, symmetricEigen } from './linalg';
export { slicedWasserstein, wasserstein2Squared1d } from './sliced_wasserstein';
export { trajectoryStraightness } from './straightness';
export type { TrajectoryStraightness } from './straightness';
export {
  CLASSIFIER_ASSET_PATH, CLASSIFIER_CLASSES, FEATURE_DIM, classifierFeatures, classifierForward, classifierPredict, decodeClassifier,
  encodeClassifier, loadClassifier, runClassifier,
} from './mnist_classifier';
export type { MnistClassifier } from './mnist_classifier';
export { classAccuracy, evaluateSamples, makeReference, qualityVsNfe, SW_PROJECTIONS, SW_SEED } from './evaluate';
export type { ClassAccuracy, EvalReference, QualityResult, QualityRow, QualitySpec, SampleMetrics, SampleSource } from './evaluate';
