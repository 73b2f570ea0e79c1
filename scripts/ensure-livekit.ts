import { ensureLivekitServer } from './tools.ts';

ensureLivekitServer();
