/** The article labs CI deploys, verifies (all stages) and destroys: topology file and lab name. */
export interface ArticleLab {
  dir: string;
  topo: string;
  name: string;
  /** `lab verify --wait`: the time the lab may take to converge after deploy, per stage. */
  wait: string;
  /**
   * Agent sessions the article shows never coming up (lab verify checks only sessions that are up): after
   * verify, the node's `lab-agent neighbor --json` must show each one not Established, with its last error.
   */
  down?: Array<{ node: string; peer: string }>;
  /**
   * The lab's own DaemonSets (applied from its manifests): after verify, `kubectl rollout status` succeeds for
   * each, and each of its pods says in its status message, and in a KindlabAgent Event, what runs instead of
   * the image. `replaces`: an AgentReplaced Event says the lab's own supervised agent stepped aside. `manifest`
   * (in the lab's directory): the article's `kubectl delete -f` then `kubectl create -f` of it, after which the
   * DaemonSet's pods are gone and then roll out again.
   */
  daemonSets?: Array<{ namespace: string; name: string; message: RegExp; replaces?: boolean; manifest?: string }>;
}

export const ARTICLE_LABS: ArticleLab[] = [
  { dir: 'cilium-bgp', topo: 'topo.yaml', name: 'bgp-cplane-demo', wait: '90s' },
  {
    dir: 'kube-router-bgp',
    topo: 'topo.yaml',
    name: 'kube-router-bgp',
    wait: '60s',
    daemonSets: [{ namespace: 'kube-system', name: 'kube-router', message: /image "cloudnativelabs\/kube-router" is not run; kindlab's BGP agent runs in its kube-router dialect .*--peer-router-ips=192\.168\.0\.100 --peer-router-asns=64513/, replaces: true, manifest: 'kube-router.yaml' }],
  },
  { dir: 'kube-router-bgp-multihop', topo: 'topo.yaml', name: 'kube-router-multihop', wait: '60s' },
  { dir: 'kube-router-bgp-multihop', topo: 'topo-no-multihop.yaml', name: 'kube-router-no-multihop', wait: '60s', down: [{ node: 'worker2', peer: '192.168.0.100' }] },
  { dir: 'calico-service-ips', topo: 'topo.yaml', name: 'calico-service-ips', wait: '60s' },
  { dir: 'kube-ovn-speaker', topo: 'topo.yaml', name: 'kube-ovn-speaker', wait: '90s' },
  { dir: 'kube-router-features', topo: 'topo.yaml', name: 'kube-router-features', wait: '90s' },
  { dir: 'metallb-bgp', topo: 'topo.yaml', name: 'metallb-bgp', wait: '60s' },
];
