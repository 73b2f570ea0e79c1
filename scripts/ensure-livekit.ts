import { ensureLivekitServer, ensureVersitygw } from './tools.ts';

ensureLivekitServer();
// The S3-compatible server the recording store's tests use.
ensureVersitygw();
