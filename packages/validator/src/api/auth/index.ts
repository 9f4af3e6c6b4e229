/** Write access: API tokens, open writes, write-rate limits and submission-id binding. */
export {
  ApiTokenSet,
  ApiTokensFileError,
  NO_TOKENS,
  TOKEN_NAME_RE,
  TOKEN_RE,
  generateApiToken,
  parseApiTokens,
  type ApiTokenEntry,
} from './apiTokens.js';
export {
  ApiTokenFile,
  TOKENS_FILE_POLL_MS,
  isReadableByOthers,
  readApiTokensFile,
  type ReloadResult,
} from './apiTokenFile.js';
export {
  UNAUTHORIZED_CODE,
  WriteErrorCode,
  submissionIdInvalid,
  submissionIdTaken,
  unauthorized,
  writeRateExceeded,
} from './errors.js';
export { defaultApiWriteAccess, defaultWriteLimits, type WriteAccessOptions } from './options.js';
export { RateLimiter, addressKey, type RateLimit } from './rateLimiter.js';
export { attachClient, clientOf, clientOfRequest, httpSession, withClient, type SessionClient } from './session.js';
export {
  MAX_SUBMISSION_ID_BYTES,
  SubmissionIdGuard,
  submissionIdOf,
  type ClaimTicket,
  type SubmissionOwner,
} from './submissionIds.js';
export { WriteGate, type WriteCall, type WriteOutcome } from './writeGate.js';
