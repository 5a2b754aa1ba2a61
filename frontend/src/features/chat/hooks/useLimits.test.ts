import { clientLimits } from './useLimits';

describe('clientLimits', () => {
  const base = { message_max_length: 4000, frame_max_chars: 65536, ws_rate: 10, ws_burst: 20 };

  it("takes the server's limits", () => {
    expect(clientLimits({ ...base, edit_window: 3600, reactions_per_message: 20 })).toEqual({
      maxLength: 4000,
      editWindow: 3600,
      reactionsPerMessage: 20,
    });
  });

  it('leaves to the server what an older server does not state', () => {
    expect(clientLimits(base)).toEqual({ maxLength: 4000, editWindow: null, reactionsPerMessage: null });
  });
});
