/**
 * SPDY/3.1, the server side as kubectl port-forward speaks it (moby/spdystream on the client):
 * the frame codec (frames.ts), header compression (header-zlib.ts) and a session that accepts
 * client streams (session.ts). No flow control: spdystream neither sends nor honours windows.
 */
export { SPDY3_DICTIONARY } from './dictionary.js';
export { CONTROL, FLAG_FIN, GOAWAY, MAX_FRAME_LENGTH, RST, SPDY_VERSION, FrameReader, SpdyProtocolError, decodeHeaderBlock, encodeFrame, encodeHeaderBlock, headerValue, type Frame, type SpdyHeaders } from './frames.js';
export { HeaderCompressor, HeaderDecompressor, MAX_HEADER_BLOCK } from './header-zlib.js';
export { SpdySession, SpdyStream, type SpdySessionOptions } from './session.js';
