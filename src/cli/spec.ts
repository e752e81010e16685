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
  /** Text printed after the options in --help. */
  epilog?: string;
}

export const TOPO: OptionSpec = { type: 'string', short: 't', describe: 'topology file (containerlab YAML)' };
export const VERBOSE: OptionSpec = { type: 'boolean', short: 'v', describe: 'verbose output; stack traces on errors' };
const NAME: OptionSpec = { type: 'string', describe: 'lab name (from Docker labels; the file may be gone)' };
const TARGET: OptionSpecs = { topo: TOPO, name: NAME };
/** `--hosts FILE` of destroy/inspect: more engines to look on (a lab whose lab directory, with its hosts.json, is gone). */
const HOSTS_FILE: OptionSpec = { type: 'string', describe: 'also look on these engines: a YAML file with hosts: (as in a topology) or a hosts.json' };

/** `-t FILE`, `-f/--format` (with the command's default), `-o PATH`: the commands that write a report or drawing. */
export function reportOptionSpecs(defaultFormat: string, formats: readonly string[]): OptionSpecs {
  const { topo, format, output } = reportOptions(defaultFormat);
  return { topo, format: { ...format, describe: `output format: ${formats.join(', ')}` }, output };
}

const DEPLOY_OPTIONS: OptionSpecs = {
  topo: TOPO,
  reconfigure: { type: 'boolean', short: 'c', describe: 'apply a changed routing intent to the running lab in place; otherwise remove it first and deploy again' },
  offline: { type: 'boolean', describe: 'use the local article-image aliases instead of pulling' },
  retain: { type: 'boolean', describe: 'keep the containers when the deploy fails' },
  force: { type: 'boolean', describe: 'act on the lab even if another topology file owns it' },
  'max-workers': { type: 'string', describe: 'how many nodes to create at once (positive integer)' },
  renderer: { type: 'string', describe: 'progress output: default, simple, verbose or silent' },
  timings: { type: 'boolean', describe: 'print the wall time of each deploy step (also in <labDir>/deploy-state.json)' },
};

export const IMAGES_USAGE = `usage: lab images build [--force] [--quiet]
       lab images list [--format json]
       lab images pull IMAGE...
       lab images save -o FILE.tar IMAGE...
       lab images load FILE.tar...
example: lab images save -o labs.tar frrouting/frr:v8.2.2 nicolaka/netshoot:latest   (then on the other machine: lab images load labs.tar)`;

const FAULT_EPILOG = [
  'What is emulated, and how (this kernel has no netem):',
  '- down/up: ip link set on each end given (the peer sees no carrier).',
  '- flap: down for --period, then up for --period, --count times (default: until Ctrl-C), in the foreground.',
  "- loss P: an iptables/ip6tables 'statistic --mode random' DROP of P % of the IPv4/IPv6 packets each given end sends (OUTPUT and FORWARD in the node's netns; ARP is not dropped).",
  '  With one end only that direction is impaired: a ping from that end loses ~P %. With both ends both directions are (a ping loses 1-(1-P)^2). loss 0 removes it.',
  '- corrupt: not emulable here (no netem, no tc pedit action); refused.',
  "- node: docker stop|start|restart|pause|unpause of the node's container (pause freezes its processes, not its kernel: it still answers ping).",
  "- bgp reset: vtysh -c 'clear ip bgp *' (or PEER) in an FRR router.",
  '- agent kill|restart: the k8s node\'s lab-agent (in its node daemon\'s process) ended as SIGKILL (a crash: no NOTIFICATION) or SIGTERM (a planned restart) would; the node daemon starts the next run 1 s later, and the run number and delay are recorded. agent stop keeps it down until agent start or clear.',
  'Every fault is recorded in <labDir>/faults.json: lab fault list shows them, lab fault clear undoes them all (links up, rules removed, nodes started and unpaused).',
].join('\n');

const FAULT_TARGET: OptionSpecs = { topo: TOPO, name: NAME };

export const REPORT_FORMAT_NAMES = ['text', 'markdown', 'json', 'junit', 'html'] as const;

export const COMMANDS: Record<string, CommandSpec> = {
  export: {
    command: 'export',
    about: 'write a lab\'s logs and state into a directory (CI artifacts)',
    options: {},
    examples: [['lab export logs -t topo.yaml ./artifacts', 'every container\'s logs, addresses, routes, routing daemon state and the lab directory\'s logs']],
    subcommands: {
      logs: {
        command: 'logs [dir]',
        about: 'container logs, inspect, ip addr/route/link, FRR/BIRD/GoBGP/agent state, the lab directory\'s logs and reports (never its keys or tokens)',
        options: TARGET,
        positionals: { dir: 'directory to write (default: ./<lab>-logs)' },
        examples: [['lab export logs --name mylab /tmp/mylab-logs', 'from the labels alone (the topology file may be gone)']],
      },
    },
  },
  deploy: {
    command: 'deploy',
    about: 'create a lab from a topology file',
    options: DEPLOY_OPTIONS,
    examples: [['lab deploy -t srl02.clab.yaml', 'create the lab; its files go to clab-<lab>/ beside the topology']],
  },
  apply: {
    command: 'apply',
    about: 'change a running lab in place to match its edited topology (only the nodes and links that differ)',
    options: {
      topo: TOPO,
      'dry-run': { type: 'boolean', describe: 'print the plan (+ add, - remove, ~ change, -/+ make again) and change nothing' },
      force: { type: 'boolean', describe: 'act on the lab even if another topology file owns it' },
    },
    examples: [['lab apply -t lab.clab.yaml --dry-run', 'show what applying the edited file would add, remove and re-make']],
  },
  destroy: {
    command: 'destroy',
    about: 'remove a lab (from its labels; the file may be gone)',
    options: {
      ...TARGET,
      all: { type: 'boolean', short: 'a', describe: 'remove every kindlab lab on this Docker engine and on the engines its labs name (hosts.json)' },
      hosts: HOSTS_FILE,
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
      all: { type: 'boolean', short: 'a', describe: 'every lab on this Docker engine and on the engines its labs name (hosts.json)' },
      hosts: HOSTS_FILE,
      pods: { type: 'boolean', describe: "also the containers of the cluster's real-image pods (hidden by default)" },
      format: { type: 'string', short: 'f', default: 'table', describe: 'output format: table or json' },
    },
    examples: [['lab inspect --all --format json', 'every lab\'s nodes as JSON']],
  },
  exec: {
    command: 'exec [node] [cmd..]',
    about: 'run a command in a node: lab exec -t FILE NODE -- CMD...',
    options: {
      ...TARGET,
      namespace: { type: 'string', short: 'n', describe: "the pod's namespace (with pod/NAME)" },
      cluster: { type: 'string', describe: "with several clusters: whose pod (kind's cluster name, or kubectl's context kind-NAME)" },
    },
    positionals: { node: 'node name, or pod/NAME, pod/NAMESPACE/NAME or CLUSTER/pod/NAME', cmd: 'the command and its arguments (after --)' },
    examples: [
      ['lab exec -t lab.clab.yaml router1 -- vtysh -c "show bgp summary"', "run vtysh in node router1"],
      ['lab exec -t lab.clab.yaml --cluster k02 pod/nettool -n default -- ip addr', "run ip addr in pod nettool of cluster k02"],
    ],
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
    about: 'check a running lab: BGP sessions, routes (next hops, communities, AS paths), ping, traceroute, curl, exec lines',
    options: {
      ...reportOptionSpecs('text', REPORT_FORMAT_NAMES),
      wait: { type: 'string', describe: 'retry failing checks for up to this long (e.g. 60s, 2m)' },
      timeout: { type: 'string', describe: 'time limit of each check (e.g. 5s)' },
      concurrency: { type: 'string', default: '8', describe: 'checks run at once (positive integer)' },
      impact: { type: 'boolean', describe: 'fail each link and node in turn, run the checks under the fault, restore; report fault × check (text, markdown, json)' },
      elements: { type: 'string', describe: 'with --impact: only these links/nodes, comma-separated (router0-tor1, tor0:net1-server0:net0, tor0)' },
      'recover-timeout': { type: 'string', describe: 'with --impact: how long to wait for the lab to be green again after each fault (default 240s: a Cilium agent retries a failed connect after 120 s)' },
      junit: { type: 'string', describe: 'with --impact: also write the fault × check matrix as JUnit XML to this file' },
      html: { type: 'string', describe: 'with --impact: also write a static HTML report (the graph coloured by what each failure breaks) to this file' },
      node: { type: 'string', describe: 'only the checks that run in this node (its sessions, routes, probes from it, exec lines); stages are left out' },
      list: { type: 'boolean', describe: 'list the checks (declared and derived) without running them' },
    },
    examples: [
      ['lab verify -t lab.clab.yaml --wait 60s --format junit -o report.xml', 'wait for the lab to converge, write a JUnit report'],
      ['lab verify -t lab.clab.yaml --node leaf1 --list', "the checks that run in leaf1, without running them"],
      ['lab verify -t lab.clab.yaml --impact --format markdown -o impact.md', 'what each link or node failure breaks'],
    ],
  },
  graph: {
    command: 'graph',
    about: 'draw a lab: Mermaid, SVG, PNG or HTML (--serve PORT)',
    options: {
      ...reportOptionSpecs('mermaid', ['mermaid', 'svg', 'png', 'html']),
      serve: { type: 'string', describe: 'serve the HTML page on 127.0.0.1:PORT' },
      direction: { type: 'string', default: 'auto', describe: 'layout: auto, TB or LR' },
      static: { type: 'boolean', default: false, describe: 'draw from the file only (no session state)' },
      unfold: { type: 'boolean', default: false, describe: "draw the nodes sharing another node's netns (network-mode: container:X) as boxes of their own, not inside X" },
    },
    examples: [['lab graph -t lab.clab.yaml --format svg -o lab.svg', 'draw the lab as SVG']],
  },
  capture: {
    command: 'capture [target]',
    about: "record packets on a node's interface as pcap (tcpdump from the host in the node's netns)",
    options: {
      ...TARGET,
      write: { type: 'string', short: 'w', describe: 'write the pcap to this file (default: stdout, for Wireshark)' },
      count: { type: 'string', short: 'c', describe: 'stop after this many packets' },
      timeout: { type: 'string', describe: 'stop after this long (e.g. 30s)' },
    },
    positionals: { target: 'NODE:IFACE' },
    examples: [
      ['lab capture -t lab.clab.yaml router1:eth1 -w bgp.pcap -c 50', 'record 50 packets of router1:eth1'],
      ['lab capture -t lab.clab.yaml router1:eth1 | wireshark -k -i -', 'watch live in Wireshark'],
    ],
  },
  fault: {
    command: 'fault',
    about: 'break links and nodes on demand (recorded; lab fault clear restores the lab)',
    options: {},
    examples: [
      ['lab fault -t lab.clab.yaml link r1:eth1 r2:eth1 down', 'cut a link (both ends)'],
      ['lab fault -t lab.clab.yaml link r1:eth1 loss 30', 'drop 30 % of the packets r1 sends on eth1'],
      ['lab fault -t lab.clab.yaml clear', 'undo every recorded fault'],
    ],
    epilog: FAULT_EPILOG,
    subcommands: {
      link: {
        command: 'link [w1] [w2] [w3] [w4]',
        about: 'NODE:IFACE [NODE:IFACE] down|up|flap|loss PERCENT',
        options: {
          ...FAULT_TARGET,
          period: { type: 'string', describe: 'flap: how long the link stays down, then up (e.g. 2s)' },
          count: { type: 'string', describe: 'flap: how many down/up rounds (default: until Ctrl-C)' },
        },
        positionals: { w1: 'NODE:IFACE', w2: '[NODE:IFACE] then the action: down, up, flap, loss', w3: '(action or PERCENT)', w4: '(PERCENT)' },
        examples: [['lab fault -t lab.clab.yaml link r1:eth1 flap --period 2s --count 5', 'five 2 s outages']],
        epilog: FAULT_EPILOG,
      },
      node: {
        command: 'node [node] [action]',
        about: 'NAME stop|start|restart|pause|unpause',
        options: FAULT_TARGET,
        positionals: { node: 'node name', action: 'stop, start, restart, pause or unpause' },
        examples: [['lab fault -t lab.clab.yaml node r1 pause', 'freeze r1 (its BGP hold timer runs out on the peers)']],
      },
      bgp: {
        command: 'bgp [node] [action] [peer]',
        about: 'NAME reset [PEER]: clear the BGP sessions of an FRR router',
        options: FAULT_TARGET,
        positionals: { node: 'FRR router', action: 'reset', peer: 'peer address or interface (default: every peer)' },
        examples: [['lab fault -t lab.clab.yaml bgp r1 reset 10.0.0.2', 'reset one session of r1']],
      },
      agent: {
        command: 'agent [node] [action]',
        about: "NAME kill|restart|stop|start: a k8s node's BGP agent (kill: SIGKILL, restart: SIGTERM; its supervisor starts a new one)",
        options: FAULT_TARGET,
        positionals: { node: 'k8s-node name', action: 'kill, restart, stop or start' },
        examples: [['lab fault -t lab.clab.yaml agent worker kill', "crash worker's agent; prints the supervisor's new agent and how long it took"]],
      },
      list: {
        command: 'list',
        aliases: ['ls'],
        about: 'the recorded faults',
        options: { ...FAULT_TARGET, format: { type: 'string', short: 'f', default: 'table', describe: 'output format: table or json' } },
        examples: [['lab fault -t lab.clab.yaml list', 'what is broken now']],
      },
      clear: {
        command: 'clear',
        about: 'undo every recorded fault: links up, loss rules removed, nodes started and unpaused',
        options: FAULT_TARGET,
        examples: [['lab fault -t lab.clab.yaml clear', 'back to the intended lab']],
      },
    },
  },
  kubeconfig: {
    command: 'kubeconfig',
    about: "print the path (or --content) of a lab cluster's kubeconfig",
    options: {
      ...TARGET,
      content: { type: 'boolean', describe: 'print the file itself, not its path' },
      cluster: { type: 'string', describe: "with several clusters: which one (kind's cluster name, or kubectl's context kind-NAME; default the first)" },
    },
    examples: [
      ['lab kubeconfig -t lab.clab.yaml', 'the path, for KUBECONFIG=$(lab kubeconfig -t lab.clab.yaml) kubectl get nodes'],
      ['lab kubeconfig -t lab.clab.yaml --cluster k02', "the second cluster's kubeconfig"],
    ],
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
