import { matchRoute } from './App';

describe('matchRoute', () => {
  it.each([
    ['/', { page: 'rooms' }],
    ['/login', { page: 'login' }],
    ['/signup/', { page: 'signup' }],
    ['/rooms/lobby', { page: 'room', room: 'lobby' }],
    ['/chat/lobby/', { page: 'room', room: 'lobby' }],
    ['/rooms/a%20b', { page: 'room', room: 'a b' }],
    ['/nope/x/y', { page: 'not_found' }],
  ])('%s', (path, route) => {
    expect(matchRoute(path)).toEqual(route);
  });
});
