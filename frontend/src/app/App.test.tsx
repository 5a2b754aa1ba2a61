import { matchRoute } from './App';

describe('matchRoute', () => {
  it.each([
    ['/', { page: 'home' }],
    ['/login', { page: 'login' }],
    ['/signup/', { page: 'signup' }],
    ['/rooms/lobby', { page: 'room', room: 'lobby' }],
    ['/chat/lobby/', { page: 'room', room: 'lobby' }],
    ['/rooms/a%20b', { page: 'room', room: 'a b' }],
    ['/dm/bob', { page: 'conversation', peer: 'bob' }],
    ['/dm/a%40b.c', { page: 'conversation', peer: 'a@b.c' }],
    ['/rooms/%E0%A4%A', { page: 'not_found' }],
    ['/nope/x/y', { page: 'not_found' }],
  ])('%s', (path, route) => {
    expect(matchRoute(path)).toEqual(route);
  });
});
