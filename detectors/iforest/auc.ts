// ROC AUC of anomaly scores against 0/1 labels (1 = outlier), by the rank-sum (Mann–Whitney U) formula with
// tied scores given their average rank, so ties count one half, as in scikit-learn's roc_auc_score.
// In: scores and labels of equal length, both classes present. Out: AUC in [0, 1].

export function rocAuc(scores: readonly number[], labels: readonly number[]): number {
  if (scores.length !== labels.length) throw new RangeError(`${scores.length} scores but ${labels.length} labels`);
  const order = scores.map((s, i) => ({ s, y: labels[i]! })).sort((a, b) => a.s - b.s);
  let pos = 0;
  let rankSumPos = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]!.s === order[i]!.s) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (order[k]!.y === 1) {
        pos++;
        rankSumPos += avgRank;
      } else if (order[k]!.y !== 0) throw new RangeError(`label must be 0 or 1, got ${order[k]!.y}`);
    }
    i = j + 1;
  }
  const neg = order.length - pos;
  if (pos === 0 || neg === 0) throw new RangeError('AUC needs both outliers (1) and inliers (0)');
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}
