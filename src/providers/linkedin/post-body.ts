/** The `POST /rest/posts` body for a text post, with the link (if any) as article content. */
import type { SocialPostRequest } from '../../capabilities/social-posting.js';
import { escapeLittleText } from './little-text.js';

export interface LinkedinPostBody {
  author: string;
  commentary: string;
  visibility: string;
  distribution: { feedDistribution: 'MAIN_FEED'; targetEntities: never[]; thirdPartyDistributionChannels: never[] };
  lifecycleState: 'PUBLISHED';
  isReshareDisabledByAuthor: boolean;
  content?: { article: { source: string; title: string } };
}

export function buildPostBody(request: SocialPostRequest, author: string, defaultVisibility: string): LinkedinPostBody {
  const body: LinkedinPostBody = {
    author,
    commentary: escapeLittleText(request.text),
    visibility: request.visibility ?? defaultVisibility,
    distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
    lifecycleState: 'PUBLISHED',
    isReshareDisabledByAuthor: false,
  };
  if (request.link) body.content = { article: { source: request.link, title: new URL(request.link).hostname } };
  return body;
}
