import { resolveConfig } from './config';

const page = { protocol: 'https:', host: 'chat.example.com' };

describe('resolveConfig', () => {
  it('uses the page origin when no API base is set', () => {
    expect(resolveConfig(undefined, page)).toEqual({ apiBaseUrl: '', wsBaseUrl: 'wss://chat.example.com' });
    expect(resolveConfig('', { protocol: 'http:', host: 'localhost:5173' })).toEqual({
      apiBaseUrl: '',
      wsBaseUrl: 'ws://localhost:5173',
    });
  });

  it('derives the socket base from the API base', () => {
    expect(resolveConfig('https://api.example.com/', page)).toEqual({
      apiBaseUrl: 'https://api.example.com',
      wsBaseUrl: 'wss://api.example.com',
    });
    expect(resolveConfig('http://10.0.0.2:8000/chat', page)).toEqual({
      apiBaseUrl: 'http://10.0.0.2:8000/chat',
      wsBaseUrl: 'ws://10.0.0.2:8000/chat',
    });
  });

  it('fails loudly on a value that is not an http(s) URL', () => {
    expect(() => resolveConfig('api.example.com', page)).toThrow(/not a URL/);
    expect(() => resolveConfig('ftp://api.example.com', page)).toThrow(/http/);
  });
});
