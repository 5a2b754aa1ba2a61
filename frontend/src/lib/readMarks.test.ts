import { ReadMarks, type ReadTarget } from './readMarks';

const lobby: ReadTarget = { kind: 'room', room: 'lobby' };
const bob: ReadTarget = { kind: 'conversation', peer: 'bob' };

function setup(accept = () => true) {
  const sent: string[] = [];
  const marks = new ReadMarks({
    send: (target, id) => {
      if (!accept()) return false;
      sent.push(`${target.kind === 'room' ? target.room : target.peer}:${id}`);
      return true;
    },
  });
  return { marks, sent };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ReadMarks', () => {
  it('sends the first marker at once, then at most one a second with the newest id seen', () => {
    const { marks, sent } = setup();
    marks.seen(lobby, 1);
    expect(sent).toEqual(['lobby:1']);
    for (const id of [2, 3, 4]) marks.seen(lobby, id);
    expect(sent).toEqual(['lobby:1']);
    vi.advanceTimersByTime(1_000);
    expect(sent).toEqual(['lobby:1', 'lobby:4']);
  });

  it('keeps a separate pace for each room and conversation', () => {
    const { marks, sent } = setup();
    marks.seen(lobby, 5);
    marks.seen(bob, 2);
    expect(sent).toEqual(['lobby:5', 'bob:2']);
  });

  it('only moves forward, counting markers set elsewhere', () => {
    const { marks, sent } = setup();
    marks.seen(lobby, 5);
    vi.advanceTimersByTime(1_000);
    marks.seen(lobby, 3);
    marks.known(lobby, 9);
    marks.seen(lobby, 8);
    vi.advanceTimersByTime(5_000);
    expect(sent).toEqual(['lobby:5']);
  });

  it('drops a waiting marker that another tab already passed', () => {
    const { marks, sent } = setup();
    marks.seen(lobby, 1);
    marks.seen(lobby, 4);
    marks.known(lobby, 6);
    vi.advanceTimersByTime(1_000);
    expect(sent).toEqual(['lobby:1']);
  });

  it('sends again what could not go out, on retry', () => {
    let online = false;
    const { marks, sent } = setup(() => online);
    marks.seen(lobby, 3);
    expect(sent).toEqual([]);
    online = true;
    marks.retry();
    expect(sent).toEqual(['lobby:3']);
    marks.retry();
    expect(sent).toEqual(['lobby:3']);
  });
});
