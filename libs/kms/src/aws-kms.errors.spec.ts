import { toKmsError } from './aws-kms.errors';
import { KmsErrorCode } from './kms.errors';

function sdkError(name: string, message = 'provider message', code?: string): Error {
  return Object.assign(new Error(message), { name, ...(code ? { code } : {}) });
}

describe('toKmsError', () => {
  it.each([
    [sdkError('NotFoundException'), KmsErrorCode.KeyNotFound, /does not exist/],
    [sdkError('DisabledException'), KmsErrorCode.KeyDisabled, /disabled/],
    [sdkError('KMSInvalidStateException'), KmsErrorCode.KeyDisabled, /not in a usable state/],
    [sdkError('AccessDeniedException'), KmsErrorCode.AccessDenied, /access denied/],
    [sdkError('UnrecognizedClientException'), KmsErrorCode.AccessDenied, /credentials/],
    [sdkError('InvalidCiphertextException'), KmsErrorCode.DecryptRefused, /encryption context/],
    [sdkError('IncorrectKeyException'), KmsErrorCode.DecryptRefused, /refused/],
    [sdkError('Error', 'connect ECONNREFUSED', 'ECONNREFUSED'), KmsErrorCode.EndpointUnreachable, /unreachable \(ECONNREFUSED\)/],
    [sdkError('Error', 'AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:1'), KmsErrorCode.EndpointUnreachable, /ECONNREFUSED/],
    [sdkError('TimeoutError'), KmsErrorCode.EndpointUnreachable, /unreachable/],
    [sdkError('KMSInternalException'), KmsErrorCode.Failure, /KMSInternalException/],
    ['not an error', KmsErrorCode.Failure, /UnknownError/],
  ])('maps %p to %s', (error, code, message) => {
    const mapped = toKmsError(error, 'alias/gateway', 'Decrypt');

    expect(mapped.code).toBe(code);
    expect(mapped.message).toMatch(message);
    expect(mapped.message).toContain('"alias/gateway"');
    expect(mapped.message).toContain('Decrypt');
  });

  it('does not pass the SDK message on', () => {
    const mapped = toKmsError(sdkError('AccessDeniedException', 'secret-looking-detail'), 'k', 'Decrypt');

    expect(mapped.message).not.toContain('secret-looking-detail');
  });
});
