import { act, renderHook } from '@testing-library/react';
import { TYPING_SHOWN_MS, describeTyping, useTyping } from './useTyping';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('useTyping', () => {
  it('shows a person for five seconds after their last typing notice', () => {
    const { result } = renderHook(() => useTyping('lobby'));
    act(() => result.current.actions.typing('alice'));
    expect(result.current.typing).toEqual(['alice']);
    act(() => vi.advanceTimersByTime(TYPING_SHOWN_MS - 1_000));
    act(() => result.current.actions.typing('alice'));
    act(() => vi.advanceTimersByTime(TYPING_SHOWN_MS - 1));
    expect(result.current.typing).toEqual(['alice']);
    act(() => vi.advanceTimersByTime(1));
    expect(result.current.typing).toEqual([]);
  });

  it('hides a person at once when their message arrives, and keeps the others', () => {
    const { result } = renderHook(() => useTyping('lobby'));
    act(() => {
      result.current.actions.typing('alice');
      result.current.actions.typing('bob');
    });
    expect(result.current.typing).toEqual(['alice', 'bob']);
    act(() => result.current.actions.stopped('alice'));
    expect(result.current.typing).toEqual(['bob']);
    act(() => vi.advanceTimersByTime(TYPING_SHOWN_MS));
    expect(result.current.typing).toEqual([]);
  });

  it('starts with nobody in another room', () => {
    const { result, rerender } = renderHook(({ room }) => useTyping(room), { initialProps: { room: 'lobby' } });
    act(() => result.current.actions.typing('alice'));
    rerender({ room: 'random' });
    expect(result.current.typing).toEqual([]);
    act(() => vi.advanceTimersByTime(TYPING_SHOWN_MS));
    expect(result.current.typing).toEqual([]);
  });
});

describe('describeTyping', () => {
  it.each([
    [[], null],
    [['alice'], 'alice is typing…'],
    [['alice', 'bob'], 'alice and bob are typing…'],
    [['alice', 'bob', 'carol'], 'several people are typing…'],
  ])('%j', (users, text) => {
    expect(describeTyping(users)).toBe(text);
  });
});
