// `npm run eval:external`: the evals on external, published benchmarks, each printing a table; the last
// line of output is one JSON object per eval run, the final line holding all of them.
// In: the data under /work/shared/eval (see each eval's header). Out: tables on stdout, then JSON lines.
import { amazonGoogleSummary, formatAmazonGoogle, runAmazonGoogleEval } from './amazon-google.ts';
import { cliAgrees, formatCostTable, formatOddsTable, oddsSummary, runOddsEval, trainingCost } from './odds.ts';

const seeds = Number(process.env.ODDS_SEEDS ?? 10);
const odds = runOddsEval({ seeds });
process.stdout.write(formatOddsTable(odds, seeds) + '\n\n');
const agree = cliAgrees();
process.stdout.write(`shelfwatch score-outliers ${agree.dataset}.csv --exclude label --seed 1: ${agree.identical ? 'identical to' : 'DIFFERS from'} the in-process scores (${agree.rows} rows)\n\n`);
const cost = trainingCost();
process.stdout.write(formatCostTable(cost) + '\n\n');
const summaries: Record<string, unknown>[] = [{ ...oddsSummary(odds, seeds), cli_identical: agree.identical, training_cost: cost }];

const ag = await runAmazonGoogleEval();
process.stdout.write(formatAmazonGoogle(ag) + '\n\n');
summaries.push(amazonGoogleSummary(ag));

process.stdout.write(JSON.stringify({ eval: 'external', results: summaries }) + '\n');
