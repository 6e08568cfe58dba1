/** The Graph API credential parameters: `access_token` and, with an app secret, `appsecret_proof`. */
import { createHmac } from 'node:crypto';

function appSecretProof(accessToken: string, appSecret: string): string {
  return createHmac('sha256', appSecret).update(accessToken).digest('hex');
}

export function authParams(accessToken: string, appSecret: string | undefined): Record<string, string> {
  return appSecret ? { access_token: accessToken, appsecret_proof: appSecretProof(accessToken, appSecret) } : { access_token: accessToken };
}
