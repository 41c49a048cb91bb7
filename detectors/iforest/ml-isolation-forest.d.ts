// Types for ml-isolation-forest 0.1.0, which ships none (only used by detectors/iforest/library.ts).
declare module 'ml-isolation-forest' {
  export class IsolationForest {
    constructor(options?: { nEstimators?: number });
    train(trainingSet: number[][]): void;
    predict(data: number[][]): number[];
  }
}
