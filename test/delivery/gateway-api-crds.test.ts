import * as http from 'http';
import { AddressInfo } from 'net';
import { GatewayApiCrdsError, fetchGatewayApiCrds, gatewayApiCrdProblems } from '../../delivery/gateway-api-crds';
import { standardInstallYaml } from '../support/gateway-api-install';

const SAFE_UPGRADES = `---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  annotations:
    gateway.networking.k8s.io/bundle-version: v1.6.1
    gateway.networking.k8s.io/channel: standard
  name: safe-upgrades.gateway.networking.k8s.io
spec:
  policyName: safe-upgrades.gateway.networking.k8s.io
`;

describe('gatewayApiCrdProblems', () => {
  it('accepts the v1.6.1 standard-channel CRDs and the safe-upgrades policy binding', () => {
    expect(gatewayApiCrdProblems(standardInstallYaml() + SAFE_UPGRADES, 'u')).toEqual([]);
  });

  it('refuses the experimental channel, naming each CRD', () => {
    const problems = gatewayApiCrdProblems(standardInstallYaml().replace(/channel: standard/g, 'channel: experimental'), 'u');
    expect(problems).toContain(
      'u: CustomResourceDefinition httproutes.gateway.networking.k8s.io is channel experimental, expected standard',
    );
    expect(problems).toHaveLength(8);
  });

  it('refuses another release of Gateway API', () => {
    const problems = gatewayApiCrdProblems(standardInstallYaml().replace(/bundle-version: v1\.6\.1/g, 'bundle-version: v1.5.0'), 'u');
    expect(problems).toContain('u: CustomResourceDefinition gateways.gateway.networking.k8s.io is bundle-version v1.5.0, expected v1.6.1');
  });

  it('refuses a file that is not Gateway API CRDs, naming the kinds it lacks', () => {
    expect(gatewayApiCrdProblems('kind: Deployment\nmetadata:\n  name: x\n', 'u')).toEqual([
      'u: Deployment x is not a Gateway API CRD',
      'u: Deployment x is bundle-version (none), expected v1.6.1',
      'u: Deployment x is channel (none), expected standard',
      'u: defines no GatewayClass CRD',
      'u: defines no Gateway CRD',
      'u: defines no HTTPRoute CRD',
      'u: defines no GRPCRoute CRD',
    ]);
  });

  it('refuses a file that is not YAML', () => {
    expect(gatewayApiCrdProblems('a: [', 'u')).toEqual([expect.stringMatching(/^u: not YAML/)]);
  });
});

describe('fetchGatewayApiCrds', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/standard-install.yaml') res.end(standardInstallYaml());
      else if (req.url === '/experimental-install.yaml')
        res.end(standardInstallYaml().replace(/channel: standard/g, 'channel: experimental'));
      else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('downloads the file from a mirror and returns it with its sha256', async () => {
    const { content, sha256 } = await fetchGatewayApiCrds(`${base}/standard-install.yaml`);
    expect(content.toString('utf8')).toBe(standardInstallYaml());
    expect(sha256).toMatch(/^[a-f0-9]{64}$/);
  });

  it('throws one line per problem when the mirror serves the experimental channel', async () => {
    await expect(fetchGatewayApiCrds(`${base}/experimental-install.yaml`)).rejects.toThrow(GatewayApiCrdsError);
  });

  it('names the URL when the mirror does not have the file', async () => {
    await expect(fetchGatewayApiCrds(`${base}/missing.yaml`)).rejects.toThrow(`${base}/missing.yaml: HTTP 404`);
  });
});
