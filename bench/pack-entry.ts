// The packed bench's bundle (bench/pack.ts builds it as bench-bundle.mjs, started by the bench.mjs launcher):
// `node bench.mjs [bench flags]` runs the benchmark; the children it starts come back as
// `node bench.mjs --case ort-case|basis-case|search-case [case flags]`.
import { basisCase } from './basis-case';
import { ortCase } from './ort-case';
import { runBench } from './run';
import { searchCase } from './search-case';

const [first, name, ...rest] = process.argv.slice(2);
if (first === '--case') await (name === 'basis-case' ? basisCase(rest) : name === 'search-case' ? searchCase(rest) : ortCase(rest));
else await runBench(process.argv.slice(2));
