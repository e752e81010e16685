import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { KindlabError } from '../errors.js';
import { commandWords, slotOf, topologyFiles } from './complete.js';
import { completionScript, labVersion, parse, type Parsed } from './lab.js';
import { COMMANDS } from './spec.js';
import { runNode } from './node.js';

const MINIMAL = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'topology', 'valid-minimal.yaml');

async function printed(argv: string[]): Promise<{ text: string; code: number }> {
  const p = await parse(argv);
  assert.equal(p.kind, 'print', `${argv.join(' ')} should print`);
  return p as Extract<Parsed, { kind: 'print' }>;
}

async function ran(argv: string[]): Promise<Extract<Parsed, { kind: 'run' }>> {
  const p = await parse(argv);
  assert.equal(p.kind, 'run', `${argv.join(' ')} should run a command`);
  return p as Extract<Parsed, { kind: 'run' }>;
}

async function usageError(argv: string[]): Promise<KindlabError> {
  const e = await parse(argv).then(() => undefined, (err: unknown) => err);
  assert.ok(e instanceof KindlabError && e.code === 'USAGE', `${argv.join(' ')} should be a USAGE error, got ${String(e)}`);
  return e;
}

const HELP_LINES: Record<string, RegExp[]> = {
  deploy: [/^lab deploy$/m, /^ {2}-t, --topo +topology file/m, /^ {2}-c, --reconfigure/m, /^ {6}--retain/m, /^ {6}--max-workers/m, /^ {6}--renderer/m],
  destroy: [/^lab destroy$/m, /^ {6}--name +lab name/m, /^ {2}-a, --all/m, /^ {6}--cleanup/m],
  redeploy: [/^lab redeploy$/m, /^ {2}-t, --topo/m, /^ {6}--cleanup/m],
  inspect: [/^lab inspect$/m, /^ {2}-a, --all +every lab/m, /^ {2}-f, --format +output format: table or json .*\[default: "table"\]/m],
  exec: [/^lab exec \[node\] \[cmd\.\.\]$/m, /^ {2}node +node name, or pod\/NAME/m, /^ {2}-t, --topo/m],
  save: [/^lab save$/m, /FRR, BIRD, GoBGP/, /^ {2}-t, --topo/m],
  images: [/^lab images$/m, /^ {2}lab images build/m, /^ {2}lab images list +show the aliases/m],
  verify: [/^lab verify$/m, /^ {2}-f, --format +output format: text, markdown, json, junit, html .*\[default: "text"\]/m, /^ {6}--wait/m, /^ {6}--concurrency .*\[default: "8"\]/m],
  graph: [/^lab graph$/m, /^ {6}--serve/m, /^ {6}--direction .*\[default: "auto"\]/m, /^ {6}--static/m],
  kubeconfig: [/^lab kubeconfig$/m, /^ {6}--content/m],
  capture: [/^lab capture \[target\]$/m, /^ {2}target +NODE:IFACE/m, /^ {2}-w, --write/m, /^ {2}-c, --count/m, /^ {6}--timeout/m],
  fault: [/^lab fault$/m, /^ {2}lab fault link /m, /^ {2}lab fault clear /m, /this kernel has no netem/, /statistic --mode random/, /faults\.json/],
  version: [/^lab version$/m],
};

for (const name of Object.keys(COMMANDS).filter((n) => n !== 'completion')) {
  test(`lab ${name} --help: its options and an example, exit 0`, async () => {
    const { text, code } = await printed([name, '--help']);
    assert.equal(code, 0);
    for (const re of HELP_LINES[name] ?? []) assert.match(text, re);
    assert.match(text, /^Examples:\n {2}lab /m);
    assert.match(text, /^ {2}-v, --verbose/m);
    assert.match(text, /^ {2}-h, --help/m);
  });
}

test('lab images build --help / list --help show the subcommand options', async () => {
  assert.match((await printed(['images', 'build', '--help'])).text, /^ {6}--force +rebuild/m);
  assert.match((await printed(['images', 'list', '--help'])).text, /^ {6}--format .*\[default: "table"\]/m);
});

test('lab --help and lab help list every command, exit 0; bare lab prints it and exits 1', async () => {
  for (const argv of [['--help'], ['-h'], ['help']]) {
    const { text, code } = await printed(argv);
    assert.equal(code, 0);
    for (const name of Object.keys(COMMANDS)) assert.match(text, new RegExp(`^ {2}lab ${name}\\b`, 'm'), `${argv.join(' ')}: ${name}`);
  }
  assert.equal((await printed([])).code, 1);
  assert.match((await printed(['help', 'deploy'])).text, /^ {2}-t, --topo/m);
});

test('lab version and lab --version print the package version', async () => {
  assert.match(labVersion(), /^\d+\.\d+\.\d+/);
  assert.deepEqual((await ran(['version'])).command, ['version']);
  assert.equal((await printed(['--version'])).text.trim(), labVersion());
});

test('options parse as before: strings stay strings, short forms, defaults', async () => {
  const d = await ran(['deploy', '-t', 'x.yaml', '--max-workers', '3', '-c', '--retain']);
  assert.deepEqual(d.command, ['deploy']);
  assert.equal(d.values['topo'], 'x.yaml');
  assert.equal(d.values['max-workers'], '3');
  assert.equal(d.values['reconfigure'], true);
  assert.equal(d.values['retain'], true);
  const v = await ran(['verify', '-t', 'x', '--wait', '60s', '-f', 'json', '-o', 'out.json']);
  assert.equal(v.values['format'], 'json');
  assert.equal(v.values['output'], 'out.json');
  assert.equal(v.values['concurrency'], '8');
  const g = await ran(['graph', '-t', 'x']);
  assert.equal(g.values['format'], 'mermaid');
  assert.equal(g.values['direction'], 'auto');
  assert.equal(g.values['static'], false);
  assert.equal((await ran(['inspect', '--name', 'l'])).values['format'], 'table');
  assert.deepEqual((await ran(['images', 'ls', '--format', 'json'])).command, ['images', 'list']);
  const all = await ran(['inspect', '--all', '-f', 'json']);
  assert.equal(all.values['all'], true);
});

test('variadic positionals keep every word; a repeated single-valued option keeps its last value', async () => {
  const pull = await ran(['images', 'pull', 'frrouting/frr:v9.1.0', 'alpine:3.20', 'busybox']);
  assert.deepEqual(pull.command, ['images', 'pull']);
  assert.deepEqual(pull.positionals, ['frrouting/frr:v9.1.0', 'alpine:3.20', 'busybox']);
  assert.deepEqual((await ran(['images', 'load', 'a.tar', 'b.tar'])).positionals, ['a.tar', 'b.tar']);
  const twice = await ran(['deploy', '-t', 'a.yaml', '-t', 'b.yaml', '-v', '-v']);
  assert.equal(twice.values['topo'], 'b.yaml');
  assert.equal(twice.values['verbose'], true);
  assert.deepEqual((await ran(['deploy', '-t', 'a.yaml', '--vars', 'x.yml', '--vars', 'y.yml'])).values['vars'], ['x.yml', 'y.yml']);
});

test('exec: NODE and the command after -- (its own options untouched), or without --', async () => {
  const e = await ran(['exec', '-t', 'f.yaml', 'n1', '--', 'ip', '-4', 'addr', 'show']);
  assert.deepEqual(e.command, ['exec']);
  assert.equal(e.values['topo'], 'f.yaml');
  assert.deepEqual(e.positionals, ['n1', 'ip', '-4', 'addr', 'show']);
  assert.deepEqual((await ran(['exec', '--name', 'L', 'pod/x', 'hostname'])).positionals, ['pod/x', 'hostname']);
  assert.deepEqual((await ran(['exec', '-t', 'f', 'r', '--', 'sh', '-c', 'echo out; exit 3'])).positionals, ['r', 'sh', '-c', 'echo out; exit 3']);
});

test('bad command lines: errors name the option or word', async () => {
  const unknown = await usageError(['deploy', '-t', 'x', '--bogus']);
  assert.equal(unknown.shortMessage, "Unknown option '--bogus'");
  assert.equal(unknown.hint, 'see: lab deploy --help');
  assert.equal((await usageError(['inspect', '-t', 'x', '-Z'])).shortMessage, "Unknown option '-Z'");
  assert.equal((await usageError(['deploy', '--reconfig=1'])).shortMessage, "Unknown option '--reconfig'");
  assert.equal((await usageError(['deploy', '-t'])).shortMessage, "option '-t' needs a value");
  assert.equal((await usageError(['inspect', '--all', 'extra'])).shortMessage, "Unexpected argument 'extra'");
  const cmd = await usageError(['deploi']);
  assert.equal(cmd.shortMessage, 'unknown command "deploi"');
  assert.match(cmd.detail ?? '', /lab deploy +create a lab/);
  const images = await usageError(['images', 'bogus']);
  assert.equal(images.shortMessage, 'unknown images command "bogus"');
  assert.match(images.detail ?? '', /usage: lab images build/);
  assert.equal((await usageError(['completion', 'fish'])).shortMessage, 'completion: unknown shell "fish" (bash or zsh)');
});

test('completion scripts: bash and zsh, both calling lab --get-yargs-completions', async () => {
  const bash = await completionScript('bash');
  assert.match(bash, /^###-begin-lab-completions-###$/m);
  assert.match(bash, /lab --get-yargs-completions "\$\{args\[@\]\}"/);
  assert.match(bash, /^complete -o bashdefault -o default -F _lab_yargs_completions lab$/m);
  assert.match(bash, /Installation: lab completion bash >> ~\/\.bashrc/);
  execFileSync('bash', ['-n'], { input: bash }); // the script parses as bash
  const zsh = await completionScript('zsh');
  assert.match(zsh, /^#compdef lab$/m);
  assert.match(zsh, /lab --get-yargs-completions "\$\{words\[@\]\}"/);
  assert.match(zsh, /compdef _lab_yargs_completions lab/);
  assert.equal((await printed(['completion', 'zsh'])).text, zsh);
  assert.equal((await printed(['completion'])).text, bash);
});

async function completions(...words: string[]): Promise<string[]> {
  return (await printed(['--get-yargs-completions', 'lab', ...words])).text.split('\n').filter(Boolean);
}

test('completion handler: commands, options, node names of the -t topology, topology files', async () => {
  const saved = process.env['SHELL'];
  process.env['SHELL'] = '/bin/bash';
  try {
    assert.deepEqual(await completions('de'), ['deploy', 'destroy']);
    assert.ok((await completions('')).includes('kubeconfig'));
    const opts = await completions('deploy', '--');
    for (const o of ['--topo', '--reconfigure', '--retain', '--max-workers', '--renderer', '--help']) assert.ok(opts.includes(o), `${o} in ${opts.join(' ')}`);
    assert.ok(!opts.includes('--name'));
    assert.ok((await completions('destroy', '-t', 'x', '--')).includes('--cleanup'));
    assert.ok(!(await completions('destroy', '-t', 'x', '--')).includes('--topo'), 'an option given is not offered again');
    assert.deepEqual(await completions('images', ''), ['build', 'list', 'pull', 'save', 'load']);
    assert.deepEqual(await completions('fault', ''), ['link', 'node', 'bgp', 'agent', 'list', 'clear']);
    // a subcommand with positionals (`link [w1] …`, `show [node]`) is found by its first word
    const link = await completions('fault', 'link', '--');
    for (const o of ['--topo', '--name', '--period', '--count']) assert.ok(link.includes(o), `${o} in ${link.join(' ')}`);
    assert.ok((await completions('config', 'show', '--')).includes('--topo'));
    assert.deepEqual(await completions('exec', '-t', MINIMAL, ''), ['a', 'b']);
    assert.deepEqual(await completions('exec', '-t', MINIMAL, 'b'), ['b']);
    assert.deepEqual(await completions('exec', `--topo=${MINIMAL}`, ''), ['a', 'b']);
    const dir = await mkdtemp(join(tmpdir(), 'lab-complete-'));
    await writeFile(join(dir, 'lab.clab.yaml'), 'name: x\n');
    await writeFile(join(dir, 'notes.txt'), '');
    assert.deepEqual(await completions('deploy', '-t', `${dir}/`), [`${dir}/lab.clab.yaml`]);
  } finally {
    if (saved === undefined) delete process.env['SHELL'];
    else process.env['SHELL'] = saved;
  }
});

test('slotOf: what is being completed', () => {
  assert.deepEqual(slotOf(['lab', 'deploy', '-t', '']), { type: 'topo' });
  assert.deepEqual(slotOf(['lab', 'destroy', '--name', 'k']), { type: 'lab' });
  assert.deepEqual(slotOf(['lab', 'exec', '-t', 'f.yaml', '']), { type: 'node', topo: 'f.yaml' });
  assert.deepEqual(slotOf(['lab', 'exec', '-t', 'f.yaml', 'n1', '']), { type: 'default' });
  assert.deepEqual(slotOf(['lab', 'exec', '-t', 'f.yaml', 'n1', '--', '']), { type: 'default' });
  assert.deepEqual(slotOf(['lab', 'inspect', '']), { type: 'default' });
  assert.deepEqual(slotOf(['lab', 'node', 'restart', '-t', 'f.yaml', '']), { type: 'node', topo: 'f.yaml' });
  assert.deepEqual(slotOf(['lab', 'node', 'stop', '-t', 'f.yaml', 'r1', '']), { type: 'default' });
  assert.deepEqual(slotOf(['lab', 'node', '']), { type: 'default' });
});

test('lab node: a subcommand and a node are required, before anything is loaded', async () => {
  await assert.rejects(runNode('reboot', { topo: 'x.yaml' }, ['reboot', 'r1']), /expected stop, start or restart, got "reboot"/);
  await assert.rejects(runNode('stop', {}, ['stop', 'r1']), /missing -t FILE/);
  await assert.rejects(runNode('stop', { topo: 'labs/cilium-bgp/routers.yaml' }, ['stop']), (e: unknown) => e instanceof KindlabError && /name the node/.test(e.shortMessage) && /router0/.test(e.hint ?? ''));
  const p = await parse(['node', 'restart', 'r1', '-t', 'f.yaml']);
  assert.deepEqual(p.kind === 'run' && [p.command, p.positionals, p.values['topo']], [['node', 'restart'], ['r1'], 'f.yaml']);
});

test('commandWords for zsh carry descriptions', () => {
  assert.ok(commandWords(['lab', ''], true)!.includes('deploy:create a lab from a topology file'));
  assert.ok(commandWords(['lab', 'inspect', '--'], true)!.includes('--all:every lab on this Docker engine and on the engines its labs name (hosts.json)'));
});

test('topologyFiles lists YAML files and directories, not other files', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lab-files-'));
  await writeFile(join(dir, 'a.yml'), '');
  await writeFile(join(dir, 'b.json'), '');
  assert.deepEqual(await topologyFiles(`${dir}/`), [`${dir}/a.yml`]);
  assert.deepEqual(await topologyFiles(`${dir}/b`), []);
});

test('config and generate: help, show, diff and generate clos through the CLI entry point', async () => {
  const { main } = await import('./lab.js');
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const errs: string[] = [];
  const ewrite = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string) => (out.push(String(c)), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string) => (errs.push(String(c)), true)) as typeof process.stderr.write;
  try {
    assert.equal(await main(['config', 'show', 'tor0', '-t', 'labs/cilium-bgp/topo-intent.yaml']), 0);
    assert.match(out.join(''), /^router bgp 65010$/m);
    out.length = 0;
    assert.equal(await main(['generate', 'clos', '--spines', '2', '--leaves', '3', '--nodes-per-leaf', '1']), 0);
    assert.match(out.join(''), /^# Generated by: lab generate clos --spines 2 --leaves 3/);
    assert.equal(await main(['generate', 'clos', '--spines', 'x']), 1);
    assert.match(errs.join(''), /--spines must be a whole number, got "x"/);
    out.length = 0;
    assert.equal(await main(['config', '--help']), 0);
    assert.match(out.join(''), /lab config show \[node\]/);
  } finally {
    process.stdout.write = write;
    process.stderr.write = ewrite;
  }
});

test('lab fault link|node|bgp take their words as positionals; an extra word or unknown fault is a USAGE error', async () => {
  const p = await parse(['fault', '-t', 'x.yaml', 'link', 'a:eth1', 'b:eth1', 'loss', '30']);
  assert.ok(p.kind === 'run');
  assert.deepEqual(p.command, ['fault', 'link']);
  assert.deepEqual(p.positionals, ['a:eth1', 'b:eth1', 'loss', '30']);
  const n = await parse(['fault', 'node', 'r1', 'pause', '--name', 'lab1']);
  assert.ok(n.kind === 'run');
  assert.deepEqual([n.command, n.positionals], [['fault', 'node'], ['r1', 'pause']]);
  await usageError(['fault', 'node', 'r1', 'pause', 'now']);
  await usageError(['fault', 'dns']);
  const c = await parse(['capture', 'n1:eth1', '-w', 'f.pcap', '-c', '3', '--name', 'lab1']);
  assert.ok(c.kind === 'run');
  assert.deepEqual([c.positionals, c.values['write'], c.values['count']], [['n1:eth1'], 'f.pcap', '3']);
});
