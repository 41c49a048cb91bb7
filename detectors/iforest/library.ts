// ml-isolation-forest 0.1.0 exactly as published (whole set per tree, Math.random, its own c(n)), so the ODDS
// eval can show it beside detectors/iforest/forest.ts. Not used by any detector.
// In: rows of numbers. Out: one score per row (higher = more anomalous), not reproducible between runs.
import { IsolationForest } from 'ml-isolation-forest';

export function scoreWithLibrary(rows: number[][], trees = 100): number[] {
  const forest = new IsolationForest({ nEstimators: trees });
  forest.train(rows);
  return forest.predict(rows);
}
