/**
 * What the `lab` commands accept: names, options (with help text and defaults), one example each.
 * Pure data (no Docker, no topology code), so `--help` and shell completion load nothing heavy;
 * lab.ts turns it into yargs commands and dispatches to the command modules.
 */
import { reportOptions } from './args.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  default?: string | boolean;
  describe: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

export interface CommandSpec {
  /** yargs command string: name plus positionals (`exec [node] [cmd..]`). */
  command: string;
  about: string;
  options: OptionSpecs;
  positionals?: Record<string, string>;
  examples: Array<[string, string]>;
  /** Subcommands (`lab images build`). */
  subcommands?: Record<string, CommandSpec>;
  aliases?: string[];
}

export const TOPO: OptionSpec = { type: 'string', short: 't', describe: 'topology file (containerlab YAML)' };
export const VERBOSE: OptionSpec = { type: 'boolean', short: 'v', describe: 'verbose output; stack traces on errors' };
const NAME: OptionSpec = { type: 'string', describe: 'lab name (from Docker labels; the file may be gone)' };
const TARGET: OptionSpecs = { topo: TOPO, name: NAME };

/** `-t FILE`, `-f/--format` (with the command's default), `-o PATH`: the commands that write a report or drawing. */
export function reportOptionSpecs(defaultFormat: string, formats: readonly string[]): OptionSpecs {
  const { topo, format, output } = reportOptions(defaultFormat);
  return { topo, format: { ...format, describe: `output format: ${formats.join(', ')}` }, output };
}

const DEPLOY_OPTIONS: OptionSpecs = {
  topo: TOPO,
  reconfigure: { type: 'boolean', short: 'c', describe: 'remove a running lab of the same name first' },
  offline: { type: 'boolean', describe: 'use the local article-image aliases instead of pulling' },
  retain: { type: 'boolean', describe: 'keep the containers when the deploy fails' },
  force: { type: 'boolean', describe: 'act on the lab even if another topology file owns it' },
  'max-workers': { type: 'string', describe: 'how many nodes to create at once (positive integer)' },
  renderer: { type: 'string', describe: 'progress output: default, simple, verbose or silent' },
};

export const IMAGES_USAGE = `usage: lab images build [--force] [--quiet]
       lab images list [--format json]
       lab images pull IMAGE...
       lab images save -o FILE.tar IMAGE...
       lab images load FILE.tar...
example: lab images save -o labs.tar frrouting/frr:v8.2.2 nicolaka/netshoot:latest   (then on the other machine: lab images load labs.tar)`;

export const REPORT_FORMAT_NAMES = ['text', 'markdown', 'json', 'junit', 'html'] as const;

export const COMMANDS: Record<string, CommandSpec> = {
  deploy: {
    command: 'deploy',
    about: 'create a lab from a topology file',
    options: DEPLOY_OPTIONS,
    examples: [['lab deploy -t srl02.clab.yaml', 'create the lab; its files go to clab-<lab>/ beside the topology']],
  },
  destroy: {
    command: 'destroy',
    about: 'remove a lab (from its labels; the file may be gone)',
    options: {
      ...TARGET,
      all: { type: 'boolean', short: 'a', describe: 'remove every kindlab lab on this Docker engine' },
      cleanup: { type: 'boolean', describe: 'also delete the lab directory' },
      force: { type: 'boolean', describe: 'act on the lab even if another topology file owns it' },
    },
    examples: [['lab destroy --name mylab --cleanup', 'remove lab "mylab" and its lab directory']],
  },
  redeploy: {
    command: 'redeploy',
    about: 'destroy a lab and deploy it again from its topology file',
    options: { ...DEPLOY_OPTIONS, cleanup: { type: 'boolean', describe: 'also delete the lab directory before deploying' } },
    examples: [['lab redeploy -t lab.clab.yaml', 'remove the running lab, then deploy it again']],
  },
  inspect: {
    command: 'inspect',
    about: "list a lab's nodes (table or --format json)",
    options: {
      ...TARGET,
      all: { type: 'boolean', short: 'a', describe: 'every lab on this Docker engine' },
      format: { type: 'string', short: 'f', default: 'table', describe: 'output format: table or json' },
    },
    examples: [['lab inspect --all --format json', 'every lab\'s nodes as JSON']],
  },
  exec: {
    command: 'exec [node] [cmd..]',
    about: 'run a command in a node: lab exec -t FILE NODE -- CMD...',
    options: TARGET,
    positionals: { node: 'node name, or pod/NAME or pod/NAMESPACE/NAME', cmd: 'the command and its arguments (after --)' },
    examples: [['lab exec -t lab.clab.yaml router1 -- vtysh -c "show bgp summary"', "run vtysh in node router1"]],
  },
  save: {
    command: 'save',
    about: "write the nodes' running routing configs (FRR, BIRD, GoBGP) into the lab directory",
    options: TARGET,
    examples: [['lab save -t lab.clab.yaml', 'writes clab-<lab>/<node>/config/ files for each node']],
  },
  images: {
    command: 'images',
    about: 'build / list the local images',
    options: {},
    examples: [['lab images list', 'show the image aliases and whether the base image exists']],
    subcommands: {
      build: {
        command: 'build',
        about: 'build (or find cached) the local base image',
        options: {
          force: { type: 'boolean', describe: 'rebuild even when cached' },
          quiet: { type: 'boolean', short: 'q', describe: 'no build log' },
        },
        examples: [['lab images build --force', 'rebuild the base image']],
      },
      list: {
        command: 'list',
        aliases: ['ls'],
        about: 'show the aliases and which local images exist',
        options: { format: { type: 'string', default: 'table', describe: 'output format: table or json' } },
        examples: [['lab images list --format json', 'the same as JSON']],
      },
      pull: {
        command: 'pull [images..]',
        about: "pull images through the Docker engine (with the user's Docker credentials)",
        options: { quiet: { type: 'boolean', short: 'q', describe: 'no progress' } },
        positionals: { images: 'image references' },
        examples: [['lab images pull frrouting/frr:v9.1.0', 'pull one image']],
      },
      save: {
        command: 'save [images..]',
        about: 'write images to a tar, to carry into a machine without a registry',
        options: { output: { type: 'string', short: 'o', describe: 'the tar file to write' } },
        positionals: { images: 'image references' },
        examples: [['lab images save -o labs.tar frrouting/frr:v9.1.0', 'one tar with the image']],
      },
      load: {
        command: 'load [files..]',
        about: 'load images from tars written by lab images save (or docker save)',
        options: {},
        positionals: { files: 'tar files' },
        examples: [['lab images load labs.tar', 'load what labs.tar holds']],
      },
    },
  },
  verify: {
    command: 'verify',
    about: 'check a running lab: BGP sessions, routes, ping, traceroute, curl',
    options: {
      ...reportOptionSpecs('text', REPORT_FORMAT_NAMES),
      wait: { type: 'string', describe: 'retry failing checks for up to this long (e.g. 60s, 2m)' },
      timeout: { type: 'string', describe: 'time limit of each check (e.g. 5s)' },
      concurrency: { type: 'string', default: '8', describe: 'checks run at once (positive integer)' },
    },
    examples: [['lab verify -t lab.clab.yaml --wait 60s --format junit -o report.xml', 'wait for the lab to converge, write a JUnit report']],
  },
  graph: {
    command: 'graph',
    about: 'draw a lab: Mermaid, SVG, PNG or HTML (--serve PORT)',
    options: {
      ...reportOptionSpecs('mermaid', ['mermaid', 'svg', 'png', 'html']),
      serve: { type: 'string', describe: 'serve the HTML page on 127.0.0.1:PORT' },
      direction: { type: 'string', default: 'auto', describe: 'layout: auto, TB or LR' },
      static: { type: 'boolean', default: false, describe: 'draw from the file only (no session state)' },
    },
    examples: [['lab graph -t lab.clab.yaml --format svg -o lab.svg', 'draw the lab as SVG']],
  },
  kubeconfig: {
    command: 'kubeconfig',
    about: "print the path (or --content) of a lab cluster's kubeconfig",
    options: { ...TARGET, content: { type: 'boolean', describe: 'print the file itself, not its path' } },
    examples: [['lab kubeconfig -t lab.clab.yaml', 'the path, for KUBECONFIG=$(lab kubeconfig -t lab.clab.yaml) kubectl get nodes']],
  },
  config: {
    command: 'config',
    about: 'the router configs rendered from the routing intent: show a node\'s, or diff them against the deployed lab',
    options: {},
    examples: [['lab config show tor0 -t lab.clab.yaml', "print tor0's rendered FRR config and exec lines"]],
    subcommands: {
      show: {
        command: 'show [node]',
        about: "print a node's rendered files and exec lines",
        options: { topo: TOPO },
        positionals: { node: 'node name' },
        examples: [['lab config show tor0 -t lab.clab.yaml', "tor0's frr.conf and exec lines"]],
      },
      diff: {
        command: 'diff [node]',
        about: 'what an edit of the intent changes against the configs the running lab was given (unified diff)',
        options: { topo: TOPO },
        positionals: { node: 'only this node (default: every router)' },
        examples: [['lab config diff -t lab.clab.yaml', 'the diff of every rendered router config']],
      },
    },
  },
  node: {
    command: 'node',
    about: "stop, start or restart one node of a running lab; start re-creates its links and runs its exec lines again",
    options: {},
    examples: [['lab node restart -t lab.clab.yaml router1', 'restart router1; its links, sharers and exec lines are redone']],
    subcommands: {
      stop: {
        command: 'stop [node]',
        about: "stop a node's container (its links go with its network namespace)",
        options: { topo: TOPO },
        positionals: { node: 'node name' },
        examples: [['lab node stop -t lab.clab.yaml router1', 'stop router1']],
      },
      start: {
        command: 'start [node]',
        about: 'start a stopped node: its links re-created, its sharers moved to its new namespace, its services and exec lines run again',
        options: { topo: TOPO },
        positionals: { node: 'node name' },
        examples: [['lab node start -t lab.clab.yaml router1', 'start router1 and repair its links']],
      },
      restart: {
        command: 'restart [node]',
        about: 'stop and start a node (as node stop, then node start)',
        options: { topo: TOPO },
        positionals: { node: 'node name' },
        examples: [['lab node restart -t lab.clab.yaml router1', 'restart router1']],
      },
    },
  },
  generate: {
    command: 'generate',
    about: 'write a topology: a leaf-spine fabric with a Kubernetes cluster, as routing intent',
    options: {},
    examples: [['lab generate clos --spines 2 --leaves 4 --nodes-per-leaf 2 --dialect cilium -o clos.yaml', 'a 6-router fabric with an 8-node Cilium cluster']],
    subcommands: {
      clos: {
        command: 'clos',
        about: 'a leaf-spine (Clos) fabric; nodes spread over the leaves, one rack per leaf',
        options: {
          name: { type: 'string', default: 'clos', describe: 'lab name' },
          spines: { type: 'string', default: '2', describe: 'number of spines (1-16)' },
          leaves: { type: 'string', default: '4', describe: 'number of leaves (1-64)' },
          'nodes-per-leaf': { type: 'string', default: '1', describe: 'Kubernetes nodes per leaf (0-16)' },
          dialect: { type: 'string', default: 'cilium', describe: 'cluster BGP dialect: cilium, calico, kube-router, kube-ovn, metallb' },
          image: { type: 'string', describe: 'router image (default frrouting/frr:v8.4.0)' },
          output: { type: 'string', short: 'o', describe: 'write to this file instead of stdout' },
        },
        examples: [['lab generate clos --spines 2 --leaves 4 --nodes-per-leaf 2 -o clos.yaml', 'then: lab deploy -t clos.yaml && lab verify -t clos.yaml --wait 2m']],
      },
    },
  },
  version: {
    command: 'version',
    about: 'print the kindlab version',
    options: {},
    examples: [['lab version', 'prints e.g. 0.1.0']],
  },
  completion: {
    command: 'completion [shell]',
    about: 'print the shell completion script (bash or zsh)',
    options: {},
    positionals: { shell: 'bash or zsh' },
    examples: [['source <(lab completion bash)', 'complete commands, options, files, nodes and labs in bash']],
  },
};
