/**
 * Signing users in: the flows that produce the user credentials `client.subscriptions.add` takes.
 * Re-exports only.
 */
export { createOAuth1Flow, OAuth1Flow } from './oauth1.js';
export type {
  OAuth1AccessToken,
  OAuth1AccessTokenRequest,
  OAuth1FlowOptions,
  OAuth1RequestToken,
  OAuth1RequestTokenOptions,
} from './oauth1.js';
export { codeChallengeS256, createOAuth2Flow, OAuth2Flow } from './oauth2.js';
export type {
  OAuth2AuthorizeOptions,
  OAuth2AuthorizeRequest,
  OAuth2ExchangeRequest,
  OAuth2FlowOptions,
  OAuth2Tokens,
} from './oauth2.js';
export { AAA_SUBSCRIPTION_SCOPES, OAUTH2_SCOPES, xaaScopeFor, xaaScopes } from './scopes.js';
export type { OAuth2Scope } from './scopes.js';
export type { FetchLike, FlowTransportOptions } from './http.js';
