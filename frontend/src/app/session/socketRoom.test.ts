import { socketRoomFor, type SocketRoomInputs } from './socketRoom';

const base: SocketRoomInputs = { place: { page: 'other' }, loggedIn: true, lastRoom: null, storedRoom: null, firstRoom: null };

describe('socketRoomFor', () => {
  it('is the room on screen, for everyone', () => {
    expect(socketRoomFor({ ...base, place: { page: 'room', room: 'lobby' }, lastRoom: 'random' })).toBe('lobby');
    expect(socketRoomFor({ ...base, loggedIn: false, place: { page: 'room', room: 'lobby' } })).toBe('lobby');
  });

  it('stays on the room last opened while the person is elsewhere', () => {
    expect(socketRoomFor({ ...base, lastRoom: 'lobby' })).toBe('lobby');
    expect(socketRoomFor({ ...base, place: { page: 'conversation', peer: 'bob' }, lastRoom: 'lobby', storedRoom: 'x' })).toBe('lobby');
  });

  it('opens a room for a private conversation opened first: the last visit one, or the first listed', () => {
    const conversation = { ...base, place: { page: 'conversation', peer: 'bob' } as const };
    expect(socketRoomFor({ ...conversation, storedRoom: 'random', firstRoom: 'lobby' })).toBe('random');
    expect(socketRoomFor({ ...conversation, firstRoom: 'lobby' })).toBe('lobby');
    expect(socketRoomFor(conversation)).toBeNull();
  });

  it('opens nothing on the home page before any room, nor for guests outside a room', () => {
    expect(socketRoomFor({ ...base, storedRoom: 'random', firstRoom: 'lobby' })).toBeNull();
    expect(socketRoomFor({ ...base, loggedIn: false, lastRoom: 'lobby' })).toBeNull();
  });
});
