/**
 * metallb building blocks: Go durations, IP ranges and summarization, label selectors, MetalLB
 * community text, YAML document splitting.
 */
import t from 'tap';
import { formatSeconds, parseGoDurationMs } from '../src/metallb/duration.js';
import { canonicalIp, formatIp, isBuggyIp, parseAddressRange, parseIp, summarize } from '../src/metallb/ip-range.js';
import { anySelectorMatches, labelKeyProblem, labelValueProblem, selectorMatches, selectorText } from '../src/metallb/label-selector.js';
import { looksLikeCommunityValue, parseMetalLbCommunity } from '../src/metallb/community.js';
import { fieldPath } from '../src/metallb/field-reader.js';
import { splitYamlDocuments } from '../src/metallb/yaml-documents.js';

t.test('Go durations', async (t) => {
  const ok: [string, number][] = [['90s', 90000], ['1m30s', 90000], ['1.5h', 5400000], ['300ms', 300], ['0', 0], ['-1s', -1000], ['+2m', 120000], ['1h2m3s4ms', 3723004], ['.5s', 500], ['1us', 0.001], ['1µs', 0.001], ['1μs', 0.001], ['1000000ns', 1], ['2.s', 2000]];
  for (const [text, ms] of ok) t.equal(parseGoDurationMs(text), ms, text);
  for (const bad of ['', '90', 's', '1d', '1m 30s', '-', 'abc', '1.2.3s']) t.equal(parseGoDurationMs(bad), undefined, JSON.stringify(bad));
  t.same([0, 90, 3600, 3723].map(formatSeconds), ['0s', '1m30s', '1h', '1h2m3s']);
});

t.test('addresses and ranges', async (t) => {
  t.same(parseIp('203.0.113.1'), { family: 4, value: 0xcb007101n });
  t.equal(parseIp('2001:db8::1')!.family, 6);
  t.equal(parseIp('nope'), undefined);
  t.equal(parseIp('2001:db8::zz'), undefined);
  t.equal(formatIp(parseIp('2001:0DB8:0:0::1')!), '2001:db8::1');
  t.equal(canonicalIp('x'), undefined);
  t.match(parseAddressRange('203.0.113.5/24'), { first: 0xcb007100n, last: 0xcb0071ffn, shortestPrefixLength: 24 }, 'host bits are ignored, as Go does');
  t.match(parseAddressRange('2001:db8::/126'), { family: 6, shortestPrefixLength: 126 });
  t.match(parseAddressRange(' 203.0.113.10 - 203.0.113.20 '), { shortestPrefixLength: 30 });
  t.match(parseAddressRange('203.0.113.0/x'), /prefix length must be 0\.\.32/);
  t.match(parseAddressRange('2001:db8::/129'), /prefix length must be 0\.\.128/);
  t.same(summarize(4, 0xcb0071f0n, 0xcb0071fan), [29, 31, 32]);
  t.same(summarize(4, 0n, 0xffffffffn), [0]);
  t.same(summarize(6, 1n, 1n), [128]);
  t.ok(isBuggyIp(parseIp('203.0.113.0')!));
  t.ok(isBuggyIp(parseIp('203.0.113.255')!));
  t.notOk(isBuggyIp(parseIp('203.0.113.1')!));
  t.notOk(isBuggyIp(parseIp('2001:db8::ff')!));
});

t.test('label selectors', async (t) => {
  const labels = { app: 'web', tier: 'prod' };
  const sel = (matchLabels: Record<string, string>, matchExpressions: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values: string[] }[] = []) => ({ matchLabels, matchExpressions });
  t.ok(selectorMatches(sel({}), labels), 'empty selects all');
  t.ok(selectorMatches(sel({ app: 'web' }), labels));
  t.notOk(selectorMatches(sel({ app: 'db' }), labels));
  t.ok(selectorMatches(sel({}, [{ key: 'tier', operator: 'In', values: ['prod', 'dev'] }]), labels));
  t.notOk(selectorMatches(sel({}, [{ key: 'zone', operator: 'In', values: ['a'] }]), labels));
  t.ok(selectorMatches(sel({}, [{ key: 'zone', operator: 'NotIn', values: ['a'] }]), labels));
  t.notOk(selectorMatches(sel({}, [{ key: 'tier', operator: 'NotIn', values: ['prod'] }]), labels));
  t.ok(selectorMatches(sel({}, [{ key: 'app', operator: 'Exists', values: [] }]), labels));
  t.notOk(selectorMatches(sel({}, [{ key: 'zone', operator: 'Exists', values: [] }]), labels));
  t.ok(selectorMatches(sel({}, [{ key: 'zone', operator: 'DoesNotExist', values: [] }]), labels));
  t.notOk(selectorMatches(sel({}, [{ key: 'app', operator: 'DoesNotExist', values: [] }]), labels));
  t.ok(anySelectorMatches([], labels));
  t.ok(anySelectorMatches([sel({ app: 'db' }), sel({ app: 'web' })], labels));
  t.equal(
    selectorText(sel({ b: '2', a: '1' }, [{ key: 'x', operator: 'In', values: ['p', 'q'] }, { key: 'y', operator: 'NotIn', values: ['r'] }, { key: 'z', operator: 'Exists', values: [] }, { key: 'w', operator: 'DoesNotExist', values: [] }])),
    'a=1,b=2,x in (p,q),y notin (r),z,!w',
  );
  t.equal(labelKeyProblem('kubernetes.io/hostname'), undefined);
  t.match(labelKeyProblem('a/'), /the name must be/);
  t.equal(labelValueProblem(''), undefined);
  t.match(labelValueProblem('a'.repeat(64)), /at most 63/);
});

t.test('MetalLB community text', async (t) => {
  t.same(parseMetalLbCommunity('65000:100'), { kind: 'standard', value: '65000:100' });
  t.same(parseMetalLbCommunity('065000:0100'), { kind: 'standard', value: '65000:100' });
  t.same(parseMetalLbCommunity('large:4294967295:0:1'), { kind: 'large', value: '4294967295:0:1' });
  t.same(parseMetalLbCommunity('NO_ADVERTISE'), { kind: 'standard', value: 'NO_ADVERTISE' });
  t.match(parseMetalLbCommunity('123'), /invalid community format/);
  t.match(parseMetalLbCommunity('a:b'), /each part of ASN:VALUE/);
  t.ok(looksLikeCommunityValue('1:2'));
  t.ok(looksLikeCommunityValue('large:1:2:3'));
  t.notOk(looksLikeCommunityValue('alias'));
});

t.test('field paths', async (t) => {
  t.same(fieldPath('spec.nodeSelectors[0].matchLabels'), ['spec', 'nodeSelectors', 0, 'matchLabels']);
  t.same(fieldPath('endpoints[2][1]'), ['endpoints', 2, 1]);
  t.same(fieldPath('spec.addPath.ipv4-unicast'), ['spec', 'addPath', 'ipv4-unicast']);
  t.same(fieldPath('a.b[x]'), ['a', 'b[x]']);
  t.same(fieldPath(''), []);
});

t.test('YAML splitting: documents, Lists, labels, annotations, lines', async (t) => {
  const text = 'kind: A\nmetadata:\n  name: a\n  namespace: ns\n  labels: {x: "1", n: 2}\n  annotations: {k: v}\n---\n# only a comment\n---\nkind: List\nitems: []\n---\nkind: B\nmetadata: 5\n';
  const { documents, issues } = splitYamlDocuments([{ text }]);
  t.same(issues, []);
  t.same(documents.map((d) => [d.index, d.kind, d.name, d.namespace]), [[1, 'A', 'a', 'ns'], [2, 'B', '', '']]);
  t.same(documents[0]!.labels, { x: '1' });
  t.same(documents[0]!.annotations, { k: 'v' });
  t.equal(documents[0]!.lineOf(['metadata', 'labels', 'x']), 5);
  t.equal(documents[0]!.lineOf(['metadata', 'nothing', 'here']), 3, 'nearest parent');
  t.equal(documents[1]!.lineOf([]), 13);
  const bad = splitYamlDocuments([{ text: 'a: *nope\n', fileName: 'x.yaml' }]);
  t.match(bad.issues, [{ document: 1, fileName: 'x.yaml', message: /YAML syntax/ }]);
});
