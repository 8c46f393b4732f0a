// Evaluates GitHub Actions expressions with GitHub's own evaluator, @actions/expressions.
// It is ESM-only and jest runs tests as CommonJS (its ESM mode needs --experimental-vm-modules,
// which the projen-generated jest config does not set), so tests call this file in a child
// `node` process: a JSON list of cases on stdin, a JSON list of results on stdout.
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import { truthy } from '@actions/expressions/result';

const CONTEXTS = ['github', 'matrix', 'needs', 'steps', 'inputs', 'vars', 'strategy', 'runner', 'env', 'job', 'secrets'];

// Status functions are not part of the expression language package: the runner provides them
// from the state of the run, so each case brings its own.
function statusFunctions(status) {
  const fn = (name, value) => ({ name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(value) });
  return [
    fn('success', status.success),
    fn('failure', status.failure),
    fn('cancelled', status.cancelled),
    fn('always', true),
  ];
}

function evaluate({ expression, context, status }) {
  const functions = statusFunctions(status ?? { success: true, failure: false, cancelled: false });
  try {
    const tokens = new Lexer(expression).lex().tokens;
    const parsed = new Parser(tokens, CONTEXTS, functions.map(({ call, ...info }) => info)).parse();
    const ctx = JSON.parse(JSON.stringify(context), data.reviver);
    const result = new Evaluator(parsed, ctx, new Map(functions.map(f => [f.name, f]))).evaluate();
    return { truthy: truthy(result), value: result.primitive ? result.coerceString() : undefined };
  } catch (e) {
    return { error: `${expression}: ${e.message}` };
  }
}

let input = '';
process.stdin.setEncoding('utf-8');
process.stdin.on('data', chunk => { input += chunk; });
process.stdin.on('end', () => {
  process.stdout.write(JSON.stringify(JSON.parse(input).map(evaluate)));
});
