/**
 * Go text/template as containerlab renders topology files. Cases written from text/template's
 * documented semantics (actions, trim markers, pipelines, variables, range/with/if with else,
 * break/continue, define/template/block, builtins, printf) and containerlab's own functions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderGoTemplate, TemplateExecError, TemplateSyntaxError } from './index.js';

const render = (text: string, data: unknown = {}, partials?: Array<{ name: string; text: string }>) => renderGoTemplate(text, { name: 'topo.clab.yml', data, maxOutput: 1 << 20, ...(partials ? { partials } : {}) });

const CASES: Array<[string, string, unknown, string]> = [
  ['plain text', 'name: lab\n', {}, 'name: lab\n'],
  ['field', 'name: {{ .name }}', { name: 'x' }, 'name: x'],
  ['nested field', '{{ .a.b.c }}', { a: { b: { c: 3 } } }, '3'],
  ['missing key is <no value>', '[{{ .nope }}]', {}, '[<no value>]'],
  ['missing nested key is <no value>', '[{{ .a.b }}]', {}, '[<no value>]'],
  ['nil data', '[{{ .x }}]', null, '[<no value>]'],
  ['trim both sides', 'a  {{- "b" -}}  \n c', {}, 'abc'],
  ['minus without space is a number', '{{-3}}', {}, '-3'],
  ['comment dropped', 'a{{/* note */}}b', {}, 'ab'],
  ['comment with trims', 'a \n{{- /* x */ -}}\n b', {}, 'ab'],
  ['if else', '{{ if .on }}yes{{ else }}no{{ end }}', { on: false }, 'no'],
  ['else if chain', '{{ if eq .n 1 }}one{{ else if eq .n 2 }}two{{ else }}many{{ end }}', { n: 2 }, 'two'],
  ['empty list is false', '{{ if .l }}y{{ else }}n{{ end }}', { l: [] }, 'n'],
  ['zero is false', '{{ if .z }}y{{ else }}n{{ end }}', { z: 0 }, 'n'],
  ['with rebinds dot', '{{ with .a }}{{ .b }}{{ end }}', { a: { b: 'B' } }, 'B'],
  ['with else', '{{ with .none }}x{{ else }}empty{{ end }}', {}, 'empty'],
  ['range list', '{{ range .l }}<{{ . }}>{{ end }}', { l: [1, 2, 3] }, '<1><2><3>'],
  ['range index and element', '{{ range $i, $e := .l }}{{ $i }}={{ $e }} {{ end }}', { l: ['a', 'b'] }, '0=a 1=b '],
  ['range single var is the element', '{{ range $e := .l }}{{ $e }}{{ end }}', { l: ['x', 'y'] }, 'xy'],
  ['range map in key order', '{{ range $k, $v := .m }}{{ $k }}:{{ $v }},{{ end }}', { m: { b: 2, a: 1 } }, 'a:1,b:2,'],
  ['range else', '{{ range .l }}x{{ else }}none{{ end }}', { l: [] }, 'none'],
  ['range over an integer', '{{ range 3 }}{{ . }}{{ end }}', {}, '012'],
  ['break and continue', '{{ range .l }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ if eq . 4 }}{{ break }}{{ end }}{{ . }}{{ end }}', { l: [1, 2, 3, 4, 5] }, '13'],
  ['$ is the data inside range', '{{ range .l }}{{ $.p }}{{ . }} {{ end }}', { p: 'n', l: [1, 2] }, 'n1 n2 '],
  ['variable declare and assign', '{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}', {}, '2'],
  ['variable scoped to its block', '{{ $x := "out" }}{{ if true }}{{ $x := "in" }}{{ $x }}{{ end }} {{ $x }}', {}, 'in out'],
  ['pipeline passes the last argument', '{{ .n | printf "%03d" }}', { n: 7 }, '007'],
  ['parenthesized pipeline', '{{ printf "%s-%d" .p (add .n 1) }}', { p: 'leaf', n: 1 }, 'leaf-2'],
  ['printf verbs', '{{ printf "%v %s %q %x %5.2f|%-4s|%t %%" 1 "s" "q" 255 3.14159 "ab" true }}', {}, '1 s "q" ff  3.14|ab  |true %'],
  ['printf missing and extra', '{{ printf "%d %d" 1 }}|{{ printf "x" 2 }}', {}, '1 %!d(MISSING)|x%!(EXTRA int=2)'],
  ['print spacing', '{{ print 1 2 "a" "b" 3 }}', {}, '1 2ab3'],
  ['println', '{{ println "a" 1 }}', {}, 'a 1\n'],
  ['len of string, list, map', '{{ len "héllo" }} {{ len .l }} {{ len .m }}', { l: [1, 2], m: { a: 1 } }, '6 2 1'],
  ['index into list and map', '{{ index .l 1 }} {{ index .m "k" }} {{ index .nest 0 "a" }}', { l: ['a', 'b'], m: { k: 'v' }, nest: [{ a: 'deep' }] }, 'b v deep'],
  ['and/or return values', '{{ and 1 0 2 }} {{ or 0 "" "x" }} {{ or 0 false }}', {}, '0 x false'],
  ['and short-circuits', '{{ and false (index .l 9) }}', { l: [] }, 'false'],
  ['not, comparisons', '{{ not 0 }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1 2 }} {{ ne 1 2 }}', {}, 'true true true true false true'],
  ['eq with several', '{{ eq .k "a" "b" "c" }}', { k: 'c' }, 'true'],
  ['eq with a missing value is false', '{{ eq .missing "x" }}', {}, 'false'],
  ['lists and maps print as Go does', '{{ .l }} {{ .m }}', { l: [1, 'a', true], m: { z: 1, a: [2] } }, '[1 a true] map[a:[2] z:1]'],
  ['floats print as Go %v', '{{ div 1 4 }} {{ div 10 4 }} {{ mul 1.5 2 }}', {}, '0.25 2.5 3'],
  ['string literals', '{{ "a\\tb" }}|{{ `raw\\n` }}|{{ \'A\' }}', {}, 'a\tb|raw\\n|65'],
  ['number literals', '{{ 0x1F }} {{ 1_000 }} {{ 0o17 }} {{ 1e3 }}', {}, '31 1000 15 1000'],
  ['html/js/urlquery', '{{ html "<a&b>" }} {{ urlquery "a b&c" }} {{ js "it\'s" }}', {}, "&lt;a&amp;b&gt; a+b%26c it\\'s"],
  // containerlab's functions
  ['add subtract mul', '{{ add 1 2 }} {{ subtract 10 4 }} {{ mul 3 4 }} {{ add "2" 3 }}', {}, '3 6 12 5'],
  ['div idiv rem', '{{ div 7 2 }} {{ idiv 7 2 }} {{ rem 7 3 }}', {}, '3.5 3 1'],
  ['seq forms', '{{ seq 3 }}|{{ seq 4 8 }}|{{ seq 4 8 2 }}|{{ seq 8 4 2 }}|{{ seq 1 10 4 }}', {}, '[1 2 3]|[4 5 6 7 8]|[4 6 8]|[8 6 4]|[1 5 9]'],
  ['slice builds a list', '{{ range slice "a" "b" }}{{ . }}{{ end }}', {}, 'ab'],
  ['ToJSON sorts keys', '{{ ToJSON .m }}', { m: { b: 1, a: [1, 'x'] } }, '{"a":[1,"x"],"b":1}'],
  ['ToJSONPretty', '{{ ToJSONPretty .m "" "  " }}', { m: { a: 1 } }, '{\n  "a": 1\n}'],
  ['strings.Split and ReplaceAll', '{{ range strings.Split "," "a,b" }}[{{ . }}]{{ end }} {{ strings.ReplaceAll "-" "_" "a-b-c" }}', {}, '[a][b] a_b_c'],
  ['conv.Join and ToInt', '{{ conv.Join .l "," }} {{ add (conv.ToInt "41") 1 }}', { l: ['x', 2] }, 'x,2 42'],
  ['net.CIDRHost', '{{ net.CIDRHost 5 "10.0.0.0/24" }} {{ net.CIDRHost -2 "10.0.0.0/24" }} {{ net.CIDRHost 1 "2001:db8::/64" }}', {}, '10.0.0.5 10.0.0.254 2001:db8::1'],
  ['define and template with data', '{{ define "node" }}{{ .name }}: {kind: linux}{{ end }}{{ range .nodes }}{{ template "node" . }};{{ end }}', { nodes: [{ name: 'a' }, { name: 'b' }] }, 'a: {kind: linux};b: {kind: linux};'],
  ['block is define + template', '{{ block "x" .v }}[{{ . }}]{{ end }}', { v: 1 }, '[1]'],
  ['a containerlab-style generated fabric', 'nodes:\n{{- range $i := seq 1 .leaves }}\n  leaf{{ $i }}: {kind: linux}\n{{- end }}\n', { leaves: 3 }, 'nodes:\n  leaf1: {kind: linux}\n  leaf2: {kind: linux}\n  leaf3: {kind: linux}\n'],
];

describe('Go templates: rendering', () => {
  for (const [name, text, data, want] of CASES) {
    it(name, () => assert.equal(render(text, data), want));
  }

  it('a partial file from clab_templates is a template named after the file, with its defines', () => {
    const partials = [{ name: 'node.gotmpl', text: '{{ define "leaf" }}leaf{{ . }}{{ end }}kind: {{ .kind }}' }];
    assert.equal(render('{{ template "node.gotmpl" .n }}/{{ template "leaf" 7 }}', { n: { kind: 'linux' } }, partials), 'kind: linux/leaf7');
  });
});

describe('Go templates: errors name the line and column', () => {
  const syntax = (text: string, re: RegExp, line: number, col?: number) => {
    assert.throws(() => render(text), (e: unknown) => e instanceof TemplateSyntaxError && re.test(e.message) && e.line === line && (col === undefined || e.col === col), text);
  };
  const exec = (text: string, data: unknown, re: RegExp, line: number) => {
    assert.throws(() => render(text, data), (e: unknown) => e instanceof TemplateExecError && re.test(e.message) && e.line === line, text);
  };
  it('syntax', () => {
    syntax('a\n{{ if .x }}\nb', /unexpected EOF: \{\{if\}\} opened at line 2 has no \{\{end\}\}/, 2, 1);
    syntax('a\nb {{ end }}', /unexpected \{\{end\}\}/, 2, 6);
    syntax('{{ nosuch 1 }}', /function "nosuch" not defined/, 1, 4);
    syntax('x\n\n  {{ .a | }}', /missing value for command/, 3);
    syntax('{{ "abc }}', /unterminated quoted string/, 1, 4);
    syntax('{{ .a', /unclosed action/, 1, 1);
    syntax('{{ break }}', /\{\{break\}\} outside \{\{range\}\}/, 1, 4);
    syntax('{{ 1x }}', /bad number syntax/, 1, 4);
    syntax('{{ range .l }}{{ define "x" }}{{ end }}{{ end }}', /only allowed at the top level/, 1);
  });
  it('execution', () => {
    exec('line1\n{{ .s.field }}', { s: 'str' }, /can't evaluate field field in type string/, 2);
    exec('\n\n{{ index .l 5 }}', { l: [1] }, /error calling index: index out of range: 5/, 3);
    exec('{{ add "x" 1 }}', {}, /error calling add: could not convert x to int64/, 1);
    exec('{{ div 1 0 }}', {}, /division by 0/, 1);
    exec('{{ $nope }}', {}, /undefined variable "\$nope"/, 1);
    exec('{{ template "missing" }}', {}, /no such template "missing"/, 1);
    exec('{{ range .s }}{{ end }}', { s: true }, /range can't iterate over true/, 1);
    exec('{{ lt 1 "a" }}', {}, /incompatible types for comparison/, 1);
    exec('{{ 3 4 }}', {}, /can't give argument to non-function 3/, 1);
  });
  it('bounded: output size, recursion and seq length', () => {
    assert.throws(() => renderGoTemplate('{{ range seq 100000 }}xxxxxxxxxxxxxxxxxxxx{{ end }}', { name: 't', data: {}, maxOutput: 1000 }), /over 1000 bytes/);
    exec('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}', {}, /maximum template depth/, 1);
    exec('{{ seq 1000000000 }}', {}, /seq would make 1000000000 numbers/, 1);
  });
});
